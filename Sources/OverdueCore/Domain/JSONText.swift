/// JSON string literals written by hand (RFC 8259): where a value is written without
/// `JSONEncoder` — what every planning stores, the NLU evaluation's lines — its strings go
/// through here.
public enum JSONText {
    /// Appends `s` to `out` as a JSON string: quotes, backslashes and control characters escaped,
    /// everything else (slashes and non-ASCII text included) as it is.
    public static func append(_ s: String, to out: inout String) {
        out += "\""
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out += s
        } else {
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where scalar.value < 0x20: out += "\\u00" + Hex.string([UInt8(scalar.value)])
                default: out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// `s` as a JSON string.
    public static func quoted(_ s: String) -> String {
        var out = ""
        append(s, to: &out)
        return out
    }
}
