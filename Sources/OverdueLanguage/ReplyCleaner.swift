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
        let lines = text.utf8.split(separator: 10, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self).trimming(ascii: "\r").description }
        var own: [String] = []
        var quoted: [String] = []
        var inQuote = false
        for (i, raw) in lines.enumerated() {
            let line = String(raw.trimming(ascii: " \t"))
            if inQuote { quoted.append(line.hasPrefix(">") ? String(line.drop(while: { $0 == ">" || $0 == " " })) : line); continue }
            if line.hasPrefix(">") { quoted.append(String(line.drop(while: { $0 == ">" || $0 == " " }))); continue }
            if isQuoteHeader(line, next: i + 1 < lines.count ? lines[i + 1] : "") { inQuote = true; quoted.append(line); continue }
            own.append(raw)
        }
        let ownText = String(stripSignature(own).joined(separator: "\n").trimming())
        let quotedText = quoted.joined(separator: "\n")
        // Our own reminder quoted back carries our invoice numbers and amounts, not the debtor's.
        guard !quoted.isEmpty else { return Parts(own: ownText, evidence: "") }
        let q = NormalizedText(quotedText)
        let isOurReminder = ["reminder", "past due", "overdue", "days late", "please remit", "payment status"].contains { q.has($0) }
        return Parts(own: ownText, evidence: isOurReminder ? "" : quotedText)
    }

    /// `On Mon, Mar 9, 2026 at 9:02 AM X <x@y> wrote:`, `-----Original Message-----`, an Outlook
    /// `From:` block, and their Spanish and French forms.
    static func isQuoteHeader(_ line: String, next: String) -> Bool {
        // Every header starts with one of these letters (or a dash): skip the rest without work.
        guard let first = line.utf8.first, [45, 79, 111, 69, 101, 76, 108, 70, 102, 66, 98].contains(first) else { return false }
        let l = line.lowercased()
        if l.hasPrefix("-----original message") || l.hasPrefix("-----mensaje original") || l.hasPrefix("-----message d'origine") { return true }
        if l.hasPrefix("---------- forwarded message") || l.hasPrefix("begin forwarded message") { return true }
        if (l.hasPrefix("on ") || l.hasPrefix("el ") || l.hasPrefix("le ")) && (l.hasSuffix("wrote:") || l.hasSuffix("escribió:") || l.hasSuffix("a écrit :") || l.hasSuffix("a écrit:")) { return true }
        if l.hasPrefix("from:") && next.trimming(ascii: " \t").asciiLowercased.hasPrefix("sent:") { return true }
        return false
    }

    static let closings = ["regards", "kind regards", "best regards", "best", "thanks", "thank you", "many thanks", "cheers", "sincerely",
                           "yours faithfully", "yours sincerely", "saludos", "saludos cordiales", "atentamente", "cordialement", "thx", "br"]

    /// Drops a trailing signature: from a `--` line, a "Sent from my …" line, or a closing word
    /// ("Regards,") in the last lines, and any legal disclaimer paragraph.
    static func stripSignature(_ lines: [String]) -> [String] {
        var out = lines
        if let cut = out.firstIndex(where: { let t = $0.trimming(ascii: " \t"); return t == "--" || t == "__" }) {
            out = Array(out[..<cut])
        }
        if let cut = out.firstIndex(where: { let t = $0.trimming(ascii: " \t").asciiLowercased; return t.hasPrefix("sent from my") || t.hasPrefix("enviado desde mi") || t.hasPrefix("get outlook for") }) {
            out = Array(out[..<cut])
        }
        if let cut = out.firstIndex(where: { line in
            let t = line.asciiLowercased
            return t.hasPrefix("confidentiality notice") || t.hasPrefix("this email and any attachments") || t.hasPrefix("this message is intended") || t.hasPrefix("disclaimer:")
        }) {
            out = Array(out[..<cut])
        }
        // A closing line near the end: everything from it on is the sign-off.
        let nonEmpty = out.indices.filter { !out[$0].trimming(ascii: " \t").isEmpty }
        for idx in nonEmpty.suffix(6) where idx > (nonEmpty.first ?? 0) {
            let t = String(out[idx].asciiLowercased.trimming(ascii: " \t,.!-"))
            if closings.contains(t) { out = Array(out[..<idx]); break }
        }
        return out
    }
}
