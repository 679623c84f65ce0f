import Foundation
import OverdueCore

/// Entity extraction: dates, amounts, currencies, document and invoice references, dispute
/// reasons, redirects and opt-out channels.
enum Entities {
    /// Fills the entities of `a` (whose intent is decided): dates from the debtor's own words `t`
    /// (`dates` as `DateExpressions.find` read them), amounts and references from `evidence` (the
    /// debtor's words and anything forwarded).
    static func extract(
        into a: inout ReplyAnalysis, own t: NormalizedText, ownText: String, evidence: String, channel: Channel,
        reference ref: LocalDate, dates: [DateExpressions.Found]
    ) {
        let tokens = t.dateTokens
        switch a.intent {
        case .promiseToPay, .paymentPlan:
            let pick = PromiseDate.choose(dates, tokens: tokens, intent: a.intent, reference: ref)
            a.promiseFrame = pick.frame
            a.promiseDate = pick.date
        case .autoReply:
            a.returnDate = PromiseDate.returnDate(dates, tokens: tokens, reference: ref)
        case .callbackRequest:
            a.callbackDate = dates.compactMap(\.date).first { $0 >= ref }
            a.callbackMinute = timeOfDay(ownText)
        default:
            break
        }
        // The own words are already lexed and their dates read; forwarded evidence is read for its own.
        let own = evidence == ownText
        let lexemes = own ? t.lexemes : DateExpressions.lex(evidence.unicodeScalars)
        let words = own ? tokens : lexemes.map(\.text)
        let evidenceDates = own ? dates : DateExpressions.find(tokens: words, reference: ref)
        let amounts = Amounts.find(lexemes, tokens: words, dates: evidenceDates)
        if amountIntents.contains(a.intent), let pick = AmountChoice.choose(amounts, tokens: words, intent: a.intent) {
            a.amount = pick.decimal
            a.currency = pick.currency ?? amounts.lazy.compactMap(\.currency).first
        }
        a.invoiceRefs = references(evidence, excluding: a.amount)
        if a.intent == .dispute { a.disputeReason = disputeReason(t) }
        if a.intent == .documentRequest { a.document = document(t) }
        if redirectIntents.contains(a.intent) { a.redirect = redirect(ownText) }
        if a.intent == .optOut, a.optOutChannel == nil { a.optOutChannel = optOutChannel(t, channel: channel) }
    }

    /// Intents whose reply is about an amount.
    static let amountIntents: Set<Intent> = [.promiseToPay, .paid, .dispute, .paymentPlan, .question, .documentRequest]
    /// Intents whose reply may name the right contact.
    static let redirectIntents: Set<Intent> = [.wrongContact, .autoReply, .dispute]

    /// A time of day named for a call ("at 2pm", "14:30", "after 3", "tomorrow morning"), in minutes
    /// after midnight. A bare hour from 1 to 7 is an afternoon hour: nobody books a call for 3 a.m.
    static func timeOfDay(_ text: String) -> Int? {
        let b = Array(text.lowercased().utf8)
        func digit(_ k: Int) -> Bool { k < b.count && b[k] >= 48 && b[k] <= 57 }
        var i = 0
        while i < b.count {
            guard digit(i), i == 0 || !(digit(i - 1) || b[i - 1] == UInt8(ascii: "/") || b[i - 1] == UInt8(ascii: "-") || b[i - 1] == UInt8(ascii: "#")) else {
                i += 1; continue
            }
            var j = i
            var hour = 0
            while digit(j) && j - i < 3 { hour = hour * 10 + Int(b[j] - 48); j += 1 }
            if digit(j) || j - i > 2 { while digit(j) { j += 1 }; i = j; continue }
            var minute = 0
            var explicit = false
            if j + 2 < b.count && (b[j] == UInt8(ascii: ":") || b[j] == UInt8(ascii: "h")) && digit(j + 1) && digit(j + 2) {
                minute = Int(b[j + 1] - 48) * 10 + Int(b[j + 2] - 48)
                j += 3
                explicit = true
            }
            var k = j
            while k < b.count && b[k] == 32 { k += 1 }
            let rest = k < b.count ? String(decoding: b[k..<min(b.count, k + 4)], as: UTF8.self) : ""
            let before = wordBefore(b, i)
            if rest.hasPrefix("pm") || rest.hasPrefix("p.m") {
                if hour < 12 { hour += 12 }
                explicit = true
            } else if rest.hasPrefix("am") || rest.hasPrefix("a.m") {
                if hour == 12 { hour = 0 }
                explicit = true
            } else if b.count > j, b[j] == UInt8(ascii: "h") {
                explicit = true
            } else if hourBefore.contains(before) {
                if hour >= 1 && hour <= 7 { hour += 12 }
                explicit = true
            }
            if explicit && hour < 24 && minute < 60 { return hour * 60 + minute }
            i = j
        }
        let t = NormalizedText(text)
        for (word, minute) in partsOfDay where t.has(word) {
            return minute
        }
        return nil
    }

