import Foundation

/// A mailbox: an address with an optional display name.
public struct Mailbox: Hashable, Sendable {
    /// Display name.
    public var name: String?
    /// Address.
    public var address: String

    /// Creates a mailbox.
    public init(_ address: String, name: String? = nil) {
        self.address = address
        self.name = name
    }

    /// The header form: `Name <address>`, the name quoted or encoded as needed. Control characters
    /// in the name (a contact imported as `Dana\r\nBcc: x@evil`) become spaces: a name never starts a
    /// header of its own.
    public var header: String {
        let name = name.map(MIMEBuilder.withoutControls).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let name, !name.isEmpty else { return address }
        if name.unicodeScalars.contains(where: { $0.value > 126 }) { return "\(EncodedWord.encode(name)) <\(address)>" }
        let special = name.contains { "()<>[]:;@\\,.\"".contains($0) }
        return special
            ? "\"\(name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\" <\(address)>" : "\(name) <\(address)>"
    }
}

/// A file to attach.
public struct MailAttachment: Hashable, Sendable {
    /// File name shown to the reader.
    public var filename: String
    /// MIME type.
    public var contentType: String
    /// Content.
    public var data: [UInt8]

    /// Creates an attachment.
    public init(filename: String, contentType: String, data: [UInt8]) {
        self.filename = filename
        self.contentType = contentType
        self.data = data
    }
}

/// An outgoing message, before it is serialised.
public struct OutgoingMail: Sendable {
    /// Sender.
    public var from: Mailbox
    /// Recipients.
    public var to: [Mailbox]
    /// Carbon copies.
    public var cc: [Mailbox] = []
    /// Where replies go (e.g. a per-case address).
    public var replyTo: Mailbox?
    /// Subject.
    public var subject: String
    /// Plain-text body.
    public var text: String
    /// HTML body (optional).
    public var html: String?
    /// Attachments.
    public var attachments: [MailAttachment] = []
    /// `Message-ID` without brackets.
    public var messageID: String
    /// The message answered (`In-Reply-To`).
    public var inReplyTo: String?
    /// The thread (`References`), oldest first.
    public var references: [String] = []
    /// When it was written.
    public var date: Date
    /// `List-Unsubscribe` targets (`mailto:` and/or `https:`); with an https one, one-click (RFC 8058) is offered.
    public var unsubscribe: [String] = []
    /// Extra header fields.
    public var extraHeaders: [(String, String)] = []

    /// Creates a message.
    public init(from: Mailbox, to: [Mailbox], subject: String, text: String, html: String? = nil, messageID: String, date: Date) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.messageID = messageID
        self.date = date
    }
}

