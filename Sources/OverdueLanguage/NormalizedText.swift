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
    /// How many words there are.
    let wordCount: Int
    /// Words (letters, digits, `#`, `$`, `%`, `*`) joined by single spaces, padded with spaces, as
    /// UTF-8 (`" we ll pay on friday "`), for fast phrase search.
    let bytes: [UInt8]
    /// The text lower-cased with accents folded and punctuation kept, as UTF-8.
    let lowerBytes: [UInt8]
    /// Tokens for dates: letters and digits, with `/` kept inside numbers ("3/19").
    let dateTokens: [String]
    /// The same tokens with the spacing before each (what the amount grammar reads).
    let lexemes: [DateExpressions.Lexeme]
    /// The `PhraseIndex` hash of each word of `bytes`, in order.
    let wordHashes: [UInt64]
    /// A 4,096-bit filter of the first two bytes of every word: most cue phrases start with a word
    /// the reply does not contain, and are rejected without a search.
    let wordStarts: [UInt64]

    static func startKey(_ a: UInt8, _ b: UInt8) -> Int { (Int(a) << 5 ^ Int(b)) & 4095 }

    init(_ text: String) {
        var lower: [UInt8] = []
        lower.reserveCapacity(text.utf8.count)
        var paddedBytes: [UInt8] = [32]
        paddedBytes.reserveCapacity(text.utf8.count + 2)
        var lastSpace = true
        var hashes: [UInt64] = []
        var h = PhraseIndex.emptyHash
        for raw in text.unicodeScalars {
            let s = NormalizedText.fold(raw)
            let v = s.value
            if v < 128 { lower.append(UInt8(v)) } else { UTF8.encode(s) { lower.append($0) } }
            let isWordChar: Bool
            if v < 128 {
                let b = UInt8(v)
                isWordChar = (b >= 97 && b <= 122) || (b >= 48 && b <= 57) || b == 35 || b == 36 || b == 37 || b == 42
            } else {
                isWordChar = s.properties.isAlphabetic || s.properties.numericType != nil
            }
            if isWordChar {
                if v < 128 {
                    paddedBytes.append(UInt8(v))
                    h = PhraseIndex.adding(UInt8(v), to: h)
                } else {
                    UTF8.encode(s) {
                        paddedBytes.append($0)
                        h = PhraseIndex.adding($0, to: h)
                    }
                }
                lastSpace = false
            } else if !lastSpace {
                // Everything else, the apostrophe included, separates words: "we'll" reads "we ll".
                paddedBytes.append(32)
                hashes.append(PhraseIndex.finished(h))
                h = PhraseIndex.emptyHash
                lastSpace = true
            }
        }
        if !lastSpace {
            paddedBytes.append(32)
            hashes.append(PhraseIndex.finished(h))
        }
        wordHashes = hashes
        // The folded text's scalars, decoded once from its UTF-8 (appending scalar by scalar is slower).
        lexemes = DateExpressions.lex(String(decoding: lower, as: UTF8.self).unicodeScalars)
        dateTokens = lexemes.map(\.text)
        lowerBytes = lower
        bytes = paddedBytes
        var filter = [UInt64](repeating: 0, count: 64)
        var count = 0
        if paddedBytes.count >= 3 {
            for i in 0..<(paddedBytes.count - 2) where paddedBytes[i] == 32 {
                count += 1
                let key = NormalizedText.startKey(paddedBytes[i + 1], paddedBytes[i + 2])
                filter[key >> 6] |= 1 << UInt64(key & 63)
            }
        }
        wordCount = count
        wordStarts = filter
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
        /// The word-start filter key, or -1 when the needle does not start a word.
        let key: Int
        init(_ phrase: String) {
            bytes = Array((" " + phrase + " ").utf8)
            key = bytes.count >= 3 ? NormalizedText.startKey(bytes[1], bytes[2]) : -1
        }
    }

    /// Whether the phrase (words separated by single spaces, e.g. `"out of office"`) occurs as whole words.
    func has(_ phrase: String) -> Bool { has(Needle(phrase)) }

    /// Whether the prepared phrase occurs as whole words.
    func has(_ needle: Needle) -> Bool {
        if needle.key >= 0 && wordStarts[needle.key >> 6] & (1 << UInt64(needle.key & 63)) == 0 { return false }
        return NormalizedText.find(needle.bytes, in: bytes)
    }

    /// Whether the lower-cased text contains `fragment` anywhere (symbols, emoji, "?").
    func raw(_ fragment: String) -> Bool { NormalizedText.find(Array(fragment.utf8), in: lowerBytes) }

    /// Where the phrase first occurs as whole words (byte offset), if it does.
    func position(of phrase: String) -> Int? { NormalizedText.offset(of: Needle(phrase).bytes, in: bytes) }

    /// Byte search: `memchr` to each occurrence of the needle's first byte, then a compare.
    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Bool { offset(of: needle, in: haystack) != nil }

    /// The offset of the first occurrence of `needle` in `haystack`.
    static func offset(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        let n = needle.count
        guard n > 0, haystack.count >= n else { return nil }
        return haystack.withUnsafeBufferPointer { hay -> Int? in
            needle.withUnsafeBufferPointer { nd -> Int? in
                let base = hay.baseAddress!
                let lastStart = hay.count - n
                // Spaces are everywhere: anchor on the first letter of a padded phrase instead.
                let k = n >= 2 && nd[0] == 32 ? 1 : 0
                var from = 0
                while from <= lastStart {
                    guard let hit = memchr(base + from + k, Int32(nd[k]), lastStart - from + 1) else { return nil }
                    let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self)) - k
                    if memcmp(base + at, nd.baseAddress!, n) == 0 { return at }
                    from = at + 1
                }
                return nil
            }
        }
    }

    /// Whether the text starts with the word `w`.
    func startsWith(word w: String) -> Bool { bytes.starts(with: Array((" " + w + " ").utf8)) }

    /// Whether any of the phrases occurs.
    func hasAny(_ phrases: [String]) -> Bool { phrases.contains { has($0) } }
}

extension StringProtocol {
    /// The text without leading and trailing characters in `set` (ASCII only), by UTF-8 scan.
    func trimming(ascii set: String = " \t\r\n") -> Substring {
        let s = Substring(self)
        let bytes = Array(set.utf8)
        let u = s.utf8
        var start = u.startIndex, end = u.endIndex
        while start < end, bytes.contains(u[start]) { start = u.index(after: start) }
        while end > start, bytes.contains(u[u.index(before: end)]) { end = u.index(before: end) }
        return s[start..<end]
    }

    /// ASCII-lower-cased copy (other characters unchanged): cheap for the short tokens it is used on.
    var asciiLowercased: String {
        String(decoding: utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }
}
