/// Amounts of money as debtors write and say them — "$2,150", "$2150.00", "2.150,00", "12 480,00 $",
/// "2k", "$3.5k", "USD 1,200", "1 200 $ CAD", "5 mil", "twenty one fifty", "doce mil pesos",
/// "deux mille" — and the one the reply is about: the amount promised, paid (a remittance's total),
/// offered (a plan's instalment), asked about, or billed and disputed.
enum Amounts {
    /// One amount found in the tokens.
    struct Candidate: Equatable {
        /// The value in cents.
        var cents: Int
        /// The first and the after-last token.
        var start: Int
        var end: Int
        /// How surely it is money: 3 with a currency sign, code, name or "k"/"mil"; 2 with thousands
        /// separators or decimals, or said in words; 1 a bare number in a money phrase.
        var strength: Int
        /// The ISO code written next to it, if any.
        var currency: String?
        /// Whether it is a price per unit ("$1.95/mile"): never the reply's amount.
        var perUnit = false

        /// "1250.00".
        var decimal: String {
            let c = cents % 100
            return String(cents / 100) + "." + (c < 10 ? "0" : "") + String(c)
        }
    }

    /// Words that say what a number counts (so it is no amount): "11 pallets", "5 days", "3 cajas".
    static let unitWords: WordSet = [
        "pallets", "pallet", "cases", "case", "lbs", "lb", "miles", "mile", "hours", "hour", "hrs", "hr", "minutes", "min", "mins", "days", "day",
        "weeks", "week", "months", "month", "years", "year", "percent", "%", "loads", "load", "trucks", "truck", "boxes", "box", "cajas", "caja",
        "tarimas", "kg", "kilos", "km", "units", "pieces", "pcs", "skids", "cartons", "calls", "times", "invoices", "facturas", "factures",
        "payments", "pagos", "versements", "pmts", "pymts", "instalments", "installments", "dias", "jours", "semaines", "semanas", "mois",
        "meses", "am", "pm", "people", "x", "ft", "feet", "degrees", "fletes", "viajes", "palettes", "boites", "calls", "messages", "voicemails",
        "business", "rows", "lines", "items", "drops", "stops", "of", "th", "st", "nd", "rd", "h",
    ]
    /// Words right before a number that make it an identifier, not money.
    static let idWords: WordSet = [
        "#", "no", "number", "num", "invoice", "inv", "invoices", "factura", "facture", "folio", "load", "pro", "bol", "po", "ticket", "check",
        "chk", "cheque", "confirmation", "conf", "ref", "reference", "trace", "oc", "order", "orden", "account", "acct", "cuenta", "ext", "box",
        "suite", "route", "dock", "door", "store", "unit", "truck", "trailer", "advice", "payment", "carga", "viaje", "chargement", "loads",
        "facturas", "factures", "la", "le", "el", "numero", "bl", "claim", "case", "pedido", "commande", "id", "pmt", "transaction", "operacion",
        "autorizacion", "rastreo", "vendor", "fournisseur", "proveedor", "&", "and", "y", "et", "dup", "duplicate", "doublon", "pallets", "net",
        "p", "cp", "section", "terms", "version", "cfdi",
    ]
    /// Currency codes and names (folded), and the ISO code each names.
    static let currencyNames: WordTable<String> = [
        "usd": "USD", "cad": "CAD", "mxn": "MXN", "eur": "EUR", "gbp": "GBP", "pesos": "MXN", "peso": "MXN", "canadian": "CAD", "canadien": "CAD",
        "canadiens": "CAD", "canadienne": "CAD", "euros": "EUR", "mn": "MXN", "sterling": "GBP",
    ]
    /// Words after a number that make it money without naming a currency.
    static let moneyWords: WordSet = ["dollars", "dollar", "bucks", "dolares", "dls", "dlls", "piastres", "piasses", "bucks"]
    /// Words after a number that multiply it by a thousand.
    static let thousandWords: WordSet = ["mil", "mille", "thousand", "grand", "k"]
    /// Periods after "/" that make an instalment, not a rate.
    static let periodWords: WordSet = ["wk", "week", "mo", "month", "semaine", "semana", "mes", "mois", "quincena"]
    /// "per", "a", "an".
    static let perWords: WordSet = ["per", "a", "an"]
    /// Units of a rate ("$1.95 per mile").
    static let rateUnits: WordSet = ["mile", "mi", "hour", "hr", "gal", "gallon", "lb", "pallet", "km"]
    /// Words after a bare number that give an instalment's rhythm or time.
    static let planAfter: WordSet = ["now", "today", "hoy", "ahora", "ahorita", "every", "each", "per", "cada", "par", "/"]
    /// Periods after "a" in an instalment ("500 a week").
    static let planPeriods: WordSet = ["week", "month", "wk"]
    /// Words after a spoken number that multiply it by a thousand.
    static let spokenThousand: WordSet = ["k", "grand", "thousand", "mil", "mille"]
    /// Words between dollars and cents.
    static let centsAnd: WordSet = ["and", "y", "con", "et"]
    /// Cents in the three languages.
    static let centWords: WordSet = ["cents", "centavos", "cent", "sous"]
    /// Words before a spoken number that make it a time of day.
    static let timeBefore: WordSet = ["at", "till", "until", "by", "around", "after", "before", "about"]
    /// Nouns before a bare number that make it the amount.
    static let amountNouns: WordSet = ["total", "amount", "balance", "monto", "importe", "montant", "solde", "saldo"]
    /// Words before a bare four-digit number that make it money.
    static let amountNounsAndVerbs: WordSet = WordSet(
        words: Set(amountNouns.keys).union([
            "full", "the", "us", "billed", "charged", "owe", "says", "be", "was", "is", "do", "por", "not",
            "pas", "no", "for", "pay", "paid", "paying",
        ]))
    /// Words right before a bare number that make it money ("pay 650", "total 3,115.40", "of 1,100").
    static let amountCues: WordSet = [
        "pay", "paid", "paying", "total", "amount", "balance", "for", "do", "send", "sent", "wire", "deposit", "owe", "is",
        "was", "bills", "billed", "charged", "says", "of", "to", "saldo", "monto", "importe", "montant", "solde", "pagar",
        "payer", "net", "gross", "by", "not", "pas", "only", "at", "es", "de", "=", ":", "just", "about", "approx", "other", "like",
    ]

