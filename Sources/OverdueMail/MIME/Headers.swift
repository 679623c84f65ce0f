import Foundation

/// A message or part's header fields, in order, unfolded. Lookup ignores case.
public struct MailHeaders: Hashable, Sendable {
    /// The fields as (name, raw value) in order.
    public var fields: [(name: String, value: String)]

    /// Whether the two are the same.
    public static func == (a: MailHeaders, b: MailHeaders) -> Bool {
        a.fields.map(\.name) == b.fields.map(\.name) && a.fields.map(\.value) == b.fields.map(\.value)
    }

    /// Hashes what `==` compares.
    public func hash(into h: inout Hasher) {
        for f in fields { h.combine(f.name); h.combine(f.value) }
    }

    /// Creates headers.
    public init(_ fields: [(name: String, value: String)] = []) { self.fields = fields }

    /// The first raw value of `name`.
    public subscript(_ name: String) -> String? {
        fields.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Every raw value of `name`.
    public func all(_ name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    /// The value of `name` with RFC 2047 encoded words decoded.
    public func text(_ name: String) -> String? { self[name].map(EncodedWord.decode) }

    /// Parses a header block (up to the blank line); lines that are not fields are skipped.
    static func parse(_ lines: [Substring]) -> MailHeaders {
        var fields: [(name: String, value: String)] = []
        for line in lines {
            if let first = line.first, first == " " || first == "\t" {
                guard !fields.isEmpty else { continue }
                fields[fields.count - 1].value += " " + line.trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, !name.contains(" ") else { continue }
            fields.append((name, line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return MailHeaders(fields)
    }
}

/// A structured header value: `type/subtype; key=value; …` (Content-Type, Content-Disposition).
public struct HeaderValue: Hashable, Sendable {
    /// The main value, lower-cased (`text/plain`, `attachment`).
    public var value: String
    /// Parameters with lower-cased names (RFC 2231 continuations and charsets joined and decoded).
    public var parameters: [String: String]

    /// Parses `raw`.
    public init(_ raw: String) {
        var parts: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for ch in raw {
            if escaped { current.append(ch); escaped = false; continue }
            if ch == "\\" && quoted { escaped = true; continue }
            if ch == "\"" { quoted.toggle(); continue }
            if ch == ";" && !quoted { parts.append(current); current = ""; continue }
            current.append(ch)
        }
        parts.append(current)
        value = parts.first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        var params: [String: String] = [:]
        var continued: [String: [(Int, String, Bool)]] = [:]
        for p in parts.dropFirst() {
            guard let eq = p.firstIndex(of: "=") else { continue }
            let key = p[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            let v = p[p.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            // RFC 2231: name*0*=utf-8''a%20b; name*1=c
            if let star = key.firstIndex(of: "*") {
                let base = String(key[..<star])
                let rest = key[key.index(after: star)...]
                let encoded = rest.hasSuffix("*") || rest.isEmpty
                let index = Int(rest.trimmingCharacters(in: CharacterSet(charactersIn: "*"))) ?? 0
                continued[base, default: []].append((index, v, encoded))
            } else {
                params[key] = v
            }
        }
        for (base, pieces) in continued {
            var charset: String?
            var bytes: [UInt8] = []
            for (i, piece) in pieces.sorted(by: { $0.0 < $1.0 }).enumerated() {
                var text = Substring(piece.1)
                if piece.2 {
                    if i == 0, let q1 = text.firstIndex(of: "'"), let q2 = text[text.index(after: q1)...].firstIndex(of: "'") {
                        charset = String(text[..<q1])
                        text = text[text.index(after: q2)...]
                    }
                    bytes += Self.percentDecode(text)
                } else {
                    bytes += Array(text.utf8)
                }
            }
            params[base] = Charset.decode(bytes, charset: charset ?? "utf-8").text
        }
        parameters = params
    }

    static func percentDecode(_ s: Substring) -> [UInt8] {
        var out: [UInt8] = []
        let b = Array(s.utf8)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "%"), i + 2 < b.count, let h = hex(b[i + 1]), let l = hex(b[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return out
    }

    static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 65...70: return c - 55
        case 97...102: return c - 87
        default: return nil
        }
    }
}

/// RFC 2047 encoded words: `=?charset?B|Q?text?=`.
public enum EncodedWord {
    /// The longest encoded word read (RFC 2047 allows 75 characters; senders exceed it).
    static let longestWord = 1_024

    /// Decodes every encoded word in `header` (whitespace between adjacent encoded words is dropped).
    /// One pass over the bytes: where the next `?` and the next `?=` are is kept as the scan moves
    /// on, so a header of a hundred thousand `=?` that never end costs no more than its length.
    public static func decode(_ header: String) -> String {
        guard header.contains("=?") else { return header }
        let b = Array(header.utf8)
        let n = b.count
        var out: [UInt8] = []
        out.reserveCapacity(n)
        var i = 0
        var lastWasEncoded = false
        // Cached positions of the next "?" and the next "?=" at or after a point (nil: none).
        var nextQ = -1
        var nextEnd = -1
        func question(from p: Int) -> Int? {
            if nextQ < p { nextQ = p; while nextQ < n && b[nextQ] != 63 { nextQ += 1 } }
            return nextQ < n ? nextQ : nil
        }
        func close(from p: Int) -> Int? {
            if nextEnd < p { nextEnd = p; while nextEnd + 1 < n && !(b[nextEnd] == 63 && b[nextEnd + 1] == 61) { nextEnd += 1 } }
            return nextEnd + 1 < n ? nextEnd : nil
        }
        func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 13 || c == 10 }
        while i < n {
            // The next "=?".
            var s = i
            while s + 1 < n && !(b[s] == 61 && b[s + 1] == 63) { s += 1 }
            guard s + 1 < n else { break }
            let before = b[i..<s]
            // =?charset?M?payload?=
            guard let q1 = question(from: s + 2), q1 - (s + 2) <= 64, q1 + 2 < n, b[q1 + 2] == 63,
                let end = close(from: q1 + 3), end - (q1 + 3) <= longestWord
            else {
                out += before
                out += [61, 63]
                i = s + 2
                lastWasEncoded = false
                continue
            }
            let charset = String(decoding: b[(s + 2)..<q1], as: UTF8.self).split(separator: "*").first.map(String.init) ?? ""
            let mode = b[q1 + 1] | 0x20
            let payload = b[(q1 + 3)..<end]
            let whitespace = before.allSatisfy(isSpace)
            if !(lastWasEncoded && whitespace) { out += before }
            let bytes: [UInt8]
            if mode == UInt8(ascii: "b") {
                bytes = Base64.decode(payload)
            } else if mode == UInt8(ascii: "q") {
                bytes = QuotedPrintable.decode(Array(payload), underscoreIsSpace: true)
            } else {
                out += b[s..<(end + 2)]
                i = end + 2
                lastWasEncoded = false
                continue
            }
            out += Array(Charset.decode(bytes, charset: charset).text.utf8)
            i = end + 2
            lastWasEncoded = true
        }
        if i < n { out += b[i...] }
        return String(decoding: out, as: UTF8.self)
    }

    /// Encodes `text` for a header when it is not plain ASCII (UTF-8, base64 words of at most 75 characters).
    public static func encode(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value > 126 || ($0.value < 32 && $0 != "\t") }) else { return text }
        var words: [String] = []
        var chunk: [UInt8] = []
        // 45 bytes of UTF-8 → 60 base64 characters + 12 of wrapping: under the 75 limit.
        for ch in text {
            let bytes = Array(String(ch).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return words.joined(separator: "\r\n ")
    }
}

/// Base64 decoding that skips whitespace and stray characters instead of failing.
public enum Base64 {
    /// Decodes what it can of `text`.
    public static func decode(_ text: some Sequence<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        var acc: UInt32 = 0
        var bits = 0
        for c in text {
            let v: UInt32
            switch c {
            case 65...90: v = UInt32(c - 65)
            case 97...122: v = UInt32(c - 71)
            case 48...57: v = UInt32(c + 4)
            case 43, 45: v = 62
            case 47, 95: v = 63
            case 61: bits = 0; acc = 0; continue
            default: continue
            }
            acc = acc << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((acc >> UInt32(bits)) & 0xFF))
            }
        }
        return out
    }
}

/// Quoted-printable (RFC 2045 §6.7).
public enum QuotedPrintable {
    /// Decodes `bytes`; invalid escapes are kept as written.
    public static func decode(_ bytes: [UInt8], underscoreIsSpace: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "=") {
                // Soft line break: "=" then optional spaces then CRLF or LF.
                var j = i + 1
                while j < bytes.count && (bytes[j] == 32 || bytes[j] == 9) { j += 1 }
                if j < bytes.count && bytes[j] == 13 { j += 1 }
                if j < bytes.count && bytes[j] == 10 { i = j + 1; continue }
                if j >= bytes.count { break }
                if i + 2 < bytes.count, let h = HeaderValue.hex(bytes[i + 1]), let l = HeaderValue.hex(bytes[i + 2]) {
                    out.append(h << 4 | l)
                    i += 3
                    continue
                }
                out.append(b)
                i += 1
            } else if b == UInt8(ascii: "_") && underscoreIsSpace {
                out.append(32)
                i += 1
            } else {
                out.append(b)
                i += 1
            }
        }
        return out
    }

    /// Encodes UTF-8 text, lines at most 76 characters, CRLF line ends.
    public static func encode(_ text: String) -> String {
        var out = ""
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        for (n, line) in lines.enumerated() {
            var current = ""
            let bytes = Array(line.utf8)
            for (k, b) in bytes.enumerated() {
                let isLast = k == bytes.count - 1
                var piece: String
                if (b >= 33 && b <= 126 && b != 61) || ((b == 32 || b == 9) && !isLast) {
                    piece = String(UnicodeScalar(b))
                } else {
                    piece = String(format: "=%02X", b)
                }
                // A line starting with "." or "From " survives naive relays better encoded.
                if current.isEmpty && k == 0 && b == UInt8(ascii: ".") { piece = "=2E" }
                if current.count + piece.count > 75 {
                    out += current + "=\r\n"
                    current = ""
                }
                current += piece
            }
            out += current
            if n < lines.count - 1 { out += "\r\n" }
        }
        return out
    }
}
