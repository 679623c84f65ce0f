/// Whole-word phrases found by the hashes of their words (`NormalizedText.wordHashes`): one pass
/// over a reply's words and one table probe per word, however many phrases there are. Phrases are
/// written as `NormalizedText` reads them: lower case, accents folded, words separated by single
/// spaces ("don t", "out of office").
///
/// Words are compared by 64-bit FNV-1a hashes: two different words of a reply and a phrase share a
/// hash with a probability of about one in 10¹⁹ per comparison.
struct PhraseIndex: Sendable {
    /// A phrase after its first word: the hashes of the other words, and what it stands for.
    struct Tail: Sendable {
        let words: [UInt64]
        let value: Int
    }

    /// First-word hashes (0: empty slot), probed linearly.
    private let keys: [UInt64]
    /// The phrases starting with the word in the same slot of `keys`.
    private let tails: [[Tail]]
    private let mask: Int

    /// An index of `phrases`, each with the value it reports when found.
    init(_ phrases: [(phrase: String, value: Int)]) {
        var capacity = 16
        while capacity < phrases.count * 3 { capacity *= 2 }
        var keys = [UInt64](repeating: 0, count: capacity)
        var tails = [[Tail]](repeating: [], count: capacity)
        for (phrase, value) in phrases {
            let words = phrase.split(separator: " ").map { PhraseIndex.hash(Array($0.utf8)) }
            guard let first = words.first else { continue }
            var s = PhraseIndex.slot(first, capacity - 1)
            while keys[s] != 0 && keys[s] != first { s = (s + 1) & (capacity - 1) }
            keys[s] = first
            tails[s].append(Tail(words: Array(words.dropFirst()), value: value))
        }
        self.keys = keys
        self.tails = tails
        mask = capacity - 1
    }

    /// FNV-1a: the hash of no bytes, and one byte added to a hash (`NormalizedText` hashes its words
    /// byte by byte as it folds them).
    static let emptyHash: UInt64 = 0xcbf2_9ce4_8422_2325
    @inline(__always)
    static func adding(_ byte: UInt8, to h: UInt64) -> UInt64 { (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
    /// A finished word hash (never 0, which marks an empty slot).
    @inline(__always)
    static func finished(_ h: UInt64) -> UInt64 { h == 0 ? 1 : h }

    /// The hash of one word's bytes.
    static func hash<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        finished(bytes.reduce(emptyHash) { adding($1, to: $0) })
    }

    @inline(__always)
    private static func slot(_ h: UInt64, _ mask: Int) -> Int { Int(truncatingIfNeeded: h ^ (h >> 29)) & mask }

    /// The phrases that start at word `i` of `words`: calls `found` with each one's value and length in words.
    @inline(__always)
    func matches(_ words: [UInt64], at i: Int, _ found: (_ value: Int, _ length: Int) -> Void) {
        let first = words[i]
        var s = PhraseIndex.slot(first, mask)
        while true {
            let k = keys[s]
            if k == 0 { return }
            if k == first { break }
            s = (s + 1) & mask
        }
        for tail in tails[s] where i + tail.words.count < words.count {
            var all = true
            for (n, w) in tail.words.enumerated() where words[i + 1 + n] != w {
                all = false
                break
            }
            if all { found(tail.value, tail.words.count + 1) }
        }
    }

    /// The value of the one-word phrase `word` (a hash from `wordHashes`), if there is one.
    @inline(__always)
    func value(ofWord word: UInt64) -> Int? {
        var s = PhraseIndex.slot(word, mask)
        while true {
            let k = keys[s]
            if k == 0 { return nil }
            if k == word { break }
            s = (s + 1) & mask
        }
        return tails[s].first { $0.words.isEmpty }?.value
    }
}
