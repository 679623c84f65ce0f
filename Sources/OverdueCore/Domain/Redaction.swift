import Foundation

/// Masks what must never reach a log or the audit trail even when a debtor writes it in a
/// message: payment card numbers (13–19 digits passing the Luhn check, spaces or dashes allowed),
/// IBANs, bank account and routing numbers named as such, and bearer secrets (`od_…` API keys,
/// `whsec_…` signing secrets). The last four characters stay, so a person can still tell which.
public enum Redaction {
    /// `text` with every sensitive number or secret masked.
    public static func redact(_ text: String) -> String {
        guard text.contains(where: { $0.isNumber }) || text.contains("od_") || text.contains("whsec_") else { return text }
        var out = text
        out = replace(out, cards) { match in
            let digits = match.filter(\.isNumber)
            return luhn(digits) ? "[card …\(digits.suffix(4))]" : nil
        }
        out = replace(out, iban) { match in
            let compact = match.filter { !$0.isWhitespace }
            return "[iban …\(compact.suffix(4))]"
        }
        out = replace(out, account) { match in
            guard let range = match.range(of: #"\d[\d -]{3,}\d"#, options: .regularExpression) else { return nil }
            let digits = match[range].filter(\.isNumber)
            return match[..<range.lowerBound] + "[…\(digits.suffix(4))]"
        }
        out = replace(out, secrets) { match in "\(match.split(separator: "_").first ?? "")_[redacted]" }
        return out
    }

    static let cards = try! NSRegularExpression(pattern: #"(?<![\d])\d(?:[ -]?\d){12,18}(?![\d])"#)
    static let iban = try! NSRegularExpression(pattern: #"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b"#)
    static let account = try! NSRegularExpression(pattern: #"(?i)\b(?:account|acct|a/c|routing|aba|iban|sort code)\b[^\d\n]{0,20}\d[\d -]{3,}\d"#)
    static let secrets = try! NSRegularExpression(pattern: #"\b(?:od_[a-z0-9]{10}_[A-Za-z0-9_-]{20,}|whsec_[A-Za-z0-9_-]{16,})"#)

    static func replace(_ text: String, _ regex: NSRegularExpression, _ mask: (String) -> String?) -> String {
        let ns = text as NSString
        var result = ""
        var last = 0
        for m in regex.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            let match = ns.substring(with: m.range)
            guard let masked = mask(match) else { continue }
            result += ns.substring(with: NSRange(location: last, length: m.range.location - last)) + masked
            last = m.range.location + m.range.length
        }
        return last == 0 ? text : result + ns.substring(from: last)
    }

    /// The Luhn checksum of a card number.
    static func luhn(_ digits: String) -> Bool {
        var sum = 0
        for (i, c) in digits.reversed().enumerated() {
            guard var d = c.wholeNumberValue else { return false }
            if i % 2 == 1 { d *= 2; if d > 9 { d -= 9 } }
            sum += d
        }
        return sum % 10 == 0
    }
}