    /// Parts of the day and the minute after midnight each stands for.
    static let partsOfDay: [(NormalizedText.Needle, Int)] = [
        ("morning", 600), ("por la manana", 600), ("matin", 600), ("noon", 720), ("lunch", 720), ("midi", 720),
        ("afternoon", 840), ("tarde", 900), ("apres midi", 840), ("end of day", 960), ("evening", 960),
    ].map { (NormalizedText.Needle($0.0), $0.1) }

    // MARK: Money

    static func wordBefore(_ b: [UInt8], _ index: Int) -> String {
        var k = index - 1
        while k >= 0, b[k] == 32 || b[k] == 36 { k -= 1 }
        let end = k + 1
        while k >= 0, (b[k] | 0x20) >= 97 && (b[k] | 0x20) <= 122 { k -= 1 }
        return String(decoding: b[(k + 1)..<end], as: UTF8.self).asciiLowercased
    }

    static func wordAfter(_ b: [UInt8], _ index: Int) -> String {
        var k = index
        while k < b.count, b[k] == 32 { k += 1 }
        let start = k
        while k < b.count, (b[k] | 0x20) >= 97 && (b[k] | 0x20) <= 122 || b[k] >= 128 { k += 1 }
        return String(String.UnicodeScalarView(String(decoding: b[start..<k], as: UTF8.self).unicodeScalars.map(NormalizedText.fold)))
    }

    /// "1,250.00" → "1250.00"; "1.250,00" (European) → "1250.00"; "4200" → "4200.00".
    static func decimal(_ token: String) -> String? {
        var s = token
        if let comma = s.lastIndex(of: ","), let dot = s.lastIndex(of: "."), comma > dot {
            s = s.replacingOccurrences(of: ".", with: "").replacingOccurrences(of: ",", with: ".")
        } else if s.utf8.contains(44), !s.utf8.contains(46), s.split(separator: ",").last?.count == 2 {
            s = s.replacingOccurrences(of: ",", with: ".")
        } else {
            s = s.replacingOccurrences(of: ",", with: "")
        }
        guard let v = Decimal(string: s), v > 0 else { return nil }
        let parts = s.split(separator: ".")
        let whole = String(parts[0])
        let frac = parts.count > 1 ? String(parts[1].prefix(2)).padding(toLength: 2, withPad: "0", startingAt: 0) : "00"
        return (Int(whole).map(String.init) ?? whole) + "." + frac
    }

    // MARK: References

    static let notReferences: WordSet = [
        "check", "cheque", "conf", "confirmation", "trace", "reference", "ref", "ticket", "payment",
        "number", "tax", "id", "ext", "extension", "phone", "cell", "call", "at", "claim", "appointment",
    ]
    /// Words before a bare hour that make it a time of day.
    static let hourBefore: WordSet = ["at", "after", "around", "by", "las", "a", "vers", "apres"]
    /// Words two tokens before a number that make it a payment reference.
    static let notReferencesTwoBefore: WordSet = ["check", "conf", "trace", "ticket", "payment", "reference"]
    /// Words after a number that make it a quantity or money.
    static let notReferencesAfter: WordSet = ["lbs", "pallets", "cases", "miles", "pesos", "usd", "cad"]
    /// Words that name an identifier's type.
    static let typeWords: WordSet = ["invoice", "inv", "load", "pro", "bol", "po", "factura", "invoices", "loads"]

    /// Bytes that separate tokens in `references(_:excluding:)`.
    static let referenceSeparators: [Bool] = {
        var t = [Bool](repeating: false, count: 256)
        for c in " \t\r\n,;()[]\"'!?:".utf8 { t[Int(c)] = true }
        return t
    }()

