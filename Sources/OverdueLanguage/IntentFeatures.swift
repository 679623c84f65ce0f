import OverdueCore

/// What the intent and sentiment model reads of a reply: hashed features of the debtor's own words
/// and a few facts about the reply. The trainer (`scripts/nlu/train.py`) learns from exactly these
/// features — it asks `overdue nlu features` for them — so training and inference cannot drift apart.
///
/// - words (digits read as `0`, so "4200" and "1250" look alike), word pairs (with the start and
///   end of the reply), the three words after a negation ("will **not** pay", "no estamos") and the
///   four after a future marker ("we will get it **paid**" is not "we paid");
/// - character 3- and 4-grams inside each word (typos, inflections, Spanish and French endings);
/// - when the payment is set: each word of paying is read as negated, future (after "will", "vamos
///   a", "scheduled", or a future form such as "pagaremos"), past (after "was", "already", "ya", or
///   a past form such as "remitted", "réglé"; or followed by "went", "cleared") or plain;
/// - facts: channel, language, length, question and exclamation marks, shouting, a date in the past,
///   today or the future, a time frame without a day, money, an identifier, an email address, a
///   phone number, a link, and each emoji or symbol (👍 🙏);
/// - word classes (`Concepts`): paying, having paid, disagreeing, a freight document, an insult… in
///   English, Spanish and French, so one language's examples teach the others.
///
/// Each feature is a 22-bit FNV-1a hash of a one-byte group tag and its text. Text features are
/// scaled by 1/√(their count), so a long email and a short text weigh alike; facts count 1.
struct IntentFeatures {
    /// Feature hashes are this many bits.
    static let bits: UInt32 = 22
    static let mask: UInt32 = (1 << bits) - 1

    /// The hashes, in the order found; a hash may repeat (its values add up).
    private(set) var hashes: [UInt32] = []
    /// The value of each hash in `hashes`.
    private(set) var values: [Float] = []
    /// Whether the reply holds an emoji or symbol (a lone 👍 says something).
    private(set) var hasSymbol = false

    /// Words that negate the three words after them ("will **not** pay", "**no** estamos").
    static let negators: [String] = [
        "not", "no", "never", "cannot", "dont", "wont", "cant", "nunca", "jamas", "jamais", "pas", "sin", "sans", "without", "nor", "ni",
    ]
    /// Words that "n't" splits off as "don t": the `t` negates.
    static let contracted: [String] = [
        "don", "won", "can", "didn", "doesn", "isn", "wasn", "aren", "haven", "hasn", "couldn", "wouldn", "shouldn", "ain", "weren",
    ]
    /// Words that put what follows in the future ("we **will** get it paid", "**vamos** a pagar").
    static let futureMarkers: [String] = ["will", "ll", "gonna", "shall", "going", "vamos", "voy", "va", "allons", "vais", "sera", "seran", "iremos"]
    /// Words naming the act of paying (any form) in English, Spanish and French.
    static let paymentWords: [String] = [
        "pay", "pays", "paid", "paying", "payment", "remit", "remits", "remitted", "remitting", "wire", "wired", "wiring", "transfer",
        "transferred", "deposit", "deposited", "settle", "settled", "released", "issued", "mailed", "cut", "sent",
        "pagar", "pago", "pagos", "pagamos", "pagaremos", "pagare", "pagado", "pagada", "pague", "paguen", "transferencia", "transferimos",
        "transferiremos", "deposito", "depositamos", "depositaremos", "liquidar", "liquidamos", "liquidaremos", "abono", "abonamos",
        "payer", "paye", "payee", "payes", "payons", "paierons", "payerons", "paierai", "payerai", "paiement", "virement", "vire", "verse",
        "versement", "regle", "reglement", "reglerons", "acquitte",
    ]
    /// Payment words that are themselves a past form ("paid", "remitted", "pagado", "réglé").
    static let pastPaymentForms: [String] = [
        "paid", "remitted", "wired", "transferred", "deposited", "settled", "released", "issued",
        "mailed", "sent", "pagado", "pagada", "transferimos", "depositamos", "liquidamos",
        "abonamos", "paye", "payee", "payes", "vire", "verse", "regle", "acquitte",
    ]
    /// Payment words that are themselves a future form ("pagaremos", "paierons").
    static let futurePaymentForms: [String] = [
        "pagaremos", "pagare", "transferiremos", "depositaremos", "liquidaremos", "paierons",
        "payerons", "paierai", "payerai", "reglerons",
    ]
    /// Words that put a payment in the past when they come shortly before it ("it **was** wired", "**ya** se pagó").
    static let pastMarkers: [String] = [
        "was", "were", "been", "has", "have", "had", "already", "did", "yesterday", "ya", "fue", "fueron",
        "ayer", "deja", "ete", "avons", "avez", "ont", "hier",
    ]
    /// Past verbs that set a payment named just before them ("the payment **went** out", "el pago **salió**").
    static let pastAfterPayment: [String] = ["went", "cleared", "posted", "left", "salio", "cayo", "parti", "passe"]
    /// Words that schedule what follows ("payment is **scheduled** for", "quedó **programado**", "**prévu** le").
    static let scheduleMarkers: [String] = ["scheduled", "schedule", "expect", "programado", "programada", "prevu", "prevue"]
    /// The roles a word can have, one bit each.
    enum Role {
        static let negator = 1, contracted = 2, future = 4, payment = 8, pastPayment = 16, futurePayment = 32, past = 64, schedule = 128
        static let pastAfterPayment = 256, currency = 512
    }
    /// Words that name a currency ("usd", "pesos").
    static let currencyWords = ["usd", "cad", "mxn", "eur", "gbp", "pesos", "dollars", "dolares", "euros"]
    /// Each word's roles (the lists above), found by one probe per word.
    static let roles: PhraseIndex = {
        var bits: [String: Int] = [:]
        for (words, role) in [
            (negators, Role.negator), (contracted, Role.contracted), (futureMarkers, Role.future), (paymentWords, Role.payment),
            (pastPaymentForms, Role.pastPayment), (futurePaymentForms, Role.futurePayment), (pastMarkers, Role.past),
            (scheduleMarkers, Role.schedule), (pastAfterPayment, Role.pastAfterPayment), (currencyWords, Role.currency),
        ] {
            for word in words { bits[word, default: 0] |= role }
        }
        return PhraseIndex(bits.sorted { $0.key < $1.key }.map { (phrase: $0.key, value: $0.value) })
    }()
    /// The fact hash of each word class (`Concepts.table` order).
    static let conceptFacts: [UInt32] = Concepts.table.map { factHash("k:" + $0.0) }