    /// Every amount in the tokens, in order; numbers inside the date expressions `dates` ("Oct 30",
    /// "viernes 17 de abril") are not amounts.
    static func find(_ lx: [DateExpressions.Lexeme], dates: [DateExpressions.Found] = []) -> [Candidate] {
        find(lx, tokens: lx.map(\.text), dates: dates)
    }

    /// `find(_:dates:)` with the lexemes' texts `t` already at hand.
    static func find(_ lx: [DateExpressions.Lexeme], tokens t: [String], dates: [DateExpressions.Found]) -> [Candidate] {
        var out: [Candidate] = []
        var inDate = [Bool](repeating: false, count: t.count)
        for d in dates { for k in d.token..<min(max(d.end, d.token), t.count) { inDate[k] = true } }
        var i = 0
        while i < t.count {
            if inDate[i] { i += 1; continue }
            let x = t[i]
            guard let f = x.utf8.first else { i += 1; continue }
            if f >= 48 && f <= 57 {
                if var c = numeric(lx, i) {
                    c.currency = currency(t, c.start, c.end)
                    if c.currency != nil { c.strength = 3 }
                    if c.strength > 0 || c.perUnit { out.append(c) }
                    i = max(c.end, i + 1)
                    continue
                }
            } else if let c = spoken(t, i) {
                var c = c
                c.currency = currency(t, c.start, c.end)
                out.append(c)
                i = c.end
                continue
            }
            i += 1
        }
        return out
    }

    /// The ISO code written within two tokens of an amount ("USD 1,200", "1 200 $ CAD", "doce mil pesos",
    /// "C$500", "two thousand … canadian").
    static func currency(_ t: [String], _ start: Int, _ end: Int) -> String? {
        func w(_ k: Int) -> String { k >= 0 && k < t.count ? t[k] : "" }
        for k in [end, end + 1, end + 2, start - 1, start - 2] {
            if let c = currencyNames[w(k)] {
                // "pesos" in "cuenta en pesos" far from a number is not this amount's currency.
                if k == end + 2 && !(w(end) == "$" || moneyWords.contains(w(end)) || w(end) == "de") { continue }
                return c
            }
        }
        if w(start - 1) == "$" && (w(start - 2) == "c" || w(start - 2) == "ca") { return "CAD" }
        if w(start - 1) == "$" && w(start - 2) == "mx" { return "MXN" }
        if moneyWords.contains(w(end)) && w(end + 1) == "canadiens" { return "CAD" }
        if w(end) == "dollars" && (w(end + 1) == "us" || w(end + 1) == "american") { return "USD" }
        if w(start - 2) == "canadian" || (w(start - 3) == "canadian" && w(start - 2) == "funds") { return "CAD" }
        return nil
    }