    /// Invoice, load, PRO, BOL and PO identifiers as written: a type word set apart ("load 448812")
    /// is dropped, a joined prefix ("INV-6620") stays; payment references, phone numbers, dates,
    /// times and amounts are not identifiers.
    static func references(_ text: String, excluding amount: String?) -> [String] {
        var out: [String] = []
        let b = Array(text.utf8)
        // Token ranges in `b`; strings are made only for the few tokens that could be identifiers.
        var tokens: [Range<Int>] = []
        var start = -1
        for k in 0..<b.count {
            if referenceSeparators[Int(b[k])] {
                if start >= 0 { tokens.append(start..<k); start = -1 }
            } else if start < 0 {
                start = k
            }
        }
        if start >= 0 { tokens.append(start..<b.count) }
        func token(_ k: Int) -> String { String(decoding: b[tokens[k]], as: UTF8.self) }
        func plain(_ k: Int) -> String { k >= 0 && k < tokens.count ? String(token(k).asciiLowercased.trimming(ascii: "#:.")) : "" }
        for i in tokens.indices {
            // The token without leading and trailing "." and "-", then "#".
            var lo = tokens[i].lowerBound, hi = tokens[i].upperBound
            while lo < hi, b[lo] == 46 || b[lo] == 45 { lo += 1 }
            while hi > lo, b[hi - 1] == 46 || b[hi - 1] == 45 { hi -= 1 }
            while lo < hi, b[lo] == 35 { lo += 1 }
            while hi > lo, b[hi - 1] == 35 { hi -= 1 }
            guard hi - lo >= 4 else { continue }
            var digits = 0, letters = 0, other = false, dash = false
            for k in lo..<hi {
                let c = b[k]
                if c >= 48 && c <= 57 {
                    digits += 1
                } else if (c | 0x20) >= 97 && (c | 0x20) <= 122 {
                    letters += 1
                } else if c == 45 {
                    dash = true
                } else {
                    other = true
                }
            }
            guard digits > 0, !other else { continue }
            let tok = String(decoding: b[lo..<hi], as: UTF8.self)
            // 555-01xx phone numbers, years, bare short numbers, times and ordinals.
            if tok.hasPrefix("555-")
                || (letters == 0 && digits == 4 && (tok.hasPrefix("19") || tok.hasPrefix("20")) && !hasTypeWord(i > 0 ? token(i - 1) : nil))
            {
                continue
            }
            if letters == 0 && digits < 4 { continue }
            if letters > 0 && digits < 2 { continue }
            if letters > 0 && !dash && !((b[lo] | 0x20) >= 97 && (b[lo] | 0x20) <= 122) { continue }
            if notReferences.contains(plain(i - 1)) { continue }
            if notReferencesTwoBefore.contains(plain(i - 2)) { continue }
            if let amount, decimal(tok) == amount { continue }
            if i > 0, b[tokens[i - 1]].contains(36) { continue }
            if notReferencesAfter.contains(plain(i + 1)) { continue }
            if !out.contains(tok) { out.append(tok) }
        }
        return out
    }

    /// Whether the token before a number names an identifier's type ("invoice 2041").
    static func hasTypeWord(_ before: String?) -> Bool {
        guard let before else { return false }
        return typeWords.contains(before.asciiLowercased)
    }

    // MARK: Dispute reasons, documents, redirects, opt-out channels

    /// Cues of a duplicate bill.
    static let duplicateCues: [NormalizedText.Needle] = ["duplicate", "dup", "billed twice", "twice", "again as", "already billed"].map(
        NormalizedText.Needle.init)
    /// Cues of a delivery that never happened.
    static let notDeliveredCues: [NormalizedText.Needle] = [
        "never delivered", "not delivered", "never made it", "never happen", "refused the delivery", "refuse the delivery", "never arrived",
    ].map(NormalizedText.Needle.init)
    /// Cues of damage or shortage.
    static let damageCues: [NormalizedText.Needle] = [
        "damaged", "damage", "crushed", "short", "shortage", "missing", "pallets", "rejected by the receiver", "cargo claim",
    ].map(NormalizedText.Needle.init)
    /// Cues of accessorial charges.
    static let accessorialCues: [NormalizedText.Needle] = [
        "detention", "lumper", "layover", "tonu", "wait time", "maniobras", "accessorial", "accessorials", "fuel surcharge", "storage",
    ].map(NormalizedText.Needle.init)
    /// Cues of a rate dispute.
    static let rateCues: [NormalizedText.Needle] = ["rate", "rate con", "per mile", "mile", "weight", "agreed", "all in", "flat"].map(
        NormalizedText.Needle.init)
    /// Cues of a wrong amount.
    static let wrongAmountCues: [NormalizedText.Needle] = ["amount", "add up", "digits", "total", "wrong amount", "overcharge", "overcharged"].map(
        NormalizedText.Needle.init)
    /// Cues of email.
    static let emailCues: [NormalizedText.Needle] = ["email", "emails", "emailing", "mailing list", "correos", "unsubscribe"].map(NormalizedText.Needle.init)
    /// Cues of text messages.
    static let smsCues: [NormalizedText.Needle] = ["text", "texts", "texting", "sms", "mensajes"].map(NormalizedText.Needle.init)
    /// Cues of calls.
    static let voiceCues: [NormalizedText.Needle] = ["call", "calls", "calling", "call list", "llamarme", "llamadas", "phone"].map(NormalizedText.Needle.init)
    /// Cues of every channel.
    static let allCues: [NormalizedText.Needle] = [
        "all", "any", "cease all", "do not contact", "don t contact", "dont contact", "contact me again", "all further contact",
    ].map(NormalizedText.Needle.init)
    /// Cues that email is the channel to keep.
    static let keepEmailCues: [NormalizedText.Needle] = ["email only", "email is fine", "put it in writing", "send a letter"].map(NormalizedText.Needle.init)

