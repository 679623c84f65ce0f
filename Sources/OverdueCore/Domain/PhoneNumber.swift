import Foundation

/// Phone number normalisation to E.164 (`+13125550101`).
public enum PhoneNumber {
    /// Country calling codes for the countries Overdue knows how to read national numbers of.
    static let callingCodes: [String: String] = [
        "US": "1", "CA": "1", "PR": "1", "MX": "52", "GB": "44", "IE": "353", "DE": "49", "FR": "33",
        "ES": "34", "IT": "39", "NL": "31", "BE": "32", "PL": "48", "AU": "61", "NZ": "64", "IN": "91",
        "BR": "55", "CO": "57", "GT": "502", "CR": "506", "PA": "507", "CL": "56", "AR": "54", "PE": "51",
    ]

    /// The calling code of an ISO 3166 alpha-2 country, if known.
    public static func callingCode(country: String) -> String? { callingCodes[country.uppercased()] }

    /// Normalises `text` to E.164, reading national numbers as `defaultCountry`'s; nil if it is not a phone number.
    public static func normalize(_ text: String, defaultCountry: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        // Drop an extension ("x123", "ext. 12"): E.164 has no place for it.
        var body = Substring(trimmed)
        if let r = trimmed.range(of: #"\s*(x|ext\.?|extension)\s*\d+$"#, options: [.regularExpression, .caseInsensitive]) {
            body = trimmed[..<r.lowerBound]
        }
        var digits = ""
        var international = false
        for (i, ch) in body.enumerated() {
            if ch.isASCII, ch.isNumber {
                digits.append(ch)
            } else if ch == "+" && i == 0 {
                international = true
            } else if " -.()/".contains(ch) {
                continue
            } else {
                return nil
            }
        }
        if !international && digits.hasPrefix("00") { international = true; digits.removeFirst(2) }
        if !international && digits.hasPrefix("011") && digits.count > 11 { international = true; digits.removeFirst(3) }
        if international {
            guard (8...15).contains(digits.count), digits.first != "0" else { return nil }
            if digits.hasPrefix("1") { guard digits.count == 11, nanpValid(String(digits.dropFirst())) else { return nil } }
            return "+" + digits
        }
        let country = defaultCountry.uppercased()
        guard let code = callingCodes[country] else { return nil }
        if code == "1" {
            if digits.count == 11 && digits.hasPrefix("1") { digits.removeFirst() }
            guard digits.count == 10, nanpValid(digits) else { return nil }
            return "+1" + digits
        }
        if country == "MX" {
            if digits.hasPrefix("52") && digits.count == 12 { digits.removeFirst(2) }
            if digits.hasPrefix("1") && digits.count == 11 { digits.removeFirst() }  // legacy mobile prefix
            guard digits.count == 10 else { return nil }
            return "+52" + digits
        }
        if digits.hasPrefix("0") { digits.removeFirst() }  // trunk prefix
        guard (6...(15 - code.count)).contains(digits.count) else { return nil }
        return "+" + code + digits
    }

    /// North American numbers: area code and exchange never start with 0 or 1.
    static func nanpValid(_ ten: String) -> Bool {
        let d = Array(ten)
        return d.count == 10 && d[0] != "0" && d[0] != "1" && d[3] != "0" && d[3] != "1"
    }

    /// `+1 312 555 0101` for people.
    public static func display(_ e164: String) -> String {
        guard e164.hasPrefix("+1"), e164.count == 12 else { return e164 }
        let d = Array(e164.dropFirst(2))
        return "+1 \(String(d[0..<3])) \(String(d[3..<6])) \(String(d[6..<10]))"
    }
}

/// Email address checks.
public enum EmailAddress {
    /// Lower-cases the domain and checks the basic shape `local@domain.tld`; nil if it is not an address.
    public static func normalize(_ text: String) -> String? {
        let s = text.trimmingCharacters(in: .whitespaces)
        guard let at = s.lastIndex(of: "@"), at != s.startIndex else { return nil }
        let local = s[..<at], domain = s[s.index(after: at)...].lowercased()
        guard !local.isEmpty, local.count <= 64, domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."),
            !s.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "," || $0 == ";" }),
            domain.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." })
        else { return nil }
        return "\(local)@\(domain)"
    }
}