    /// A number written in digits at `i`: "2,150.00", "1.250,00", "12 480,00", "3.5k", "5 mil".
    static func numeric(_ lx: [DateExpressions.Lexeme], _ i: Int) -> Candidate? {
        func w(_ k: Int) -> String { k >= 0 && k < lx.count ? lx[k].text : "" }
        var text = lx[i].text
        var end = i + 1
        // Thousands set apart by spaces ("12 480,00 $", "1 500,00 $", "2 000 $").
        while text.utf8.count <= 3 || (text.utf8.count <= 7 && lx[end - 1].text.utf8.count == 3), end < lx.count, lx[end].gap,
            isGroup(lx[end].text)
        {
            let decimals = lx[end].text.utf8.count > 3
            let money =
                decimals || w(end + 1) == "$" || w(end + 1) == "€" || currencyNames[w(end + 1)] != nil || w(i - 1) == "$"
                || (end + 1 < lx.count && isGroup(lx[end + 1].text) && lx[end + 1].gap)
            guard money, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { break }
            text += lx[end].text
            end += 1
        }
        guard var value = parse(text) else { return nil }
        let prev = w(i - 1)
        var strength = 0
        // Identifiers, dates, phones, times, percentages and counts are not money.
        if text.utf8.contains(where: { $0 == 47 || $0 == 45 || $0 == 58 }) { return nil }
        if lx[i].gap == false && i > 0 && (prev == "-" || prev == "#" || (prev.utf8.first.map { $0 >= 97 && $0 <= 122 } ?? false)) { return nil }
        var money = prev == "$" || prev == "€" || prev == "£" || currencyNames[prev] != nil
        let next = w(end)
        if next == "$" || next == "€" || currencyNames[next] != nil || moneyWords.contains(next) { money = true }
        if text.hasSuffix("k") { money = true }
        if thousandWords.contains(next) && !text.hasSuffix("k") {
            value.cents *= 1000
            money = true
            end += 1
        }
        // A rate per unit ("$1.95/mile", "$75/hr", "42°F") is not an amount owed.
        let perUnit =
            (w(end) == "/" && !periodWords.contains(w(end + 1)))
            || w(end) == "°" || perWords.contains(next) && rateUnits.contains(w(end + 1))
        if perUnit { return Candidate(cents: value.cents, start: i, end: end, strength: 0, currency: nil, perUnit: true) }
        if !money {
            if unitWords.contains(next) || next == "%" || next == "-" && lx[end].gap == false { return nil }
            if idWords.contains(prev) || (prev == "de" && idWords.contains(w(i - 2))) { return nil }
            let digits = text.utf8.count
            if !value.separated {
                // A bare number is money only in a money phrase; a long one is an identifier, one of
                // 1990–2100 a year, one under 100 a count.
                if value.cents < 100 * 100 { return nil }
                if digits == 4, let y = Int(text), (1990...2040).contains(y) { return nil }
                // Said with an instalment's rhythm or time ("1000 now", "500 a week", "650 every 2 weeks").
                let plan =
                    planAfter.contains(next)
                    || (next == "a" && planPeriods.contains(w(end + 1)))
                if digits >= 5 && !amountNouns.contains(prev) { return nil }
                if digits == 4 && !(amountNounsAndVerbs.contains(prev) || plan) { return nil }
                if digits <= 3 && !(amountContext(lx, i) || plan) { return nil }
                // The same number written as an identifier elsewhere ("dup of 5519 … we paid 5519").
                if digits >= 4 && namedAsIdentifier(lx, text) { return nil }
                strength = 1
            } else {
                strength = 2
            }
        } else {
            strength = 3
        }
        guard value.cents > 0 else { return nil }
        return Candidate(cents: value.cents, start: i, end: end, strength: strength, currency: nil)
    }

    /// Whether `text` appears after an identifier word somewhere in the tokens ("inv 5521", "dup of 5519").
    static func namedAsIdentifier(_ lx: [DateExpressions.Lexeme], _ text: String) -> Bool {
        for k in 1..<max(1, lx.count) where lx[k].text == text {
            let p = lx[k - 1].text
            if idWords.contains(p) || p == "of" || p == "de" { return true }
        }
        return false
    }

