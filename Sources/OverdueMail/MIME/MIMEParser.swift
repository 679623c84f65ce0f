import Foundation

/// One MIME entity: headers and either a decoded body or sub-parts.
public struct MIMEPart: Sendable {
    /// Header fields.
    public var headers: MailHeaders
    /// `Content-Type` (default `text/plain; charset=us-ascii`).
    public var contentType: HeaderValue
    /// `Content-Disposition`, if any.
    public var disposition: HeaderValue?
    /// The body with its transfer encoding undone (empty for multiparts).
    public var body: [UInt8]
    /// Sub-parts (multiparts; a `message/rfc822` part holds the enclosed message as its one part).
    public var parts: [MIMEPart]

    /// The media type, lower-cased (`text/plain`).
    public var mediaType: String { contentType.value }
    /// The file name (Content-Disposition's, else Content-Type's `name`), decoded.
    public var filename: String? {
        (disposition?.parameters["filename"] ?? contentType.parameters["name"]).map(EncodedWord.decode)
    }
    /// Whether this is an attachment rather than message text.
    public var isAttachment: Bool {
        disposition?.value == "attachment" || (filename != nil && !mediaType.hasPrefix("text/"))
            || (!mediaType.hasPrefix("text/") && !mediaType.hasPrefix("multipart/") && !mediaType.hasPrefix("message/"))
    }
    /// The body as text in its charset.
    public var text: String { Charset.decode(body, charset: contentType.parameters["charset"]).text }

    /// Every part in document order (this one first).
    public var flattened: [MIMEPart] { [self] + parts.flatMap(\.flattened) }
}

/// A parsed message. Parsing never fails: whatever cannot be understood is kept raw and noted in
/// `problems`.
public struct MailMessage: Sendable {
    /// The bytes as received.
    public let raw: [UInt8]
    /// The top-level entity.
    public let root: MIMEPart
    /// What was malformed (empty for a clean message).
    public let problems: [String]
    /// The text a person reads: the first text/plain part, else the first HTML part as text.
    /// Worked out once, when the message is made: a sender's HTML is never converted twice.
    public let textBody: String
    /// The first mailbox of `From`, read once.
    let sender: (name: String?, address: String)?
    /// The start of `textBody` (64 KiB at most): what classifying the mail reads — a server's
    /// bounce or an auto-reply says what it is early, and a sender's megabyte is not searched.
    public let leadingText: String

    /// A message from its parts.
    public init(raw: [UInt8], root: MIMEPart, problems: [String]) {
        (self.raw, self.root, self.problems) = (raw, root, problems)
        sender = root.headers["From"].flatMap { Addresses.parse($0).first }
        let all = root.flattened.filter { !$0.isAttachment }
        if let plain = all.first(where: { $0.mediaType == "text/plain" || ($0.mediaType.isEmpty && $0.parts.isEmpty) }) {
            textBody = plain.text
        } else if let html = all.first(where: { $0.mediaType == "text/html" }) {
            textBody = HTMLText.plain(html.text)
        } else {
            textBody = ""
        }
        leadingText = textBody.utf8.count > 65_536 ? String(decoding: textBody.utf8.prefix(65_536), as: UTF8.self) : textBody
    }

    /// Top-level headers.
    public var headers: MailHeaders { root.headers }
    /// Subject, decoded.
    public var subject: String? { headers.text("Subject") }
    /// `Message-ID` without angle brackets.
    public var messageID: String? { headers["Message-ID"].flatMap { MessageIDs.parse($0).first } }
    /// `In-Reply-To` ids.
    public var inReplyTo: [String] { headers["In-Reply-To"].map(MessageIDs.parse) ?? [] }
    /// `References` ids, oldest first.
    public var references: [String] { headers["References"].map(MessageIDs.parse) ?? [] }
    /// The sender's address (From), lower-cased.
    public var fromAddress: String? { sender?.address }
    /// The sender's display name, decoded.
    public var fromName: String? { sender?.name }
    /// Every recipient address (To, Cc, Delivered-To).
    public var recipientAddresses: [String] {
        (headers.all("To") + headers.all("Cc") + headers.all("Delivered-To")).flatMap { Addresses.parse($0).map(\.address) }
    }

