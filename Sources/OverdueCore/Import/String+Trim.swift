extension StringProtocol {
    /// The text without leading and trailing ASCII spaces, tabs and line breaks; no scan beyond the
    /// two ends when there are none — the common case on the import hot path.
    public var trimmedASCII: String {
        let s = Substring(self)
        let u = s.utf8
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        var start = u.startIndex, end = u.endIndex
        while start < end, isSpace(u[start]) { start = u.index(after: start) }
        while end > start, isSpace(u[u.index(before: end)]) { end = u.index(before: end) }
        if start == u.startIndex && end == u.endIndex { return String(s) }
        return String(s[start..<end])
    }
}

extension StringProtocol {
    /// The text without leading and trailing white space (Unicode's, line breaks included), without
    /// a trip through Foundation (hot in composing every message).
    public var trimmedWhitespace: String {
        let s = Substring(self)
        guard let first = s.firstIndex(where: { !$0.isWhitespace }), let last = s.lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(s[first...last])
    }
}
