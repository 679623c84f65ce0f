import Foundation

/// Masks what must never reach a log or the audit trail even when a debtor writes it in a
/// message: payment card numbers (13–19 digits passing the Luhn check, spaces or dashes allowed),
/// IBANs, bank account and routing numbers named as such, and bearer secrets (`od_…` API keys,
/// `whsec_…` signing secrets). The last four characters stay, so a person can still tell which.
public enum Redaction {
    /// `text` with every sensitive number or secret masked.
    public static func redact(_ text: String) -> String {
        // Most text (every log line) holds none of these shapes: one pass over its bytes tells,
        // and only a shape that is there is looked for with its expression.
        redact(text, shapes: Shapes(text))
    }

    /// `text` with every sensitive number or secret masked, looking only for the shapes `shapes` allows.
    static func redact(_ text: String, shapes: Shapes) -> String {
        var out = text
        if shapes.card >= 13 {
            out = replace(out, cards) { match in
                let digits = match.filter(\.isNumber)
                return luhn(digits) ? "[card …\(digits.suffix(4))]" : nil
            }
        }
        if shapes.ibanStart {
            out = replace(out, iban) { match in
                let compact = match.filter { !$0.isWhitespace }
                return "[iban …\(compact.suffix(4))]"
            }
        }
        // The words are looked for in the text as masked so far: a mask ("[iban …]") names one too.
        if shapes.number >= 5 && (shapes.card == .max || namesAccount(out)) {
            out = replace(out, account) { match in
                guard let range = match.range(of: #"\d[\d -]{3,}\d"#, options: .regularExpression) else { return nil }
                let digits = match[range].filter(\.isNumber)
                return match[..<range.lowerBound] + "[…\(digits.suffix(4))]"
            }
        }
        if shapes.secretPrefix { out = replace(out, secrets) { match in "\(match.split(separator: "_").first ?? "")_[redacted]" } }
        return out
    }

    /// Whether `text` holds a word the account expression starts from (or a longer word holding it).
    static func namesAccount(_ text: String) -> Bool {
        ["acc", "a/c", "routing", "aba", "iban", "sort code"].contains { text.containsASCII($0, ignoringCase: true) }
    }

    /// What one pass over a text's bytes says about the shapes it could hold: each flag is a
    /// necessary condition of its expression matching, never a sufficient one. Text with any
    /// non-ASCII byte is searched for every shape (the expressions' `\d` takes every script's digits).
    struct Shapes {
        /// The longest run of ASCII digits joined by single spaces or dashes, in characters (a card needs 13).
        var card = 0
        /// The longest run from a digit to a digit through digits, spaces and dashes (an account number needs 5).
        var number = 0
        /// Two capital letters then two digits somewhere (how an IBAN starts).
        var ibanStart = false
        /// `od_` or `whsec_` somewhere.
        var secretPrefix = false

        /// Every shape possible: every expression is tried.
        static let any = Shapes(card: .max, number: .max, ibanStart: true, secretPrefix: true)

        init(card: Int, number: Int, ibanStart: Bool, secretPrefix: Bool) {
            (self.card, self.number, self.ibanStart, self.secretPrefix) = (card, number, ibanStart, secretPrefix)
        }

        init(_ text: String) {
            var (cardRun, cardGap, numberRun, numberGap) = (0, 0, 0, 0)
            var capitals = 0
            var capitalsThenDigits = 0
            var last: (UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0)
            for byte in text.utf8 {
                if byte >= 0x80 {
                    self = .any
                    return
                }
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"):
                    (cardRun, cardGap) = (cardRun + cardGap + 1, 0)
                    (numberRun, numberGap) = (numberRun + numberGap + 1, 0)
                    (card, number) = (max(card, cardRun), max(number, numberRun))
                    capitalsThenDigits = capitals >= 2 || capitalsThenDigits > 0 ? capitalsThenDigits + 1 : 0
                    if capitalsThenDigits >= 2 { ibanStart = true }
                    capitals = 0
                case UInt8(ascii: " "), UInt8(ascii: "-"):
                    if cardRun > 0 && cardGap == 0 { cardGap = 1 } else { (cardRun, cardGap) = (0, 0) }
                    if numberRun > 0 { numberGap += 1 }
                    (capitals, capitalsThenDigits) = (0, 0)
                case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                    (cardRun, cardGap, numberRun, numberGap) = (0, 0, 0, 0)
                    capitals += 1
                    capitalsThenDigits = 0
                default:
                    (cardRun, cardGap, numberRun, numberGap) = (0, 0, 0, 0)
                    (capitals, capitalsThenDigits) = (0, 0)
                }
                if byte == UInt8(ascii: "_")
                    && ((last.3, last.4) == (UInt8(ascii: "o"), UInt8(ascii: "d"))
                        || (last.0, last.1, last.2, last.3, last.4)
                            == (UInt8(ascii: "w"), UInt8(ascii: "h"), UInt8(ascii: "s"), UInt8(ascii: "e"), UInt8(ascii: "c")))
                {
                    secretPrefix = true
                }
                last = (last.1, last.2, last.3, last.4, byte)
            }
        }
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