    /// The message's text: the first plain-text part that is not an attachment, else its HTML with tags removed.
    /// Attachments in order.
    public var attachments: [MIMEPart] { root.flattened.filter { $0.parts.isEmpty && $0.isAttachment } }
}

/// Parses RFC 5322 / MIME messages.
public enum MIMEParser {
    static let maxDepth = 24

    /// Parses `bytes`.
    public static func parse(_ bytes: [UInt8]) -> MailMessage {
        var problems: [String] = []
        var start = bytes.startIndex
        // An mbox "From " separator line is not a header field: skip it.
        if bytes.starts(with: Array("From ".utf8)), let nl = bytes.firstIndex(of: 10) { start = nl + 1 }
        let root = entity(bytes[start...], depth: 0, problems: &problems, defaultType: "text/plain")
        if root.headers.fields.isEmpty { problems.append("no header fields") }
        return MailMessage(raw: bytes, root: root, problems: problems)
    }

    /// Parses `data`.
    public static func parse(_ data: Data) -> MailMessage { parse([UInt8](data)) }

    static func entity(_ bytes: ArraySlice<UInt8>, depth: Int, problems: inout [String], defaultType: String) -> MIMEPart {
        let (headerLines, body) = splitHead(bytes)
        let headers = MailHeaders.parse(headerLines)
        let contentType = HeaderValue(headers["Content-Type"] ?? defaultType)
        let disposition = headers["Content-Disposition"].map(HeaderValue.init)
        var part = MIMEPart(
            headers: headers, contentType: contentType.value.contains("/") ? contentType : HeaderValue(defaultType),
            disposition: disposition, body: [], parts: [])
        guard depth < maxDepth else {
            problems.append("nesting deeper than \(maxDepth) levels: the rest is kept raw")
            part.body = Array(body)
            return part
        }
        if part.mediaType.hasPrefix("multipart/") {
            guard let boundary = contentType.parameters["boundary"], !boundary.isEmpty else {
                problems.append("\(part.mediaType) without a boundary: kept as text")
                part.contentType = HeaderValue("text/plain")
                part.body = Array(body)
                return part
            }
            let child = part.mediaType == "multipart/digest" ? "message/rfc822" : "text/plain"
            let (pieces, closed) = split(body, boundary: Array(boundary.utf8))
            if !closed { problems.append("\(part.mediaType): closing boundary missing") }
            if pieces.isEmpty {
                // No part where the boundary says: keep the whole body readable as text.
                problems.append("\(part.mediaType): no parts; kept as text")
                part.body = Array(body)
                part.parts = [MIMEPart(headers: MailHeaders(), contentType: HeaderValue("text/plain"), disposition: nil, body: Array(body), parts: [])]
                return part
            }
            part.parts = pieces.map { entity($0, depth: depth + 1, problems: &problems, defaultType: child) }
            return part
        }
        let decoded = decodeTransfer(body, encoding: headers["Content-Transfer-Encoding"], problems: &problems)
        part.body = decoded
        if part.mediaType == "message/rfc822" || part.mediaType == "message/global" {
            part.parts = [entity(decoded[...], depth: depth + 1, problems: &problems, defaultType: "text/plain")]
        }
        return part
    }

    /// Header lines and the body after the first empty line (CRLF or LF line ends).
    static func splitHead(_ bytes: ArraySlice<UInt8>) -> ([Substring], ArraySlice<UInt8>) {
        var lines: [Substring] = []
        var start = bytes.startIndex
        var i = bytes.startIndex
        while i < bytes.endIndex {
            if bytes[i] == 10 {
                var end = i
                if end > start && bytes[end - 1] == 13 { end -= 1 }
                if end == start { return (lines, bytes[(i + 1)...]) }
                lines.append(Substring(String(decoding: bytes[start..<end], as: UTF8.self)))
                start = i + 1
            }
            i += 1
        }
        if start < bytes.endIndex {
            // No blank line: a header-only entity, or a body with no headers at all.
            let tail = String(decoding: bytes[start...], as: UTF8.self)
            if lines.isEmpty && !tail.contains(":") { return ([], bytes) }
            lines.append(Substring(tail))
        }
        if lines.first.map({ !$0.contains(":") }) ?? false { return ([], bytes) }
        return (lines, bytes[bytes.endIndex...])
    }