/// Serialises messages: RFC 5322 headers, MIME structure (multipart/alternative inside
/// multipart/mixed), quoted-printable text, base64 attachments, CRLF line ends, no line over 998
/// octets.
public enum MIMEBuilder {
    /// `s` with every control character (line breaks included) made a space.
    static func withoutControls(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return s }
        return String(String.UnicodeScalarView(s.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }

    /// A header value as written: the folds this builder makes (CR LF then a space) stay; any other
    /// line break or control character, wherever it came from (a Message-ID in a debtor's mail, a
    /// header a caller added), becomes a space, so no value can end its header and start another.
    static func headerValue(_ value: String) -> String {
        let scalars = Array(value.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            let v = scalars[i].value
            if v == 0x0D, i + 2 < scalars.count, scalars[i + 1] == "\n", scalars[i + 2] == " " || scalars[i + 2] == "\t" {
                out.append(contentsOf: "\r\n".unicodeScalars)
                i += 2
                continue
            }
            out.append(v < 0x20 && v != 0x09 || v == 0x7F ? " " : scalars[i])
            i += 1
        }
        return String(out)
    }

    /// The message as bytes ready for SMTP `DATA` (before dot-stuffing).
    public static func build(_ m: OutgoingMail, boundarySeed: String? = nil) -> [UInt8] {
        let seed = boundarySeed ?? m.messageID
        var h: [(String, String)] = [
            ("Date", rfc5322Date(m.date)),
            ("From", m.from.header),
            ("To", m.to.map(\.header).joined(separator: ",\r\n ")),
        ]
        if !m.cc.isEmpty { h.append(("Cc", m.cc.map(\.header).joined(separator: ",\r\n "))) }
        if let r = m.replyTo { h.append(("Reply-To", r.header)) }
        h.append(("Subject", EncodedWord.encode(withoutControls(m.subject))))
        h.append(("Message-ID", "<\(m.messageID)>"))
        if let r = m.inReplyTo { h.append(("In-Reply-To", "<\(r)>")) }
        if !m.references.isEmpty { h.append(("References", m.references.map { "<\($0)>" }.joined(separator: "\r\n "))) }
        if !m.unsubscribe.isEmpty {
            h.append(("List-Unsubscribe", m.unsubscribe.map { "<\($0)>" }.joined(separator: ", ")))
            if m.unsubscribe.contains(where: { $0.hasPrefix("https:") }) { h.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")) }
        }
        h += m.extraHeaders
        h.append(("MIME-Version", "1.0"))

        let textPart = part(type: "text/plain; charset=utf-8", encoding: "quoted-printable", body: QuotedPrintable.encode(m.text))
        var content: String
        if let html = m.html {
            let b = "=_alt_" + StableBoundary.make(seed + "alt")
            content = multipart(
                "alternative", boundary: b,
                parts: [
                    textPart,
                    part(type: "text/html; charset=utf-8", encoding: "quoted-printable", body: QuotedPrintable.encode(html)),
                ])
        } else {
            content = textPart
        }
        if !m.attachments.isEmpty {
            let b = "=_mix_" + StableBoundary.make(seed + "mix")
            let files = m.attachments.map { a in
                part(
                    type: "\(a.contentType); \(parameter("name", a.filename))", encoding: "base64",
                    disposition: "attachment; \(parameter("filename", a.filename))", body: wrappedBase64(a.data))
            }
            content = multipart("mixed", boundary: b, parts: [content] + files)
        }
        var out = h.map { "\($0.0): \(headerValue($0.1))" }.joined(separator: "\r\n") + "\r\n" + content
        if !out.hasSuffix("\r\n") { out += "\r\n" }
        return Array(out.utf8)
    }

    static func part(type: String, encoding: String, disposition: String? = nil, body: String) -> String {
        var s = "Content-Type: \(type)\r\nContent-Transfer-Encoding: \(encoding)\r\n"
        if let disposition { s += "Content-Disposition: \(disposition)\r\n" }
        return s + "\r\n" + body
    }

    static func multipart(_ subtype: String, boundary: String, parts: [String]) -> String {
        var s = "Content-Type: multipart/\(subtype); boundary=\"\(boundary)\"\r\n\r\nThis is a multi-part message in MIME format.\r\n"
        for p in parts { s += "--\(boundary)\r\n" + p + (p.hasSuffix("\r\n") ? "" : "\r\n") }
        return s + "--\(boundary)--\r\n"
    }

    /// A parameter: `name="value"` for ASCII, RFC 2231's `name*=utf-8''…` for anything else.
    static func parameter(_ name: String, _ value: String) -> String {
        if value.unicodeScalars.allSatisfy({ $0.value >= 32 && $0.value < 127 }) {
            return name + "=\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
        return name + "*=utf-8''" + value.utf8.map { allowed.contains($0) ? String(UnicodeScalar($0)) : String(format: "%%%02X", $0) }.joined()
    }

    static func wrappedBase64(_ data: [UInt8]) -> String {
        let b = Data(data).base64EncodedString()
        var lines: [Substring] = []
        var i = b.startIndex
        while i < b.endIndex {
            let j = b.index(i, offsetBy: 76, limitedBy: b.endIndex) ?? b.endIndex
            lines.append(b[i..<j])
            i = j
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// `Tue, 03 Feb 2026 16:00:00 +0000`.
    public static func rfc5322Date(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return f.string(from: d)
    }

    /// Dot-stuffs `bytes` for SMTP DATA (a line starting with "." gets another) and normalises line
    /// ends to CRLF.
    public static func dotStuffed(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 64)
        var atLineStart = true
        var previous: UInt8 = 0
        for b in bytes {
            if b == 10 && previous != 13 { out.append(13) }
            if atLineStart && b == UInt8(ascii: ".") { out.append(UInt8(ascii: ".")) }
            out.append(b)
            atLineStart = b == 10
            previous = b
        }
        if previous != 10 { out += [13, 10] }
        return out
    }
}

/// Boundaries derived from the message id: the same message always serialises the same way.
enum StableBoundary {
    static func make(_ seed: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in seed.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return String(h, radix: 36) + String(h.byteSwapped, radix: 36)
    }
}
