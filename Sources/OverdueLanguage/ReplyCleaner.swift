/// OverdueLanguage — understanding debtors' replies: clean the text, classify the intent, extract
/// the entities. Pure, offline, deterministic: no model download, no network.
import Foundation

/// Splits a reply into the debtor's own new text and what they quoted or forwarded.
public enum ReplyCleaner {
    /// A cleaned reply.
    public struct Parts: Hashable, Sendable {
        /// The debtor's own words, without quoted history, signature or disclaimer.
        public var own: String
        /// Text the debtor forwarded or quoted that is not our reminder (e.g. a remittance notice):
        /// entities may come from it, the intent does not.
        public var evidence: String
    }

    /// Separates `text` into the debtor's own words and forwarded evidence.
    public static func split(_ text: String) -> Parts {
        let lines = text.utf8.split(separator: 10, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self).trimmingCR }
        var own: [String] = []
        var quoted: [String] = []
        var inQuote = false
        for (i, raw) in lines.enumerated() {
            let trimmed = raw.trimmingBlanks
            // Most lines are the debtor's own: a `String` of the line is made only for quote markers and headers.
            if inQuote {
                let line = String(trimmed)
                quoted.append(line.hasPrefix(">") ? String(line.drop(while: { $0 == ">" || $0 == " " })) : line)
                continue
            }
            if trimmed.utf8.first == 62 {
                let line = String(trimmed)
                if line.hasPrefix(">") { quoted.append(String(line.drop(while: { $0 == ">" || $0 == " " }))); continue }
            }
            if headerStarts.contains(where: { startsIgnoringASCIICase(trimmed, $0) }) {
                let line = String(trimmed)
                if isQuoteHeader(line, next: i + 1 < lines.count ? lines[i + 1] : "") { inQuote = true; quoted.append(line); continue }
            }
            own.append(raw)
        }
        let ownText = String(stripSignature(own).joined(separator: "\n").trimming())
        let quotedText = quoted.joined(separator: "\n")
        // Our own reminder quoted back carries our invoice numbers and amounts, not the debtor's.
        guard !quoted.isEmpty else { return Parts(own: ownText, evidence: "") }
        return Parts(own: ownText, evidence: isReminder(quoted) ? "" : quotedText)
    }

    /// Words of a creditor asking for payment, in English, Spanish and French (normalised).
    static let reminderCues: [NormalizedText.Needle] = [
        "reminder", "past due", "overdue", "days late", "please remit", "payment status", "outstanding", "open balance", "balance due",
        "amount due", "now due", "recordatorio", "recordamos", "vencida", "vencidas", "vencido", "vencidos", "vencio", "saldo pendiente",
        "aviso de cobro", "rappel", "rappelons", "en souffrance", "echue", "echues", "impaye", "impayee", "impayees",
    ].map(NormalizedText.Needle.init)
    /// Words of a payment or remittance advice: the debtor's evidence of paying, not our reminder.
    static let remittanceCues: [NormalizedText.Needle] = [
        "remittance", "payment advice", "payment issued", "payment has been issued", "total paid", "amount paid", "net paid",
        "aviso de pago", "comprobante de pago", "complemento de pago", "avis de paiement", "avis de virement",
    ].map(NormalizedText.Needle.init)
    /// Mailboxes of a creditor's receivables or collections team ("ar@…", "cobranza@…").
    static let collectionsMailboxes: Set<String> = [
        "ar", "a.r", "accountsreceivable", "accounts.receivable", "accounts-receivable", "receivables", "collections", "collection",
        "cobranza", "cobranzas", "cobros", "recouvrement", "credit.collections", "creditandcollections",
    ]

    /// Whether quoted `lines` (the header first, when there is one) are a creditor's reminder
    /// quoted back: sent from a receivables or collections mailbox, or asking for payment in a
    /// reminder's words without being a payment or remittance advice. Its amounts and invoice
    /// numbers are ours, not the debtor's evidence.
    static func isReminder(_ lines: [String]) -> Bool {
        if let sender = senderMailbox(lines), collectionsMailboxes.contains(sender) { return true }
        let q = NormalizedText(lines.joined(separator: "\n"))
        guard reminderCues.contains(where: { q.has($0) }) else { return false }
        return !remittanceCues.contains(where: { q.has($0) })
    }

    /// The mailbox (lower-cased part before "@") of who sent the quoted message: the address in an
    /// "On … wrote:" header, else in the first "From:"/"De:" line.
    static func senderMailbox(_ lines: [String]) -> String? {
        for line in lines.prefix(6) {
            let l = line.lowercased()
            let header = l.hasSuffix("wrote:") || l.hasSuffix("escribió:") || l.hasSuffix("a écrit :") || l.hasSuffix("a écrit:")
            guard header || l.hasPrefix("from:") || l.hasPrefix("de:") || l.hasPrefix("de :") else { continue }
            guard let at = l.firstIndex(of: "@") else { return nil }
            var start = at
            while start > l.startIndex {
                let p = l.index(before: start)
                let c = l[p]
                guard c.isLetter || c.isNumber || c == "." || c == "-" || c == "_" else { break }
                start = p
            }
            return String(l[start..<at])
        }
        return nil
    }

    /// `On Mon, Mar 9, 2026 at 9:02 AM X <x@y> wrote:`, `-----Original Message-----`, an Outlook
    /// `From:` block, and their Spanish and French forms.
    static func isQuoteHeader(_ line: String, next: String) -> Bool {
        // Every header starts with one of these: skip the rest without work.
        guard headerStarts.contains(where: { startsIgnoringASCIICase(line, $0) }) else { return false }
        let l = line.lowercased()
        if l.hasPrefix("-----original message") || l.hasPrefix("-----mensaje original") || l.hasPrefix("-----message d'origine") { return true }
        if l.hasPrefix("---------- forwarded message") || l.hasPrefix("begin forwarded message") { return true }
        if (l.hasPrefix("on ") || l.hasPrefix("el ") || l.hasPrefix("le "))
            && (l.hasSuffix("wrote:") || l.hasSuffix("escribió:") || l.hasSuffix("a écrit :") || l.hasSuffix("a écrit:"))
        {
            return true
        }
        if l.hasPrefix("from:") && next.trimming(ascii: " \t").asciiLowercased.hasPrefix("sent:") { return true }
        // Outlook's Spanish and French headers: "De: … / Enviado: …", "De : … / Envoyé : …".
        if l.hasPrefix("de:") || l.hasPrefix("de :") {
            let n = next.trimming(ascii: " \t").lowercased()
            if n.hasPrefix("enviado:") || n.hasPrefix("enviado el:") || n.hasPrefix("envoyé :") || n.hasPrefix("envoyé:") { return true }
        }
        return false
    }

    /// How every quote header starts, lower-cased ASCII: lines that start otherwise are skipped without work.
    static let headerStarts: [[UInt8]] = ["-----", "begin ", "on ", "el ", "le ", "from:", "de:", "de :"].map { Array($0.utf8) }

    /// Whether `text` starts with `prefix` (lower-case ASCII bytes), ignoring ASCII case.
    @inline(__always)
    static func startsIgnoringASCIICase<S: StringProtocol>(_ text: S, _ prefix: [UInt8]) -> Bool {
        var it = text.utf8.makeIterator()
        for p in prefix {
            guard let c = it.next() else { return false }
            if c != p && !(c >= 65 && c <= 90 && c + 32 == p) { return false }
        }
        return true
    }

    /// Starts of a "Sent from my …" line.
    static let sentFromStarts: [[UInt8]] = ["sent from my", "enviado desde mi", "get outlook for"].map { Array($0.utf8) }
    /// Starts of a legal disclaimer.
    static let disclaimerStarts: [[UInt8]] = ["confidentiality notice", "this email and any attachments", "this message is intended", "disclaimer:"].map {
        Array($0.utf8)
    }

    /// Closing words that start a sign-off.
    static let closings: Set<String> = [
        "regards", "kind regards", "best regards", "best", "thanks", "thank you", "many thanks", "cheers", "sincerely",
        "yours faithfully", "yours sincerely", "saludos", "saludos cordiales", "atentamente", "cordialement", "thx", "br",
    ]

    /// The length of the longest closing, in bytes.
    static let longestClosing = closings.map(\.utf8.count).max()!

    /// Drops a trailing signature: from a `--` line, a "Sent from my …" line, or a closing word
    /// ("Regards,") in the last lines, and any legal disclaimer paragraph.
    static func stripSignature(_ lines: [String]) -> [String] {
        var out = lines
        if let cut = out.firstIndex(where: {
            let t = $0.trimmingBlanks; return t == "--" || t == "__"
        }) {
            out = Array(out[..<cut])
        }
        if let cut = out.firstIndex(where: { line in
            let trimmed = line.trimmingBlanks
            // The byte test is a cheap necessary condition; the check that decides follows it.
            guard sentFromStarts.contains(where: { startsIgnoringASCIICase(trimmed, $0) }) else { return false }
            let t = trimmed.asciiLowercased
            return t.hasPrefix("sent from my") || t.hasPrefix("enviado desde mi") || t.hasPrefix("get outlook for")
        }) {
            out = Array(out[..<cut])
        }
        if let cut = out.firstIndex(where: { line in
            guard disclaimerStarts.contains(where: { startsIgnoringASCIICase(line, $0) }) else { return false }
            let t = line.asciiLowercased
            return t.hasPrefix("confidentiality notice") || t.hasPrefix("this email and any attachments") || t.hasPrefix("this message is intended")
                || t.hasPrefix("disclaimer:")
        }) {
            out = Array(out[..<cut])
        }
        // A closing line near the end: everything from it on is the sign-off.
        let nonEmpty = out.indices.filter { !out[$0].trimmingBlanks.isEmpty }
        for idx in nonEmpty.suffix(6) where idx > (nonEmpty.first ?? 0) {
            // No closing has more than `longestClosing` characters besides the trimmed ones.
            var kept = 0
            for c in out[idx].utf8 where !(c == 32 || c == 9 || c == 44 || c == 46 || c == 33 || c == 45) { kept += 1; if kept > longestClosing { break } }
            if kept > longestClosing { continue }
            let t = String(out[idx].asciiLowercased.trimming(ascii: " \t,.!-"))
            if closings.contains(t) { out = Array(out[..<idx]); break }
        }
        return out
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs (as `trimming(ascii: " \t")`, without
    /// building the set on every call: this runs on every line of every reply).
    var trimmingBlanks: Substring { trimmingBytes { $0 == 32 || $0 == 9 } }

    /// The string without leading and trailing carriage returns, as a `String`.
    var trimmingCR: String {
        guard utf8.first == 13 || utf8.last == 13 else { return self }
        return String(trimmingBytes { $0 == 13 })
    }

    /// The string without leading and trailing bytes that `drop` accepts (ASCII only).
    func trimmingBytes(_ drop: (UInt8) -> Bool) -> Substring {
        let u = utf8
        var start = u.startIndex, end = u.endIndex
        while start < end, drop(u[start]) { start = u.index(after: start) }
        while end > start, drop(u[u.index(before: end)]) { end = u.index(before: end) }
        return self[start..<end]
    }
}