    /// The parts between `--boundary` lines; whether the closing `--boundary--` was seen.
    static func split(_ body: ArraySlice<UInt8>, boundary: [UInt8]) -> ([ArraySlice<UInt8>], Bool) {
        let marker = [UInt8(ascii: "-"), UInt8(ascii: "-")] + boundary
        var pieces: [ArraySlice<UInt8>] = []
        var partStart: Int?
        var lineStart = body.startIndex
        var i = body.startIndex
        func atMarker(_ at: Int) -> (matched: Bool, closing: Bool) {
            guard body.endIndex - at >= marker.count else { return (false, false) }
            for k in 0..<marker.count where body[at + k] != marker[k] { return (false, false) }
            let after = at + marker.count
            let closing = body.endIndex - after >= 2 && body[after] == 45 && body[after + 1] == 45
            return (true, closing)
        }
        while lineStart < body.endIndex {
            i = lineStart
            while i < body.endIndex && body[i] != 10 { i += 1 }
            let next = i < body.endIndex ? i + 1 : i
            let m = atMarker(lineStart)
            if m.matched {
                if let s = partStart {
                    // The line break before the boundary belongs to the boundary.
                    var end = lineStart
                    if end > s && body[end - 1] == 10 { end -= 1 }
                    if end > s && body[end - 1] == 13 { end -= 1 }
                    pieces.append(body[s..<end])
                }
                if m.closing { return (pieces, true) }
                partStart = next
            }
            lineStart = next
        }
        if let s = partStart, s < body.endIndex { pieces.append(body[s...]) }
        return (pieces, false)
    }

    static func decodeTransfer(_ body: ArraySlice<UInt8>, encoding: String?, problems: inout [String]) -> [UInt8] {
        switch encoding?.trimmingCharacters(in: .whitespaces).lowercased() ?? "7bit" {
        case "base64": return Base64.decode(body)
        case "quoted-printable": return QuotedPrintable.decode(Array(body))
        case "7bit", "8bit", "binary", "": return Array(body)
        case let other:
            problems.append("unknown Content-Transfer-Encoding '\(other)': body kept as is")
            return Array(body)
        }
    }
}

/// Message-ID lists (`<a@b> <c@d>`).
public enum MessageIDs {
    /// The ids in `header`, without angle brackets, in order.
    public static func parse(_ header: String) -> [String] {
        var ids: [String] = []
        var rest = Substring(header)
        while let open = rest.firstIndex(of: "<") {
            guard let close = rest[open...].firstIndex(of: ">") else { break }
            let id = rest[rest.index(after: open)..<close].trimmingCharacters(in: .whitespaces)
            if !id.isEmpty { ids.append(id) }
            rest = rest[rest.index(after: close)...]
        }
        if ids.isEmpty {
            let bare = header.trimmingCharacters(in: .whitespaces)
            if bare.contains("@") && !bare.contains(" ") { ids.append(bare) }
        }
        return ids
    }
}

/// Address lists (`"Reyes, Dana" <dana@x.com>, ap@y.com`).
public enum Addresses {
    /// The most of a header read as addresses (bytes).
    static let maxLength = 65_536