    /// The features of a reply: its normalised own words `t`, the same text as written, its channel
    /// and language, and the dates found in it (resolved against `reference`).
    init(_ t: NormalizedText, raw: String, channel: Channel, language: ReplyLanguage, dates: [DateExpressions.Found], reference: LocalDate) {
        hashes.reserveCapacity(t.bytes.count * 4)
        values.reserveCapacity(t.bytes.count * 4)
        // Digits read as 0: the shape of a number matters, not its value.
        let shaped = t.bytes.map { $0 >= 48 && $0 <= 57 ? UInt8(48) : $0 }
        var starts: [Int] = []
        var ends: [Int] = []
        for i in shaped.indices where shaped[i] != 32 {
            if i == 0 || shaped[i - 1] == 32 { starts.append(i) }
            if i == shaped.count - 1 || shaped[i + 1] == 32 { ends.append(i + 1) }
        }
        // When each payment word is set: after a negation, a future or schedule marker, a past marker, or by its own form.
        var tense: Set<String> = []
        var namesCurrency = false
        shaped.withUnsafeBufferPointer { b in
            func hash(_ tag: UInt8, _ from: Int, _ to: Int, _ state: UInt32? = nil) -> UInt32 {
                var h = state ?? IntentFeatures.fnv(2_166_136_261, tag)
                for k in from..<to { h = IntentFeatures.fnv(h, b[k]) }
                return h
            }
            var negate = 0, future = 0, past = 0, plainPayment = 0, previousRole = 0
            for (n, (s, e)) in zip(starts, ends).enumerated() {
                hashes.append(hash(119, s, e))  // w
                let firstHalf = n == 0 ? IntentFeatures.fnv(IntentFeatures.fnv(2_166_136_261, 98), 94) : hash(98, starts[n - 1], ends[n - 1])  // b, ^
                hashes.append(hash(0, s, e, IntentFeatures.fnv(firstHalf, 32)))
                if n == starts.count - 1 { hashes.append(IntentFeatures.fnv(IntentFeatures.fnv(hash(98, s, e), 32), 36)) }  // "last $"
                if negate > 0 {
                    hashes.append(hash(110, s, e))  // n
                    negate -= 1
                }
                if future > 0 {
                    hashes.append(hash(102, s, e))  // f
                    future -= 1
                }
                let role = IntentFeatures.roles.value(ofWord: t.wordHashes[n]) ?? 0
                if role & Role.payment != 0 {
                    if negate > 0 {
                        tense.insert("pay:neg")
                    } else if future > 0 || role & Role.futurePayment != 0 {
                        tense.insert("pay:future")
                    } else if past > 0 || role & Role.pastPayment != 0 {
                        tense.insert("pay:past")
                    } else {
                        plainPayment = 3  // "payment **went** out", "the check **will** go out": the words after may set it
                    }
                } else if plainPayment > 0 {
                    if role & (Role.past | Role.pastAfterPayment) != 0 {
                        tense.insert("pay:past")
                        plainPayment = 0
                    } else if role & (Role.future | Role.schedule) != 0 {
                        tense.insert("pay:future")
                        plainPayment = 0
                    } else {
                        plainPayment -= 1
                        if plainPayment == 0 { tense.insert("pay:plain") }
                    }
                }
                if past > 0 { past -= 1 }
                if role & Role.past != 0 { past = 3; future = 0 }
                if role & (Role.future | Role.schedule) != 0 { future = 4; past = 0 }
                if role & Role.negator != 0 || (e - s == 1 && b[s] == 116 && previousRole & Role.contracted != 0) { negate = 3 }
                previousRole = role
                if role & Role.currency != 0 { namesCurrency = true }
                // Character n-grams of " word " (the spaces mark its edges); long tokens are links or ids.
                let lo = s - 1, hi = min(e + 1, s + 24)
                for size in 3...4 where hi - lo >= size {
                    for from in lo...(hi - size) { hashes.append(hash(99, from, from + size)) }
                }
            }
            if plainPayment > 0 { tense.insert("pay:plain") }
        }
        let textCount = hashes.count
        let scale = textCount > 0 ? 1 / Float(textCount).squareRoot() : 0
        values = [Float](repeating: scale, count: textCount)
        fact("ch:" + channel.rawValue)
        fact("lang:" + language.rawValue)
        let count = starts.count
        fact(
            "len:"
                + (count == 0
                    ? "0" : count == 1 ? "1" : count == 2 ? "2" : count <= 4 ? "4" : count <= 8 ? "8" : count <= 16 ? "16" : count <= 40 ? "40" : "more"))
        if t.raw("?") { fact("q") }
        if raw.utf8.last(where: { $0 != 32 && $0 != 10 && $0 != 13 }) == 63 { fact("q:end") }
        if t.raw("!") { fact("excl") }
        var upper = 0, letters = 0, digits = 0, digitRun = 0, longestRun = 0
        for u in raw.utf8 {
            if u >= 65 && u <= 90 { upper += 1; letters += 1 } else if u >= 97 && u <= 122 { letters += 1 }
            if u >= 48 && u <= 57 {
                digits += 1
                digitRun += 1
                longestRun = max(longestRun, digitRun)
            } else if u != 45 && u != 32 && u != 46 && u != 40 && u != 41 {
                digitRun = 0
            }
        }
        if letters >= 4 && upper * 10 >= letters * 6 { fact("caps") }
        if digits > 0 { fact("digits") }
        if longestRun >= 7 { fact("phone") }
        for d in dates {
            guard let date = d.date else { fact("date:frame"); continue }
            fact(date < reference ? "date:past" : date == reference ? "date:today" : "date:future")
        }
        if t.raw("$") || t.raw("€") || namesCurrency { fact("money") }
        if t.raw("@") { fact("at") }
        if t.raw("http") || t.raw("www.") { fact("link") }
        for s in raw.unicodeScalars
        where s.value >= 0x2000 && !s.properties.isAlphabetic && s.value != 0x2019 && s.value != 0x2018 && s.value != 0x201C && s.value != 0x201D
            && s.value != 0x2013 && s.value != 0x2014 && s.value != 0xFE0F
        {
            fact("sym:" + String(s))
            hasSymbol = true
        }
        if count == 0 { fact("empty") }
        for concept in Concepts.present(in: t) {
            hashes.append(IntentFeatures.conceptFacts[concept])
            values.append(1)
        }
        for name in tense.sorted() { fact(name) }
        for i in hashes.indices { hashes[i] &= IntentFeatures.mask }
    }

    private mutating func fact(_ name: String) {
        hashes.append(IntentFeatures.factHash(name))
        values.append(1)
    }

    /// The hash of a fact's name (group `m`).
    static func factHash(_ name: String) -> UInt32 {
        var h = IntentFeatures.fnv(2_166_136_261, 109)  // m
        for u in name.utf8 { h = IntentFeatures.fnv(h, u) }
        return h
    }

    @inline(__always) static func fnv(_ h: UInt32, _ byte: UInt8) -> UInt32 { (h ^ UInt32(byte)) &* 16_777_619 }

    /// The features summed by hash, sorted by hash (what `overdue nlu features` prints).
    var aggregated: [(UInt32, Float)] {
        var sums: [UInt32: Float] = [:]
        for (h, v) in zip(hashes, values) { sums[h, default: 0] += v }
        return sums.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