    /// Whether any of the prepared phrases occurs in `t`.
    static func hasAny(_ t: NormalizedText, _ needles: [NormalizedText.Needle]) -> Bool { needles.contains { t.has($0) } }

    /// Why the debtor disputes: the first kind of reason whose cues the text has.
    static func disputeReason(_ t: NormalizedText) -> String {
        if hasAny(t, duplicateCues) { return "duplicate" }
        if hasAny(t, notDeliveredCues) { return "not_delivered" }
        if hasAny(t, damageCues) { return "damage_shortage" }
        if hasAny(t, accessorialCues) { return "accessorial" }
        if hasAny(t, rateCues) { return "rate" }
        if hasAny(t, wrongAmountCues) { return "amount_incorrect" }
        return "other"
    }

    static let documents: [(String, String)] = [
        ("pod", "pod"), ("p o d", "pod"), ("proof of delivery", "pod"), ("delivery note", "pod"), ("delivery receipt", "pod"), ("prueba de entrega", "pod"),
        ("bol", "bol"), ("bill of lading", "bol"), ("rate con", "rate_confirmation"), ("rate confirmation", "rate_confirmation"),
        ("ratecon", "rate_confirmation"), ("w9", "w9"), ("w 9", "w9"), ("statement", "statement"), ("estado de cuenta", "statement"),
        ("invoice", "invoice"), ("factura", "invoice"), ("cfdi", "invoice"),
    ]

    /// The document asked for: the first one named.
    static func document(_ t: NormalizedText) -> String? {
        documentNeedles.compactMap { d -> (Int, String)? in NormalizedText.offset(of: d.0.bytes, in: t.bytes).map { ($0, d.1) } }.min { $0.0 < $1.0 }?.1
    }

    /// `documents` with their phrases prepared.
    static let documentNeedles: [(NormalizedText.Needle, String)] = documents.map { (NormalizedText.Needle($0.0), $0.1) }

    /// Bytes that separate tokens in `redirect(_:)`.
    static let redirectSeparators: [Bool] = {
        var t = [Bool](repeating: false, count: 256)
        for c in " \t\r\n,;()<>\"'".utf8 { t[Int(c)] = true }
        return t
    }()

    /// The first email address, else the first phone number, in the debtor's own words.
    static func redirect(_ text: String) -> String? {
        // Only a text with an "@" can hold an address.
        if text.utf8.contains(64) {
            for raw in text.utf8.split(whereSeparator: { redirectSeparators[Int($0)] }) where raw.contains(64) {
                let tok = String(decoding: raw, as: UTF8.self).trimming(ascii: ".:")
                if let e = EmailAddress.normalize(String(tok)) { return e }
            }
        }
        let b = Array(text.utf8)
        func digit(_ k: Int) -> Bool { b[k] >= 48 && b[k] <= 57 }
        var i = 0
        while i < b.count {
            if digit(i) || b[i] == 40 || b[i] == 43 {
                var j = i
                var digits = 0
                while j < b.count, digit(j) || b[j] == 32 || b[j] == 45 || b[j] == 40 || b[j] == 41 || b[j] == 46 || b[j] == 43 {
                    if digit(j) { digits += 1 }
                    j += 1
                }
                if digits == 7 || digits == 10 || digits == 11 {
                    return String(String(decoding: b[i..<j], as: UTF8.self).trimming(ascii: " -.("))
                }
                i = max(j, i + 1)
            } else {
                i += 1
            }
        }
        return nil
    }

    static func optOutChannel(_ t: NormalizedText, channel: Channel) -> String {
        let email = hasAny(t, emailCues)
        let sms = hasAny(t, smsCues)
        let voice = hasAny(t, voiceCues)
        let all = hasAny(t, allCues)
        let named = [email, sms, voice].filter { $0 }.count
        // "stop calling, email only" names the channel to keep, not a second one to stop.
        if hasAny(t, keepEmailCues) {
            if voice { return "voice" }
            if sms { return "sms" }
            if t.has("emailing") { return "email" }
        }
        if all && named == 0 { return "all" }
        if named > 1 { return "all" }
        if email { return "email" }
        if sms { return "sms" }
        if voice { return "voice" }
        return channel.rawValue
    }
}