    /// The mailboxes in `header`: address lower-cased, display name decoded.
    public static func parse(_ full: String) -> [(name: String?, address: String)] {
        // Beyond a few thousand mailboxes a header is no address list but an attack: the rest is not read.
        let header = full.utf8.count > maxLength ? String(decoding: full.utf8.prefix(maxLength), as: UTF8.self) : full
        var result: [(String?, String)] = []
        var current = ""
        var quoted = false
        var angle = 0
        var comment = 0
        var items: [String] = []
        for ch in header {
            if ch == "\"" && comment == 0 { quoted.toggle() }
            if !quoted {
                if ch == "(" { comment += 1 } else if ch == ")" { comment = max(0, comment - 1) }
                if ch == "<" { angle += 1 } else if ch == ">" { angle = max(0, angle - 1) }
            }
            if ch == "," && !quoted && angle == 0 && comment == 0 { items.append(current); current = ""; continue }
            current.append(ch)
        }
        items.append(current)
        for item in items {
            let t = item.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !t.isEmpty else { continue }
            if let open = t.lastIndex(of: "<"), let close = t.lastIndex(of: ">"), open < close {
                let address = t[t.index(after: open)..<close].trimmingCharacters(in: .whitespaces).lowercased()
                var name = t[..<open].trimmingCharacters(in: .whitespaces)
                if name.hasPrefix("\"") && name.hasSuffix("\"") && name.count >= 2 { name = String(name.dropFirst().dropLast()) }
                if address.contains("@") { result.append((name.isEmpty ? nil : EncodedWord.decode(name), address)) }
            } else {
                let bare = t.split(separator: " ").first { $0.contains("@") }.map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: "<>;,()\"")) }
                if let bare { result.append((nil, bare.lowercased())) }
            }
        }
        return result
    }
}

/// HTML to plain text, good enough to read a reply: scripts and styles dropped, quoted mail
/// (`blockquote`, nested too) dropped, line breaks where blocks end, tags removed, the common
/// entities undone. One pass over the bytes, at most `maxBytes` of them: a sender's HTML, however
/// it is made (thousands of unclosed tags), costs time in proportion to its length.
enum HTMLText {
    /// The most HTML read (the rest of a larger part is ignored).
    static let maxBytes = 2 << 20

    static func plain(_ html: String) -> String {
        let b = Array(html.utf8.prefix(maxBytes))
        var out: [UInt8] = []
        out.reserveCapacity(b.count / 2)
        var quoted = 0
        var i = 0
        func lower(_ c: UInt8) -> UInt8 { c >= 65 && c <= 90 ? c + 32 : c }
        func isName(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) }
        /// Where `needle` (lower-case ASCII) next starts at or after `from`, ignoring case.
        func find(_ needle: [UInt8], from: Int) -> Int? {
            var j = from
            while j + needle.count <= b.count {
                if lower(b[j]) == needle[0] && (1..<needle.count).allSatisfy({ lower(b[j + $0]) == needle[$0] }) { return j }
                j += 1
            }
            return nil
        }
        while i < b.count {
            guard b[i] == UInt8(ascii: "<"), let end = b[(i + 1)...].firstIndex(of: UInt8(ascii: ">")) else {
                if quoted == 0 { out.append(b[i]) }
                i += 1
                continue
            }
            var j = i + 1
            let closing = j < end && b[j] == UInt8(ascii: "/")
            if closing { j += 1 }
            var name: [UInt8] = []
            while j < end && isName(b[j]) {
                name.append(lower(b[j]))
                j += 1
            }
            i = end + 1
            switch String(decoding: name, as: UTF8.self) {
            case "script" where !closing, "style" where !closing:
                // Everything up to the element's end, and that end, goes.
                guard let stop = find(Array("</".utf8) + name, from: i), let close = b[stop...].firstIndex(of: UInt8(ascii: ">")) else {
                    i = b.count
                    continue
                }
                i = close + 1
            case "blockquote":
                if closing {
                    if quoted > 0 {
                        quoted -= 1
                        if quoted == 0 { out.append(10) }
                    }
                } else {
                    quoted += 1
                }
            case "br" where quoted == 0:
                out.append(10)
            case "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6":
                if closing && quoted == 0 { out.append(10) }
            default:
                break
            }
        }
        var s = String(decoding: out, as: UTF8.self)
        for (entity, ch) in [("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&apos;", "'"), ("&amp;", "&")] {
            s = s.replacingOccurrences(of: entity, with: ch)
        }
        return s.replacingOccurrences(of: "\n{3,}", with: "\n\n", options: .regularExpression).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
