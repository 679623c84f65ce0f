/// Text placed in HTML or XML (email HTML parts, TwiML, server pages): debtor-supplied words are
/// always escaped.
public enum Markup {
    /// `s` with `&`, `<`, `>`, `"` and `'` escaped (safe in element text and quoted attributes).
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
