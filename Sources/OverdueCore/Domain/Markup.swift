/// Text placed in HTML or XML (email HTML parts, TwiML, server pages): debtor-supplied words are
/// always escaped.
public enum Markup {
    /// `s` with `&`, `<`, `>`, `"` and `'` escaped (safe in element text and quoted attributes).
    public static func escape(_ s: String) -> String {
        guard s.utf8.contains(where: needsEscape) else { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 16)
        escape(s.utf8, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `bytes` (UTF-8) to `out`, escaped as `escape` does. The five characters are ASCII, so
    /// no other byte of a UTF-8 sequence can be mistaken for one of them. (Inlinable: composing
    /// calls it for every word of every message, on byte slices of its own module.)
    @inlinable public static func escape(_ bytes: some Sequence<UInt8>, into out: inout [UInt8]) {
        for b in bytes {
            switch b {
            case UInt8(ascii: "&"): out += "&amp;".utf8
            case UInt8(ascii: "<"): out += "&lt;".utf8
            case UInt8(ascii: ">"): out += "&gt;".utf8
            case UInt8(ascii: "\""): out += "&quot;".utf8
            case UInt8(ascii: "'"): out += "&#39;".utf8
            default: out.append(b)
            }
        }
    }

    private static func needsEscape(_ b: UInt8) -> Bool {
        b == UInt8(ascii: "&") || b == UInt8(ascii: "<") || b == UInt8(ascii: ">") || b == UInt8(ascii: "\"") || b == UInt8(ascii: "'")
    }
}

/// Text printed on a terminal. A debtor's words reach the CLI's tables and messages (a contact's
/// name, a reply, a mail's subject); escape sequences in them could rewrite the screen, hide lines
/// or set the window title, so control characters are shown as `�` instead.
public enum TerminalText {
    /// `s` with every control character but tab, line feed and carriage return replaced by U+FFFD
    /// (C0, DEL and C1: ESC and CSI among them).
    public static func safe(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: isUnsafe) else { return s }
        var out = String.UnicodeScalarView()
        for scalar in s.unicodeScalars { out.append(isUnsafe(scalar) ? "\u{FFFD}" : scalar) }
        return String(out)
    }

    private static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return (v < 0x20 && v != 0x09 && v != 0x0A && v != 0x0D) || (0x7F...0x9F).contains(v)
    }
}
