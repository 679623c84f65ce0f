import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A reply prepared for matching: lower-cased, accents folded, apostrophes unified, and as a
/// space-padded word string (`" we ll pay on friday "`) so cue phrases match whole words.
/// Built in one pass over the Unicode scalars (no Foundation string calls: this runs on every reply).
struct NormalizedText {
    /// Lower-cased text with accents folded and punctuation kept.
    let lower: String
    /// Words (letters, digits, `#`, `$`, `%`, `*`) joined by single spaces, padded with spaces.
    let padded: String
    /// The words.
    let words: [Substring]
    /// `padded` as UTF-8, for fast phrase search.
    let bytes: [UInt8]
    /// `lower` as UTF-8.
    let lowerBytes: [UInt8]
    /// Tokens for dates: letters and digits, with `/` kept inside numbers ("3/19").
    let dateTokens: [String]

    init(_ text: String) {
        var lowerScalars = String.UnicodeScalarView()
        var paddedBytes: [UInt8] = [32]
        paddedBytes.reserveCapacity(text.utf8.count + 2)
        var lastSpace = true
        for raw in text.unicodeScalars {
            let s = NormalizedText.fold(raw)
            lowerScalars.append(s)
            let v = s.value
            let isWordChar: Bool
            if v < 128 {
                let b = UInt8(v)
                isWordChar = (b >= 97 && b <= 122) || (b >= 48 && b <= 57) || b == 35 || b == 36 || b == 37 || b == 42
            } else {
                isWordChar = s.properties.isAlphabetic || s.properties.numericType != nil
            }
            if isWordChar {
                paddedBytes.append(contentsOf: String(s).utf8)
                lastSpace = false
            } else if !lastSpace {
                // Everything else, the apostrophe included, separates words: "we'll" reads "we ll".
                paddedBytes.append(32)
                lastSpace = true
            }
        }
        if !lastSpace { paddedBytes.append(32) }
        lower = String(lowerScalars)
        dateTokens = DateExpressions.tokens(lowerScalars)
        lowerBytes = Array(lower.utf8)
        padded = String(decoding: paddedBytes, as: UTF8.self)
        bytes = paddedBytes
        words = padded.split(separator: " ")
    }

    /// Lower-cases and folds the accents of the Latin letters replies use; curly apostrophes become `'`.
    static func fold(_ s: Unicode.Scalar) -> Unicode.Scalar {
        let v = s.value
        if v < 128 { return v >= 65 && v <= 90 ? Unicode.Scalar(v + 32)! : s }
        switch v {
        case 0x2018, 0x2019: return "'"
        case 0xC0...0xC5, 0xE0...0xE5: return "a"
        case 0xC7, 0xE7: return "c"
        case 0xC8...0xCB, 0xE8...0xEB: return "e"
        case 0xCC...0xCF, 0xEC...0xEF: return "i"
        case 0xD1, 0xF1: return "n"
        case 0xD2...0xD6, 0xF2...0xF6: return "o"
        case 0xD9...0xDC, 0xF9...0xFC: return "u"
        case 0xDD, 0xFD, 0xFF: return "y"
        default:
            let lowered = s.properties.lowercaseMapping.unicodeScalars
            return lowered.count == 1 ? lowered.first! : s
        }
    }

    /// A phrase prepared for `has(_:)`: its UTF-8 bytes padded with spaces.
    struct Needle: Sendable {
        let bytes: [UInt8]
        init(_ phrase: String) { bytes = Array((" " + phrase + " ").utf8) }
        init(raw: String) { bytes = Array(raw.utf8) }
    }

    /// Whether the phrase (words separated by single spaces, e.g. `"out of office"`) occurs as whole words.
    func has(_ phrase: String) -> Bool { has(Needle(phrase)) }

    /// Whether the prepared phrase occurs as whole words.
    func has(_ needle: Needle) -> Bool { NormalizedText.find(needle.bytes, in: bytes) }

    /// Whether the lower-cased text contains `fragment` anywhere (symbols, emoji, "?").
    func raw(_ fragment: String) -> Bool { NormalizedText.find(Array(fragment.utf8), in: lowerBytes) }

    /// Byte search: `memchr` to each occurrence of the needle's first byte, then a compare.
    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
        let n = needle.count
        guard n > 0, haystack.count >= n else { return false }
        return haystack.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { nd in
                let base = hay.baseAddress!
                let lastStart = hay.count - n
                // Spaces are everywhere: anchor on the first letter of a padded phrase instead.
                let k = n >= 2 && nd[0] == 32 ? 1 : 0
                var from = 0
                while from <= lastStart {
                    guard let hit = memchr(base + from + k, Int32(nd[k]), lastStart - from + 1) else { return false }
                    let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self)) - k
                    if memcmp(base + at, nd.baseAddress!, n) == 0 { return true }
                    from = at + 1
                }
                return false
            }
        }
    }

    /// Whether any of the phrases occurs.
    func hasAny(_ phrases: [String]) -> Bool { phrases.contains { has($0) } }
}
