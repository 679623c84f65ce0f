import Foundation
import OverdueCore

/// Entity extraction: dates, amounts, currencies, document and invoice references, dispute
/// reasons, redirects and opt-out channels.
enum Entities {
    static func extract(into a: inout ReplyAnalysis, own t: NormalizedText, ownText: String, evidence: String, channel: Channel, reference ref: LocalDate) {
        let dates = DateExpressions.find(tokens: t.dateTokens, reference: ref)
        switch a.intent {
        case .promiseToPay, .paymentPlan:
            // "now" starts an instalment plan today.
            if a.intent == .paymentPlan, t.has("now") || t.has("ahora") { a.promiseDate = ref; a.promiseFrame = true; break }
            let future = dates.filter { $0.date == nil || $0.date! >= ref }
            if let first = future.first(where: { !dated(t.dateTokens, at: $0.token) }) {
                a.promiseFrame = true
                a.promiseDate = first.date
            }
        case .autoReply:
            a.returnDate = dates.compactMap(\.date).filter { $0 >= ref }.last
        default:
            break
        }
        let e = evidence == ownText ? t : NormalizedText(evidence)
        let (amount, currency) = money(evidence, e)
        if [.promiseToPay, .paid, .dispute, .paymentPlan, .question].contains(a.intent) {
            a.amount = amount
            a.currency = currency
        }
        a.invoiceRefs = references(evidence, excluding: amount)
        if a.intent == .dispute { a.disputeReason = disputeReason(t) }
        if a.intent == .documentRequest { a.document = document(t) }
        if [.wrongContact, .autoReply, .dispute].contains(a.intent) { a.redirect = redirect(ownText) }
        if a.intent == .optOut, a.optOutChannel == nil { a.optOutChannel = optOutChannel(t, channel: channel) }
    }

    /// Whether the date at `token` is a document date ("statement dated 1 March"), not a payment date.
    static func dated(_ tokens: [String], at token: Int) -> Bool {
        let before = tokens[max(0, token - 2)..<token]
        return before.contains { ["dated", "since", "from", "del"].contains($0) }
    }

    // MARK: Money

    static let currencyWords: [(String, String)] = [
        ("usd", "USD"), ("us dollars", "USD"), ("cad", "CAD"), ("canadian dollars", "CAD"), ("mxn", "MXN"), ("pesos", "MXN"), ("eur", "EUR"),
        ("euros", "EUR"), ("gbp", "GBP"), ("pounds sterling", "GBP"), ("dolares", "USD"),
    ]

    /// The amount the reply is about (the first written as money) and its currency when named.
    static func money(_ text: String, _ t: NormalizedText) -> (String?, String?) {
        let currency = currencyWords.first { t.has($0.0) }?.1
        let chars = Array(text)
        var i = 0
        var candidates: [(value: String, strong: Bool)] = []
        while i < chars.count {
            guard chars[i].isNumber else { i += 1; continue }
            let start = i
            var j = i
            while j < chars.count, chars[j].isNumber || ((chars[j] == "," || chars[j] == ".") && j + 1 < chars.count && chars[j + 1].isNumber) { j += 1 }
            let token = String(chars[start..<j])
            let prev = start > 0 ? chars[start - 1] : " "
            let prevWord = wordBefore(chars, start)
            let nextWord = wordAfter(chars, j)
            i = j
            // Part of an identifier, a date, a time or a phone number: not money.
            if prev.isLetter || prev == "-" || prev == "#" || prev == "/" { continue }
            if j < chars.count, chars[j].isLetter || chars[j] == "-" || chars[j] == "/" || chars[j] == ":" || chars[j] == "%" || chars[j] == "°" { continue }
            let strong = prev == "$" || ["usd", "cad", "mxn", "eur", "gbp"].contains(prevWord)
                || ["usd", "cad", "mxn", "eur", "gbp", "pesos", "dollars", "dolares"].contains(nextWord)
            let payContext = ["pay", "paying", "the", "full", "for", "do", "send", "of", "wire", "deposit"].contains(prevWord)
                && !["lbs", "pallets", "hours", "hrs", "min", "minutes", "days", "cases", "years"].contains(nextWord)
            guard strong || payContext, let v = decimal(token) else { continue }
            candidates.append((v, strong))
        }
        let pick = candidates.first(where: \.strong) ?? candidates.first
        return (pick?.value, currency)
    }

    static func wordBefore(_ chars: [Character], _ index: Int) -> String {
        var k = index - 1
        while k >= 0, chars[k] == " " || chars[k] == "$" { k -= 1 }
        var w = ""
        while k >= 0, chars[k].isLetter { w.insert(chars[k], at: w.startIndex); k -= 1 }
        return w.lowercased()
    }

    static func wordAfter(_ chars: [Character], _ index: Int) -> String {
        var k = index
        while k < chars.count, chars[k] == " " { k += 1 }
        var w = ""
        while k < chars.count, chars[k].isLetter { w.append(chars[k]); k += 1 }
        return w.lowercased().folding(options: .diacriticInsensitive, locale: nil)
    }

