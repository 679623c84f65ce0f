import Foundation

/// How an SMS text travels: GSM-7 (160 characters a segment, 153 when split) or UCS-2 (70, 67)
/// as soon as one character is outside the GSM 03.38 alphabet.
public enum SMSText {
    /// The encoding a text needs.
    public enum Encoding: String, Sendable { case gsm7 = "GSM-7", ucs2 = "UCS-2" }

    static let basic: Set<Character> = Set(
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
    // Characters of the extension table: each takes two septets.
    static let extended: Set<Character> = Set("^{}\\[~]|€\u{0C}")

    /// The encoding, septets/characters used and segment count of `text`.
    public static func measure(_ text: String) -> (encoding: Encoding, units: Int, segments: Int) {
        var septets = 0
        var gsm = true
        for ch in text {
            if basic.contains(ch) { septets += 1 } else if extended.contains(ch) { septets += 2 } else { gsm = false; break }
        }
        if gsm {
            return (.gsm7, septets, septets <= 160 ? 1 : (septets + 152) / 153)
        }
        let units = text.utf16.count
        return (.ucs2, units, units <= 70 ? 1 : (units + 66) / 67)
    }
}
