extension StringProtocol {
    /// Whether the text holds `word` (ASCII), ignoring the case of ASCII letters when
    /// `ignoringCase`: one pass over the UTF-8 bytes, without lowercasing a copy or calling into
    /// Foundation (hot paths ask it of every message and log line).
    public func containsASCII(_ word: String, ignoringCase: Bool = false) -> Bool {
        var needle = Array(word.utf8)
        precondition(needle.allSatisfy { $0 < 0x80 }, "containsASCII looks for ASCII words")
        if ignoringCase { needle = needle.map(asciiLower) }
        if let found = utf8.withContiguousStorageIfAvailable({ asciiFind(needle, in: $0, ignoringCase: ignoringCase) }) { return found }
        return Array(utf8).withUnsafeBufferPointer { asciiFind(needle, in: $0, ignoringCase: ignoringCase) }
    }
}

@inline(__always) private func asciiLower(_ b: UInt8) -> UInt8 { b &- 0x41 < 26 ? b | 0x20 : b }

/// Whether `bytes` hold `needle` (already lowercased when `ignoringCase`).
private func asciiFind(_ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, ignoringCase: Bool) -> Bool {
    let n = needle.count
    guard n > 0 else { return true }
    guard bytes.count >= n else { return false }
    return needle.withUnsafeBufferPointer { w in
        let first = w[0]
        for i in 0...(bytes.count - n) {
            let b = ignoringCase ? asciiLower(bytes[i]) : bytes[i]
            guard b == first else { continue }
            var j = 1
            while j < n, (ignoringCase ? asciiLower(bytes[i + j]) : bytes[i + j]) == w[j] { j += 1 }
            if j == n { return true }
        }
        return false
    }
}