    /// Whether the words before a bare number make it money ("pay 650", "total 3,115.40", "of 1,100").
    static func amountContext(_ lx: [DateExpressions.Lexeme], _ i: Int) -> Bool {
        let prev = i > 0 ? lx[i - 1].text : ""
        return amountCues.contains(prev) && !(prev == "de" && i > 1 && idWords.contains(lx[i - 2].text))
    }

    /// Whether a token is a group of three digits, maybe with decimals ("480", "480,00").
    static func isGroup(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count == 3 || (u.count == 6 && (u[3] == 44 || u[3] == 46)) else { return false }
        return u.enumerated().allSatisfy { $0.offset == 3 || ($0.element >= 48 && $0.element <= 57) }
    }

    /// A number with `,` or `.` as thousands or decimal separator ("1,250.00", "1.250,00", "2.150",
    /// "3.5k"), in cents, and whether it had separators or decimals.
    static func parse(_ s: String) -> (cents: Int, separated: Bool)? {
        var u = Array(s.utf8)
        var multiplier = 1
        if u.last == 107 { multiplier = 1000; u.removeLast() }  // "k"
        guard !u.isEmpty, u.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 44 || $0 == 46 }), u.first! >= 48 && u.first! <= 57 else { return nil }
        let lastSep = u.lastIndex { $0 == 44 || $0 == 46 }
        var decimalAt: Int?
        if let l = lastSep {
            let after = u.count - l - 1
            let kind = u[l]
            let sameKind = u.filter { $0 == kind }.count
            let otherKind = u.contains { ($0 == 44 || $0 == 46) && $0 != kind }
            if otherKind { decimalAt = l } else if sameKind == 1 && (after <= 2 || multiplier > 1) { decimalAt = l } else if after != 3 { return nil }
        }
        var whole = 0
        var frac = 0
        var fracDigits = 0
        for (k, b) in u.enumerated() {
            guard b >= 48 && b <= 57 else { continue }
            if let d = decimalAt, k > d {
                if fracDigits < 3 { frac = frac * 10 + Int(b - 48); fracDigits += 1 }
            } else {
                whole = whole * 10 + Int(b - 48)
                if whole > 1_000_000_000 { return nil }
            }
        }
        var scale = 1
        for _ in 0..<fracDigits { scale *= 10 }
        let cents = (whole * 100 + frac * 100 / scale) * multiplier
        return (cents, lastSep != nil)
    }

    /// An amount said in words at `i` ("twenty one fifty", "doce mil pesos", "one point five k",
    /// "nineteen thousand two hundred six dollars and forty cents"), when it is money: a hundred or
    /// more, or said with a money word, and not what counts something else.
    static func spoken(_ t: [String], _ i: Int) -> Candidate? {
        func w(_ k: Int) -> String { k >= 0 && k < t.count ? t[k] : "" }
        guard let r = SpokenNumbers.read(t, at: i) else { return nil }
        // A number inside a longer spoken run ("nine nine pallets") is read from its first word only.
        if i > 0, SpokenNumbers.words[w(i - 1)] != nil { return nil }
        var cents = r.value * 100
        var end = r.end
        var money = false
        if w(end) == "point", let d = SpokenNumbers.words[w(end + 1)], case .unit(let v) = d {
            cents += v * 10
            end += 2
        }
        if spokenThousand.contains(w(end)) && end > r.end {
            cents *= 1000
            end += 1
            money = true
        }
        if currencyNames[w(end)] != nil { money = true }
        if moneyWords.contains(w(end)) {
            money = true
            end += 1
            if centsAnd.contains(w(end)), let c = SpokenNumbers.read(t, at: end + 1), c.value < 100,
                centWords.contains(w(c.end))
            {
                cents += c.value
                end = c.end + 1
            }
        }
        if r.pairs && (2000...2039).contains(r.value) && w(i) == "twenty" { return nil }  // a year
        // "till ten thirty", "at two fifteen": a time of day.
        if r.pairs && r.value / 100 <= 12 && r.value % 100 < 60 && timeBefore.contains(w(i - 1)) {
            return nil
        }
        if unitWords.contains(w(r.end)) { return nil }
        if r.value < 100 && !money { return nil }
        if r.words == 1 && !money && r.value < 1000 { return nil }
        guard cents > 0 else { return nil }
        return Candidate(cents: cents, start: i, end: end, strength: money ? 3 : 2, currency: nil)
    }
}
