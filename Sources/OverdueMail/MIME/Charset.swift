import Foundation

/// Text decoding for the charsets mail uses. Unknown charsets and invalid bytes never fail: the
/// text is decoded as well as it can be and the caller is told it was lossy.
public enum Charset {
    /// Decodes `bytes` in `charset` (an IANA name, any case); `lossy` is true when the charset was
    /// unknown or the bytes invalid in it.
    public static func decode(_ bytes: some Collection<UInt8>, charset: String?) -> (text: String, lossy: Bool) {
        let name = (charset ?? "us-ascii").lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "\"' "))
        let data = Array(bytes)
        switch name {
        case "utf-8", "utf8", "us-ascii", "ascii", "ansi_x3.4-1968", "":
            if let s = String(validating: data, as: UTF8.self) { return (s, false) }
            // Mislabelled 8-bit mail is usually Windows-1252.
            if name != "utf-8" && name != "utf8", let s = String(bytes: data, encoding: .windowsCP1252) { return (s, false) }
            return (String(decoding: data, as: UTF8.self), true)
        case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "iso_8859-1":
            return (String(data.map { Character(Unicode.Scalar($0)) }), false)
        case "iso-8859-2", "iso8859-2", "latin2": return foundation(data, .isoLatin2)
        case "iso-8859-9", "iso8859-9", "latin5":
            // ISO-8859-9 and Windows-1254 agree on 0xA0–0xFF; below that only Windows-1254 has printables.
            return foundation(data, .windowsCP1254)
        case "iso-8859-15", "iso8859-15", "latin9", "latin-9": return (latin9(data), false)
        case "iso-8859-5", "iso8859-5": return (cyrillic(data), false)
        case "windows-1250", "cp1250": return foundation(data, .windowsCP1250)
        case "windows-1251", "cp1251": return foundation(data, .windowsCP1251)
        case "windows-1252", "cp1252": return foundation(data, .windowsCP1252)
        case "windows-1253", "cp1253": return foundation(data, .windowsCP1253)
        case "windows-1254", "cp1254": return foundation(data, .windowsCP1254)
        case "utf-16", "utf16": return foundation(data, .utf16)
        case "utf-16le": return foundation(data, .utf16LittleEndian)
        case "utf-16be": return foundation(data, .utf16BigEndian)
        default:
            if let s = String(validating: data, as: UTF8.self) { return (s, !data.allSatisfy { $0 < 0x80 }) }
            return (String(data.map { $0 < 0x80 ? Character(Unicode.Scalar($0)) : "\u{FFFD}" }), true)
        }
    }

    static func foundation(_ data: [UInt8], _ encoding: String.Encoding) -> (String, Bool) {
        if let s = String(bytes: data, encoding: encoding) { return (s, false) }
        return (String(decoding: data, as: UTF8.self), true)
    }

    static func latin9(_ data: [UInt8]) -> String {
        let changed: [UInt8: Unicode.Scalar] = [
            0xA4: "\u{20AC}", 0xA6: "\u{0160}", 0xA8: "\u{0161}", 0xB4: "\u{017D}",
            0xB8: "\u{017E}", 0xBC: "\u{0152}", 0xBD: "\u{0153}", 0xBE: "\u{0178}",
        ]
        return String(String.UnicodeScalarView(data.map { changed[$0] ?? Unicode.Scalar($0) }))
    }

    static func cyrillic(_ data: [UInt8]) -> String {
        String(
            String.UnicodeScalarView(
                data.map { b -> Unicode.Scalar in
                    switch b {
                    case 0..<0xA1: return Unicode.Scalar(b)
                    case 0xAD: return "\u{00AD}"
                    case 0xF0: return "\u{2116}"
                    case 0xFD: return "\u{00A7}"
                    default: return Unicode.Scalar(UInt32(b) - 0xA0 + 0x400)!
                    }
                }))
    }
}