    /// "1,250.00" → "1250.00"; "1.250,00" (European) → "1250.00"; "4200" → "4200.00".
    static func decimal(_ token: String) -> String? {
        var s = token
        if let comma = s.lastIndex(of: ","), let dot = s.lastIndex(of: "."), comma > dot {
            s = s.replacingOccurrences(of: ".", with: "").replacingOccurrences(of: ",", with: ".")
        } else if s.contains(","), !s.contains("."), s.split(separator: ",").last?.count == 2 {
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

    static let notReferences: Set<String> = ["check", "cheque", "conf", "confirmation", "trace", "reference", "ref", "ticket", "payment",
                                             "number", "tax", "id", "ext", "extension", "phone", "cell", "call", "at", "claim", "appointment"]

    /// Invoice, load, PRO, BOL and PO identifiers as written: a type word set apart ("load 448812")
    /// is dropped, a joined prefix ("INV-6620") stays; payment references, phone numbers, dates,
    /// times and amounts are not identifiers.
    static func references(_ text: String, excluding amount: String?) -> [String] {
        var out: [String] = []
        let tokens = text.split(whereSeparator: { $0.isWhitespace || ",;()[]\"'!?:".contains($0) })
        for (i, raw) in tokens.enumerated() {
            var tok = Substring(raw)
            while let last = tok.last, last == "." || last == "-" { tok = tok.dropLast() }
            while let first = tok.first, first == "#" { tok = tok.dropFirst() }
            guard tok.count >= 4, tok.contains(where: \.isNumber) else { continue }
            guard tok.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else { continue }
            let digits = tok.filter(\.isNumber).count
            let letters = tok.filter(\.isLetter).count
            // 555-01xx phone numbers, years, bare short numbers.
            if tok.hasPrefix("555-") || (letters == 0 && digits == 4 && (tok.hasPrefix("19") || tok.hasPrefix("20")) && !hasTypeWord(tokens, i)) { continue }
            if letters == 0 && digits < 4 { continue }
            if letters > 0 && digits < 2 { continue }
            if letters > 0 && !tok.contains("-") && !tok.first!.isLetter { continue } // 10am, 2pm, 3rd
            if let prev = i > 0 ? tokens[i - 1].lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "#:.")) : nil, notReferences.contains(prev) { continue }
            if i > 1, ["check", "conf", "trace", "ticket", "payment", "reference"].contains(tokens[i - 2].lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "#:."))) { continue }
            if let amount, decimal(String(tok)) == amount { continue }
            if i > 0, tokens[i - 1].contains("$") { continue }
            if let next = i + 1 < tokens.count ? tokens[i + 1].lowercased() : nil, ["lbs", "pallets", "cases", "miles", "pesos", "usd", "cad"].contains(next) { continue }
            let s = String(tok)
            if !out.contains(s) { out.append(s) }
        }
        return out
    }

    static func hasTypeWord(_ tokens: [Substring], _ i: Int) -> Bool {
        guard i > 0 else { return false }
        return ["invoice", "inv", "load", "pro", "bol", "po", "factura", "invoices", "loads"].contains(tokens[i - 1].lowercased())
    }

    // MARK: Dispute reasons, documents, redirects, opt-out channels

    static func disputeReason(_ t: NormalizedText) -> String {
        if t.hasAny(["duplicate", "dup", "billed twice", "twice", "again as", "already billed"]) { return "duplicate" }
        if t.hasAny(["never delivered", "not delivered", "never made it", "never happen", "refused the delivery", "refuse the delivery", "never arrived"]) { return "not_delivered" }
        if t.hasAny(["damaged", "damage", "crushed", "short", "shortage", "missing", "pallets", "rejected by the receiver", "cargo claim"]) { return "damage_shortage" }
        if t.hasAny(["detention", "lumper", "layover", "tonu", "wait time", "maniobras", "accessorial", "accessorials", "fuel surcharge", "storage"]) { return "accessorial" }
        if t.hasAny(["rate", "rate con", "per mile", "mile", "weight", "agreed", "all in", "flat"]) { return "rate" }
        if t.hasAny(["amount", "add up", "digits", "total", "wrong amount", "overcharge", "overcharged"]) { return "amount_incorrect" }
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
        documents.compactMap { d -> (Int, String)? in
            guard let r = t.padded.range(of: " " + d.0 + " ") else { return nil }
            return (t.padded.distance(from: t.padded.startIndex, to: r.lowerBound), d.1)
        }.min { $0.0 < $1.0 }?.1
    }

    /// The first email address, else the first phone number, in the debtor's own words.
    static func redirect(_ text: String) -> String? {
        for raw in text.split(whereSeparator: { $0.isWhitespace || ",;()<>\"'".contains($0) }) {
            let tok = raw.trimmingCharacters(in: CharacterSet(charactersIn: ".:"))
            if tok.contains("@"), let e = EmailAddress.normalize(tok) { return e }
        }
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            if chars[i].isNumber || chars[i] == "(" || chars[i] == "+" {
                var j = i
                var digits = ""
                while j < chars.count, chars[j].isNumber || " -().+".contains(chars[j]) {
                    if chars[j].isNumber { digits.append(chars[j]) }
                    j += 1
                }
                if digits.count == 7 || digits.count == 10 || digits.count == 11 {
                    return String(chars[i..<j]).trimmingCharacters(in: CharacterSet(charactersIn: " -.("))
                }
                i = max(j, i + 1)
            } else {
                i += 1
            }
        }
        return nil
    }

    static func optOutChannel(_ t: NormalizedText, channel: Channel) -> String {
        let email = t.hasAny(["email", "emails", "emailing", "mailing list", "correos", "unsubscribe"])
        let sms = t.hasAny(["text", "texts", "texting", "sms", "mensajes"])
        let voice = t.hasAny(["call", "calls", "calling", "call list", "llamarme", "llamadas", "phone"])
        let all = t.hasAny(["all", "any", "cease all", "do not contact", "don t contact", "dont contact", "contact me again", "all further contact"])
        let named = [email, sms, voice].filter { $0 }.count
        // "stop calling, email only" names the channel to keep, not a second one to stop.
        if t.hasAny(["email only", "email is fine", "put it in writing", "send a letter"]) {
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
