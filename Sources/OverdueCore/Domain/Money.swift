import Foundation

/// An ISO 4217 currency code with its minor-unit exponent.
public struct Currency: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The three-letter upper-case code, e.g. `USD`.
    public let code: String

    /// Validates a code: three ASCII letters, upper-cased.
    public init?(_ code: some StringProtocol) {
        let t = code.trimmedASCII
        guard t.utf8.count == 3, t.utf8.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) }) else { return nil }
        self.code = t.utf8.allSatisfy({ $0 <= 0x5A }) ? t : t.uppercased()
    }

    /// Digits after the decimal point (2 for USD/CAD/MXN, 0 for JPY, 3 for KWD…).
    public var minorUnitDigits: Int {
        switch code {
        case "JPY", "KRW", "CLP", "ISK", "VND", "XAF", "XOF", "XPF", "UGX", "PYG", "RWF": return 0
        case "BHD", "KWD", "OMR", "JOD", "TND", "LYD", "IQD": return 3
        default: return 2
        }
    }

    /// What it is, in words.
    public var description: String { code }
    /// The order they sort in.
    public static func < (a: Currency, b: Currency) -> Bool { a.code < b.code }

    /// Reads it from its JSON form.
    public init(from decoder: any Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let c = Currency(s) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a currency code: \(s)"))
        }
        self = c
    }

    /// Writes its JSON form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(code)
    }

    /// US dollar.
    public static let usd = Currency("USD")!
}

/// An amount of money: integer minor units and a currency. Never floating point.
public struct Money: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The amount in minor units (cents for USD).
    public var minorUnits: Int64
    /// The currency.
    public var currency: Currency

    /// Creates an amount from minor units.
    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// Zero in `currency`.
    public static func zero(_ currency: Currency) -> Money { Money(minorUnits: 0, currency: currency) }

    /// The amount as a plain decimal string with the currency's digits: `1250.00`, `-3.50`.
    public var decimalString: String { Money.decimalString(minorUnits, digits: currency.minorUnitDigits) }

    /// `1,250.00 USD` for people.
    public var description: String { "\(Money.grouped(decimalString)) \(currency.code)" }

    /// Formats minor units with `digits` decimals.
    public static func decimalString(_ minor: Int64, digits: Int) -> String {
        let negative = minor < 0
        let magnitude = minor.magnitude
        guard digits > 0 else { return (negative ? "-" : "") + String(magnitude) }
        var scale: UInt64 = 1
        for _ in 0..<digits { scale *= 10 }
        let whole = magnitude / scale, frac = magnitude % scale
        var fracText = String(frac)
        fracText = String(repeating: "0", count: digits - fracText.count) + fracText
        return (negative ? "-" : "") + "\(whole).\(fracText)"
    }

    /// Inserts thousands separators into a plain decimal string.
    public static func grouped(_ plain: String) -> String {
        var s = Substring(plain)
        let sign = s.first == "-" ? "-" : ""
        if !sign.isEmpty { s = s.dropFirst() }
        let parts = s.split(separator: ".", maxSplits: 1)
        let whole = Array(parts[0])
        var out = ""
        for (i, ch) in whole.enumerated() {
            if i > 0 && (whole.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return sign + out + (parts.count > 1 ? "." + parts[1] : "")
    }

    /// Why an amount could not be parsed.
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case empty
        case notANumber(String)
        case tooManyDecimals(String, allowed: Int)
        case outOfRange(String)

        /// What it is, in words.
        public var description: String {
            switch self {
            case .empty: return "amount is empty"
            case .notANumber(let s): return "'\(s)' is not an amount (use 1250, 1250.00 or 1,250.00)"
            case .tooManyDecimals(let s, let n): return "'\(s)' has more than \(n) decimal places"
            case .outOfRange(let s): return "'\(s)' is too large"
            }
        }
    }

    /// Parses `1,250.00`, `1250`, `$1,250.5`, `-10.00` into minor units of `currency`.
    public static func parse(_ text: some StringProtocol, currency: Currency) throws(ParseError) -> Money {
        let trimmed = text.trimmedASCII
        var s = Substring(trimmed)
        guard !s.isEmpty else { throw .empty }
        var negative = false
        if s.first == "-" { negative = true; s = s.dropFirst() }
        if s.first == "(" && s.last == ")" { negative = true; s = s.dropFirst().dropLast() }
        if s.first == "$" { s = s.dropFirst() }
        let original = trimmed
        var whole: UInt64 = 0, frac: UInt64 = 0, fracDigits = 0, seenDot = false, digits = 0
        var groupRun = -1  // digits since the last comma; -1 before any comma
        for ch in s.utf8 {
            switch ch {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let v = UInt64(ch - UInt8(ascii: "0"))
                if seenDot {
                    fracDigits += 1
                    guard fracDigits <= currency.minorUnitDigits else { throw .tooManyDecimals(original, allowed: currency.minorUnitDigits) }
                    frac = frac * 10 + v
                } else {
                    guard whole < 100_000_000_000_000 else { throw .outOfRange(original) }
                    whole = whole * 10 + v
                    if groupRun >= 0 { groupRun += 1 }
                }
                digits += 1
            case UInt8(ascii: ","):
                guard !seenDot, digits > 0, groupRun == -1 || groupRun == 3 else { throw .notANumber(original) }
                groupRun = 0
            case UInt8(ascii: "."):
                guard !seenDot, groupRun == -1 || groupRun == 3 else { throw .notANumber(original) }
                seenDot = true
            default:
                throw .notANumber(original)
            }
        }
        guard digits > 0, groupRun == -1 || groupRun == 3 || seenDot else { throw .notANumber(original) }
        var scale: UInt64 = 1
        for _ in 0..<currency.minorUnitDigits { scale *= 10 }
        var fracScaled = frac
        for _ in fracDigits..<currency.minorUnitDigits { fracScaled *= 10 }
        let minor = Int64(whole * scale + fracScaled)
        return Money(minorUnits: negative ? -minor : minor, currency: currency)
    }
}
