/// Comparing secrets (signatures, hashes, tokens) in time that depends only on their lengths.
public enum ConstantTime {
    /// Whether `a` and `b` are equal, looking at every byte whatever the first difference.
    public static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var diff: UInt8 = x.count == y.count ? 0 : 1
        for i in 0..<min(x.count, y.count) { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
