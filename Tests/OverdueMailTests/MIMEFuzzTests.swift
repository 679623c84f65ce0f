import Foundation
import OverdueCore
import Testing
@testable import OverdueMail

/// Issue 20's fuzzing requirement for the MIME parser: 10,000 generated messages that look like mail
/// but are hostile. They have folded headers, encoded words with broken payloads, and multiparts nested
/// deep with missing, empty, duplicated and look-alike boundaries. They also have base64 and
/// quoted-printable garbage, unknown charsets, message/rfc822 parts (some base64-encoded), truncation,
/// CR/LF/NUL mixes and long lines. Each message must be parsed and read (text, subject, sender,
/// recipients, attachments, classification) without a crash and in under a second. The parsed message
/// must keep the bytes as received, and every header field must stay well formed. Two more properties
/// go beyond "no crash": a well-formed message built from generated parts gives back exactly its text,
/// subject, sender and attachments; and nesting is cut at `MIMEParser.maxDepth` with exactly one
/// problem noted.
@Suite struct MIMEFuzzTests {
    /// The corpus seed. Input `i` is generated from `seed + i`, so any failure can be rerun on its own.
    static let seed: UInt64 = 20_260_420

    @Test func tenThousandHostileMessagesAreReadSafelyAndQuickly() {
        var multipartRoots = 0, withProblems = 0, withAttachments = 0, largest = 0
        var kinds: Set<String> = []
        for index in 0..<10_000 {
            let seed = Self.seed &+ UInt64(index)
            var mail = HostileMail(seed: seed, large: index % 50 == 49)
            let bytes = mail.message()
            largest = max(largest, bytes.count)

            let started = threadCPUTime()
            let m = MIMEParser.parse(bytes)
            let read = (m.textBody.utf8.count, m.subject, m.fromAddress, m.fromName, m.messageID, m.inReplyTo, m.references, m.recipientAddresses)
            let attachments = m.attachments
            let files = attachments.map { ($0.filename, $0.text.utf8.count, $0.isAttachment) }
            let kind = MailClassifier.classify(m)
            let elapsed = threadCPUTime() - started
            _ = (read, files)

            let context = "seed \(seed) (input \(index), \(bytes.count) bytes)"
            if elapsed > .seconds(1) { Issue.record("\(context): parsing and reading took \(elapsed), over the 1 s limit of CPU time") }
            for failure in Self.violations(m, bytes: bytes) { Issue.record("\(context): \(failure)") }
            if m.root.mediaType.hasPrefix("multipart/") { multipartRoots += 1 }
            if !m.problems.isEmpty { withProblems += 1 }
            if !attachments.isEmpty { withAttachments += 1 }
            kinds.insert(kind.name)
        }
        // The corpus reaches what it is meant to reach: multiparts, malformed mail, attachments, large
        // messages, more than one kind of mail.
        #expect(multipartRoots > 500, "only \(multipartRoots) multipart roots")
        #expect(withProblems > 500, "only \(withProblems) messages with problems")
        #expect(withAttachments > 100, "only \(withAttachments) messages with attachments")
        #expect(largest > 30_000, "the largest message has only \(largest) bytes")
        #expect(kinds.contains("reply") && kinds.count >= 2, "kinds seen: \(kinds.sorted())")
    }

    @Test func wellFormedMessagesGiveBackTheirTextSubjectSenderAndAttachments() {
        for index in 0..<1_000 {
            let seed = Self.seed &+ 1_000_000 &+ UInt64(index)
            var rng = SeededGenerator(seed: seed)
            let eol = Bool.random(using: &rng) ? "\r\n" : "\n"
            let subjectWords = (0..<Int.random(in: 1...10, using: &rng)).map { _ in MailPieces.cleanWords.randomElement(using: &rng)! }
            let subject = subjectWords.joined(separator: " ")
            let name = MailPieces.names.randomElement(using: &rng)!
            let address = "Dana.Reyes+\(index)@Shipper.Example"
            let lines = (0..<Int.random(in: 0...12, using: &rng)).map { _ in
                (0..<Int.random(in: 0...14, using: &rng)).map { _ in MailPieces.cleanWords.randomElement(using: &rng)! }.joined(separator: " ")
            }
            let text = lines.joined(separator: eol)
            let encoding = ["quoted-printable", "base64", "8bit"].randomElement(using: &rng)!
            let encodedText: String
            switch encoding {
            case "quoted-printable": encodedText = QuotedPrintable.encode(text).replacingOccurrences(of: "\r\n", with: eol)
            case "base64": encodedText = Self.base64Lines(Array(text.utf8), eol: eol)
            default: encodedText = text
            }
            var attachments: [(filename: String, header: String, data: [UInt8])] = []
            for n in 0..<Int.random(in: 0...3, using: &rng) {
                let size = Int.random(in: 0...(n == 0 && index % 20 == 0 ? 60_000 : 2_000), using: &rng)
                let data = (0..<size).map { _ in UInt8.random(in: 0...255, using: &rng) }
                if Bool.random(using: &rng) {
                    let filename = "file-\(n).bin"
                    attachments.append((filename, "attachment; filename=\"\(filename)\"", data))
                } else {
                    let filename = "relevé \(n) €.pdf"
                    attachments.append((filename, "attachment; filename*=utf-8''" + Self.percentEncoded(filename), data))
                }
            }
            let single = attachments.isEmpty && Bool.random(using: &rng)
            let alternative = !single && Int.random(in: 0...2, using: &rng) == 0

            let encodedName = EncodedWord.encode(name).replacingOccurrences(of: "\r\n", with: eol)
            let encodedSubject = EncodedWord.encode(subject).replacingOccurrences(of: "\r\n", with: eol)
            var m = "From: \(encodedName) <\(address)>\(eol)To: ar@prairie.example\(eol)Subject: \(encodedSubject)\(eol)"
            m += "Message-ID: <m\(index)@shipper.example>\(eol)MIME-Version: 1.0\(eol)"
            let textPart = "Content-Type: text/plain; charset=utf-8\(eol)Content-Transfer-Encoding: \(encoding)\(eol)\(eol)\(encodedText)"
            if single {
                m += textPart
            } else {
                m += "Content-Type: multipart/mixed; boundary=\"outer\(index)\"\(eol)\(eol)"
                m += "This is a multi-part message in MIME format.\(eol)--outer\(index)\(eol)"
                if alternative {
                    m += "Content-Type: multipart/alternative; boundary=alt\(index)\(eol)\(eol)"
                    m += "--alt\(index)\(eol)\(textPart)\(eol)"
                    m += "--alt\(index)\(eol)Content-Type: text/html; charset=utf-8\(eol)\(eol)<p>Hello</p>\(eol)"
                    m += "--alt\(index)--\(eol)"
                } else {
                    m += "\(textPart)\(eol)"
                }
                for a in attachments {
                    let data = Self.base64Lines(a.data, eol: eol)
                    m += "--outer\(index)\(eol)Content-Type: application/octet-stream\(eol)Content-Disposition: \(a.header)\(eol)"
                    m += "Content-Transfer-Encoding: base64\(eol)\(eol)\(data)\(eol)"
                }
                m += "--outer\(index)--\(eol)"
            }

            let parsed = MIMEParser.parse(Array(m.utf8))
            let context = "seed \(seed) (message \(index), \(encoding), \(eol == "\n" ? "LF" : "CRLF"))"
            #expect(parsed.problems.isEmpty, "\(context): \(parsed.problems)")
            #expect(parsed.subject == subject, "\(context)")
            #expect(parsed.fromAddress == address.lowercased(), "\(context)")
            #expect(parsed.fromName == name, "\(context)")
            #expect(parsed.textBody == text, "\(context): \(parsed.textBody.debugDescription) is not \(text.debugDescription)")
            #expect(parsed.attachments.count == attachments.count, "\(context)")
            for (got, want) in zip(parsed.attachments, attachments) {
                #expect(got.body == want.data, "\(context): attachment \(want.filename) came back with \(got.body.count) of \(want.data.count) bytes")
                #expect(got.filename == want.filename, "\(context)")
            }
        }
    }

    @Test func nestingIsCutAtTheLimitWithOneProblem() {
        for depth in 0...40 {
            for variant in 0..<5 {
                let seed = Self.seed &+ 2_000_000 &+ UInt64(depth * 5 + variant)
                var rng = SeededGenerator(seed: seed)
                let eol = variant % 2 == 0 ? "\r\n" : "\n"
                let bytes = Array(Self.chain(level: 0, depth: depth, eol: eol, rng: &rng).utf8)
                let started = threadCPUTime()
                let m = MIMEParser.parse(bytes)
                _ = (m.textBody, MailClassifier.classify(m))
                let elapsed = threadCPUTime() - started
                let context = "seed \(seed) (nesting \(depth))"
                #expect(elapsed < .seconds(1), "\(context): took \(elapsed)")
                #expect(Self.depth(m.root) == min(depth, MIMEParser.maxDepth), "\(context): parsed \(Self.depth(m.root)) levels deep")
                if depth < MIMEParser.maxDepth {
                    #expect(m.problems.isEmpty, "\(context): \(m.problems)")
                    #expect(m.textBody.trimmingCharacters(in: .whitespacesAndNewlines) == "leaf at \(depth)", "\(context): \(m.textBody.debugDescription)")
                } else {
                    #expect(m.problems.count == 1 && m.problems.first?.hasPrefix("nesting deeper") == true, "\(context): \(m.problems)")
                }
                #expect(m.raw == bytes, "\(context)")
            }
        }
    }

    // MARK: Helpers

    /// What a parsed message gets wrong, in words: the invariants the parser guarantees.
    private static func violations(_ m: MailMessage, bytes: [UInt8]) -> [String] {
        var out: [String] = []
        if m.raw != bytes { out.append("the message does not keep the bytes as received") }
        if m.root.headers.fields.isEmpty && !m.problems.contains("no header fields") { out.append("a message without header fields does not say so") }
        if m.problems.contains(where: { $0.isEmpty }) { out.append("a problem without words: \(m.problems)") }
        let depth = Self.depth(m.root)
        if depth > MIMEParser.maxDepth { out.append("parts nested \(depth) deep, past the limit of \(MIMEParser.maxDepth)") }
        // Names end before the first ":" and hold no space (compared as characters, as the parser
        // does); no name or value holds a line feed.
        for part in m.root.flattened {
            for field in part.headers.fields
            where field.name.isEmpty || field.name.contains(where: { $0 == ":" || $0 == " " }) || (field.name + field.value).utf8.contains(10) {
                out.append("malformed header field \(field.name.debugDescription): \(String(field.value.prefix(60)).debugDescription)")
            }
        }
        return out
    }

    /// How many levels of parts hang below `part` (0 for a part without sub-parts).
    static func depth(_ part: MIMEPart) -> Int { part.parts.map { depth($0) + 1 }.max() ?? 0 }

    /// `bytes` in base64, 76 characters a line.
    static func base64Lines(_ bytes: [UInt8], eol: String) -> String {
        let encoded = Array(Data(bytes).base64EncodedString().utf8)
        var lines: [String] = []
        var i = 0
        while i < encoded.count {
            let end = min(i + 76, encoded.count)
            lines.append(String(decoding: encoded[i..<end], as: UTF8.self))
            i = end
        }
        return lines.joined(separator: eol)
    }

    /// `text` as an RFC 2231 value: unreserved ASCII kept, every other UTF-8 byte as `%XX`.
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for b in text.utf8 {
            let c = Character(Unicode.Scalar(b))
            if (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 45 || b == 46 || b == 95 || b == 126 {
                out.append(c)
            } else {
                out += String(format: "%%%02X", b)
            }
        }
        return out
    }

    /// An entity nested `depth - level` levels deep, each level a multipart or an enclosed message,
    /// ending in one text part saying "leaf at <depth>".
    static func chain(level: Int, depth: Int, eol: String, rng: inout SeededGenerator) -> String {
        if level == depth { return "Content-Type: text/plain; charset=utf-8\(eol)\(eol)leaf at \(depth)\(eol)" }
        let inner = chain(level: level + 1, depth: depth, eol: eol, rng: &rng)
        if Bool.random(using: &rng) {
            // "lvl1x" is no prefix of "lvl10x": each level's delimiter is its own.
            let b = "lvl\(level)x"
            return "Content-Type: multipart/mixed; boundary=\"\(b)\"\(eol)\(eol)--\(b)\(eol)\(inner)\(eol)--\(b)--\(eol)"
        }
        return "Content-Type: message/rfc822\(eol)\(eol)\(inner)"
    }
}

/// The words, headers and values hostile messages are made of.
private enum MailPieces {
    static let topHeaders = ["From", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "MIME-Version"]
    static let headerNames = [
        "Subject", "From", "To", "Reply-To", "Delivered-To", "Return-Path", "Received", "X-Failed-Recipients", "Auto-Submitted", "X-Autoreply",
        "X-Autorespond", "Precedence", "List-Id", "X-Mailman-Version", "X-Apple-Unsubscribe", "X-NAI-Header", "X-Mailer", "X-AHMailID", "X-MLServer",
        "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "X-Long", "x", "X-Ünïcode", "Bad Name", "", " Leading", "X\u{0}Nul",
        "Subject:Subject", "References", "Message-ID",
    ]
    static let colons = [": ", ":", " : ", ":\t", ":  "]
    static let words = [
        "Invoice", "INV-2041", "past", "due", "Re:", "Fwd:", "AW:", "RE: RE:", "Out", "of", "Office", "Undeliverable:", "Mail", "Delivery", "Failed",
        "Returned", "mail:", "automatic", "reply", "true", "José", "Relevé", "€1,250.00", "日本語", "😀", "\u{202E}evil", "a\u{0301}", "\"quoted", "(comment",
        "<angle>", "<", ">", "=?", "?=", ";", "\\", "complaint", "abuse", "report", "vacation", "not", "a", "member", "550", "5.1.1", "user", "unknown",
        "dana@shipper.example", "postmaster@", "\u{FEFF}", "\u{200B}", "Ω", "ß", "--", "boundary=", "=", "\t",
    ]
    static let charsets = [
        "utf-8", "UTF-8", "us-ascii", "iso-8859-1", "ISO-8859-2", "iso-8859-9", "iso-8859-15", "iso-8859-5", "windows-1250", "windows-1251",
        "windows-1252", "windows-1253", "windows-1254", "utf-16", "utf-16le", "utf-16be", "koi8-r", "gb2312", "shift_jis", "\"utf-8\"", "'latin1'",
        "utf-8*en", "", "x-unknown", "utf-7", "ébc",
    ]
    static let encodings = [
        "", "", "7bit", "8bit", "binary", "base64", "base64", "BASE64", " base64 ", "quoted-printable", "quoted-printable", "Quoted-Printable",
        "x-uuencode", "8bit; junk", "b64",
    ]
    static let leafTypes = [
        "text/plain", "text/plain", "text/plain", "text/html", "text/html", "application/pdf", "application/octet-stream", "image/png",
        "message/delivery-status", "message/feedback-report", "text/rfc822-headers", "TEXT/PLAIN", "text", "/", "text/", "garbage", "",
        "multipart/mixed", "message/rfc822", "message/global-delivery-status", "application/ms-tnef",
    ]
    static let reportLines = [
        "Final-Recipient: rfc822; dana@shipper.example", "Original-Recipient: rfc822;<>", "Action: failed", "Action: delayed", "Status: 5.1.1",
        "Status: 4.4.7 (delayed)", "Status: 9.9.9.9", "Diagnostic-Code: smtp; 550 5.1.1 <dana@shipper.example>: Recipient address rejected: User unknown",
        "Reporting-MTA: dns; mx.shipper.example", "Feedback-Type: abuse", "Original-Rcpt-To: <ap@shipper.example>", "", "",
        "Delivery to the following recipients failed permanently:", "    dana@shipper.example", "The mail system",
        "<dana@shipper.example>: host mx said: 550 5.1.1 unknown user", "This is an automatically generated Delivery Status Notification",
        "I am out of the office until Monday", "permanent fatal errors", "You are not a member of this list", "To: ap@shipper.example",
    ]
    static let htmlBits = [
        "<p>Hello <b>Dana</b></p>", "<script>alert(1)", "</script>", "<blockquote>quoted", "</blockquote>", "<br>", "&nbsp;&amp;&lt;&gt;", "<", ">",
        "<style>p{}", "<!-- comment", "<div", "&#39;", "</p></p></p>", "<BLOCKQUOTE type=cite>", "<scr<script>ipt>",
    ]
    static let lineEnds: [[UInt8]] = [[13, 10], [10], [13], [10, 13], [13, 13, 10], [0, 10]]
    static let breaks: [[UInt8]] = [[13], [10], [13, 13], [10, 10], [13, 10, 13, 10]]
    /// Words with no "-", "=?" or line break: safe anywhere in a well-formed message.
    static let cleanWords = [
        "Invoice", "2041", "is", "paid", "Relevé", "de", "compte", "José", "Núñez", "€", "1,250.00", "USD", "日本語", "😀", "ß", "Ω", "From", ".",
        "=", "_", "?", "a", "the", "naïve", "über", "ça", "va", "👨‍👩‍👧", "Re:", "Fwd:", "(note)", "\"quoted\"", "x",
    ]
    static let names = ["Dana Reyes", "José Núñez", "山田 太郎", "Zoë Ó Briain", "Ana María Pérez", "AP Team"]
}

/// Makes one hostile message from a seed.
private struct HostileMail {
    var rng: SeededGenerator
    /// Whether this is one of the large messages (many parts, long bodies, a very long line).
    let large: Bool
    /// How deep multiparts and enclosed messages may go in this message.
    var maxDepth = 4
    /// The line end most lines use, and whether each line picks its own.
    var eol: [UInt8] = [13, 10]
    var mixedLineEnds = false
    /// Boundaries of the enclosing multiparts, innermost last (a child sometimes reuses one).
    var boundaries: [String] = []
    /// Body bytes still to generate.
    var budget: Int

    init(seed: UInt64, large: Bool) {
        rng = SeededGenerator(seed: seed)
        self.large = large
        budget = large ? 40_000 : 2_000
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    mutating func randomBytes(_ n: Int) -> [UInt8] {
        var out: [UInt8] = []
        for _ in 0..<n { out.append(UInt8(truncatingIfNeeded: rng.next())) }
        return out
    }

    mutating func lineEnd() -> [UInt8] {
        guard mixedLineEnds else { return eol }
        return pick(MailPieces.lineEnds)
    }

    mutating func message() -> [UInt8] {
        let ends: [[UInt8]] = [[13, 10], [13, 10], [10], [13]]
        eol = pick(ends)
        mixedLineEnds = chance(0.1)
        maxDepth = chance(0.05) ? int(20...40) : int(0...4)
        var out: [UInt8] = []
        if chance(0.05) { out += Array("From MAILER-DAEMON Thu Jan  1 00:00:00 2026".utf8) + lineEnd() }
        out += entity(depth: 0)
        return damaged(out)
    }

    mutating func entity(depth: Int) -> [UInt8] {
        var fields: [(String, String)] = []
        if depth == 0 || chance(0.15) {
            for name in MailPieces.topHeaders where chance(0.7) {
                let value = headerValue(name)
                fields.append((name, value))
            }
        }
        for _ in 0..<int(0...(large ? 30 : 3)) {
            let name = pick(MailPieces.headerNames)
            let value = headerValue(name)
            fields.append((name, value))
        }
        let nests = depth < maxDepth && (maxDepth > 6 || chance(0.5))
        var own: [(String, String)] = []
        let body: [UInt8]
        if nests && chance(0.75) {
            body = multipart(depth: depth, fields: &own)
        } else if nests {
            body = enclosed(depth: depth, fields: &own)
        } else {
            body = leaf(fields: &own)
        }
        for field in own {
            let at = int(0...fields.count)
            fields.insert(field, at: at)
        }
        var out: [UInt8] = []
        for (name, value) in fields {
            out += Array(name.utf8)
            out += Array(pick(MailPieces.colons).utf8)
            out += folded(value)
            out += lineEnd()
        }
        if chance(0.95) { out += lineEnd() }
        // Headers count against the budget too: a large message has many parts, not endlessly many.
        budget -= out.count + 16
        return out + body
    }

    /// `value` with some spaces turned into folds (and, rarely, into a bare line break).
    mutating func folded(_ value: String) -> [UInt8] {
        var out: [UInt8] = []
        for (i, word) in value.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            if i > 0 {
                if chance(0.1) {
                    out += lineEnd()
                    out += Array(pick([" ", "\t", "  "]).utf8)
                } else if chance(0.01) {
                    out += lineEnd()
                } else {
                    out.append(32)
                }
            }
            out += Array(word.utf8)
        }
        return out
    }

    mutating func headerValue(_ name: String) -> String {
        switch name.lowercased() {
        case "from", "to", "cc", "reply-to", "delivered-to", "return-path", "x-failed-recipients":
            var items: [String] = []
            for _ in 0..<int(0...4) { items.append(address()) }
            return items.joined(separator: pick([", ", ",", " ", "; ", ",,"]))
        case "subject":
            // Now and then, in a large message, a very long subject made of encoded-word starts.
            if large && chance(0.1) { return String(repeating: pick(["=?", "=?utf-8?Q?", "=?x?B?QUFB?= ", "a "]), count: int(1_000...5_000)) }
            return words(int(0...10), encoded: 0.3)
        case "message-id", "in-reply-to", "references":
            var ids: [String] = []
            for _ in 0..<int(0...5) { ids.append(messageID()) }
            return ids.joined(separator: pick([" ", "\t", ", ", ""]))
        case "content-type":
            return pick(MailPieces.leafTypes) + pick(["", "; charset=utf-8", "; boundary=", "; boundary=\"x\"", "; name=\"a.pdf\"", ";;"])
        case "content-transfer-encoding":
            return pick(MailPieces.encodings)
        case "content-disposition":
            return disposition()
        case "auto-submitted":
            return pick(["auto-replied", "auto-generated", "no", "", "AUTO-REPLIED (vacation)"])
        case "precedence":
            return pick(["bulk", "junk", "list", "auto_reply", ""])
        case "x-long":
            return String(repeating: pick(["a", "=?", "; ", "\""]), count: int(100...(large ? 20_000 : 1_000)))
        default:
            return words(int(0...8), encoded: 0.2)
        }
    }

    mutating func words(_ n: Int, encoded p: Double) -> String {
        var out: [String] = []
        for _ in 0..<n {
            if chance(p) {
                out.append(encodedWord())
            } else {
                out.append(pick(MailPieces.words))
            }
        }
        return out.joined(separator: " ")
    }

    /// An RFC 2047 encoded word, often broken: unknown charsets and modes, bad base64, bad
    /// quoted-printable escapes, no closing `?=`.
    mutating func encodedWord() -> String {
        let charset = pick(MailPieces.charsets)
        let mode = pick(["B", "Q", "b", "q", "X", "", "BB"])
        let payload: String
        switch int(0...5) {
        case 0:
            let bytes = randomBytes(int(0...40))
            payload = Data(bytes).base64EncodedString()
        case 1:
            let word = pick(MailPieces.words)
            payload = Data(word.utf8).base64EncodedString()
        case 2:
            let alphabet = Array("ABCxyz019+/=-_ ?%é")
            var s = ""
            for _ in 0..<int(0...30) { s.append(pick(alphabet)) }
            payload = s
        case 3:
            payload = pick(["Jos=C3=A9", "=E2=82", "=ZZ", "=", "_", "a_b=", "=3", "=?", "??"])
        case 4:
            payload = ""
        default:
            payload = String(repeating: "QUFB", count: int(1...(large ? 5_000 : 20)))
        }
        let start = pick(["=?", "=?", "=?", "=?*"])
        let end = pick(["?=", "?=", "?=", "?", "", "?= ", "?==?"])
        return "\(start)\(charset)?\(mode)?\(payload)\(end)"
    }

    mutating func address() -> String {
        let local = pick(["dana", "AP", "ar+c1", "a.b", "", "x\"y", "postmaster", "MAILER-DAEMON", "José"])
        let domain = pick(["shipper.example", "EXAMPLE.COM", "", "x", "[127.0.0.1]", "例え.jp"])
        let addr = local + "@" + domain
        switch int(0...7) {
        case 0: return addr
        case 1: return "\"Reyes, Dana\" <\(addr)>"
        case 2: return "=?utf-8?q?Jos=C3=A9?= <\(addr)>"
        case 3: return "\(addr) (comment, with (nested) parens)"
        case 4: return "\"unterminated <\(addr)>"
        case 5: return "<<\(addr)>>"
        case 6: return pick(["undisclosed-recipients:;", "<>", "@", "\"\"", "()", ">", "<", ","])
        default:
            let name = words(int(1...3), encoded: 0.5)
            return name + " <\(addr)>"
        }
    }

    mutating func messageID() -> String {
        let domain = pick(["shipper.example", "x", ""])
        let id = String(rng.next(), radix: 36) + "@" + domain
        return pick(["<\(id)>", "<\(id)>", "<\(id)", "\(id)>", id, "<>", "< \(id) >", "<<\(id)>>"])
    }

    mutating func disposition() -> String {
        let name = words(int(1...3), encoded: 0.5)
        return pick([
            "attachment", "inline", "ATTACHMENT", "attachment; filename=\"\(name).pdf\"", "attachment; filename*=utf-8''%E2%82%AC%20rapport.pdf",
            "attachment; filename*=''%ZZ", "attachment; filename*0*=utf-8''a%20; filename*1=b.pdf",
            "attachment; filename*0=\"x\"; filename*99999999999999999999=y", "attachment; filename=\"=?utf-8?B?broken?=\"", "attachment; filename=",
            "inline; filename=\"photo.png\"", "; ; ;", "attachment; filename*=iso-8859-1'en'%E9t%E9.txt",
        ])
    }

    /// A multipart's body; its Content-Type goes into `fields`.
    mutating func multipart(depth: Int, fields: inout [(String, String)]) -> [UInt8] {
        let subtype = pick(["mixed", "mixed", "alternative", "related", "report", "digest", "signed", "x-weird", ""])
        var boundary = "b\(depth)_" + String(rng.next() % 1_000_000, radix: 36)
        var parameter = "; boundary=\"\(boundary)\""
        switch int(0...11) {
        case 0:
            // The parent's boundary again: the parent's split cuts this one's parts.
            if let parent = boundaries.last {
                boundary = parent
                parameter = "; boundary=\(boundary)"
            }
        case 1:
            // The parent's boundary as a prefix: every delimiter here looks like the parent's.
            if let parent = boundaries.last {
                boundary = parent + "x"
                parameter = "; boundary=\"\(boundary)\""
            }
        case 2:
            parameter = ""
        case 3:
            parameter = "; boundary=\"\""
        case 4:
            parameter = "; boundary="
        case 5:
            boundary = "a b;c"
            parameter = "; boundary=\"a b;c\""
        case 6:
            boundary = String(repeating: "=_", count: int(40...(large ? 4_000 : 400)))
            parameter = "; boundary=\(boundary)"
        case 7:
            // Two boundaries: the last one is read.
            parameter = "; boundary=\(boundary); boundary=other"
        case 8:
            parameter = "; BOUNDARY=\(boundary)"
        default:
            break
        }
        if subtype == "report" { parameter += pick(["; report-type=delivery-status", "; report-type=feedback-report", "; report-type="]) }
        fields.append(("Content-Type", "multipart/\(subtype)\(parameter)"))
        if chance(0.05) {
            let encoding = pick(MailPieces.encodings)
            fields.append(("Content-Transfer-Encoding", encoding))
        }

        boundaries.append(boundary)
        defer { boundaries.removeLast() }
        let marker = Array("--\(boundary)".utf8)
        var body: [UInt8] = []
        if chance(0.3) {
            // A preamble.
            body += Array(words(int(0...12), encoded: 0).utf8)
            body += lineEnd()
        }
        let count = maxDepth > 6 ? 1 : int(0...(large ? 40 : 4))
        for _ in 0..<count where budget > 0 {
            switch int(0...19) {
            case 0: body += Array("-\(boundary)".utf8)  // one dash short
            case 1: body += marker + Array("  trailing words".utf8)
            case 2: break  // the delimiter is missing: this part runs into the one before
            case 3: body += Array(" --\(boundary)".utf8)  // indented: no delimiter
            default: body += marker
            }
            body += lineEnd()
            body += entity(depth: depth + 1)
            body += lineEnd()
        }
        switch int(0...9) {
        case 0...6:
            body += marker + Array("--".utf8)
            body += lineEnd()
        case 7:
            body += marker + Array("-".utf8)  // a close one dash short
            body += lineEnd()
        default:
            break  // never closed
        }
        if chance(0.15) { body += Array(words(int(1...8), encoded: 0).utf8) }  // an epilogue
        if chance(0.05) {
            body += marker
            body += lineEnd()
            body += Array("a delimiter after the close".utf8)
        }
        return body
    }

    /// An enclosed message's body (plain, base64 or quoted-printable); its headers go into `fields`.
    mutating func enclosed(depth: Int, fields: inout [(String, String)]) -> [UInt8] {
        let type = pick(["message/rfc822", "message/rfc822", "message/global", "MESSAGE/RFC822; name=\"fwd.eml\""])
        fields.append(("Content-Type", type))
        let inner = entity(depth: depth + 1)
        switch int(0...5) {
        case 0:
            fields.append(("Content-Transfer-Encoding", "base64"))
            return base64(inner)
        case 1:
            fields.append(("Content-Transfer-Encoding", "quoted-printable"))
            return Array(QuotedPrintable.encode(String(decoding: inner, as: UTF8.self)).utf8)
        default:
            return inner
        }
    }

    /// A leaf's body, encoded as its headers say (or not quite); its headers go into `fields`.
    mutating func leaf(fields: inout [(String, String)]) -> [UInt8] {
        let type = pick(MailPieces.leafTypes)
        if !type.isEmpty || chance(0.5) {
            var value = type
            if chance(0.7) { value += "; charset=" + pick(MailPieces.charsets) }
            if chance(0.15) {
                let name = words(int(1...3), encoded: 0.5)
                value += "; name=\"" + name + "\""
            }
            if chance(0.1) { value += "; name*0*=" + pick(MailPieces.charsets) + "''%E2%82; name*1*=%AC%ZZ; name*x=y" }
            if chance(0.1) { value += pick(["; format=flowed", ";;;", "; =", "; a", "; boundary=x", "; \"unterminated", "; charset*=''"]) }
            fields.append(("Content-Type", value))
        }
        if chance(0.25) {
            let value = disposition()
            fields.append(("Content-Disposition", value))
        }
        let encoding = pick(MailPieces.encodings)
        if !encoding.isEmpty || chance(0.3) { fields.append(("Content-Transfer-Encoding", encoding)) }
        let content = bodyText()
        switch encoding.trimmingCharacters(in: .whitespaces).lowercased() {
        case "base64":
            if chance(0.8) { return base64(content) }
            return garbage(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz0189+/=-_ \t.!%é".utf8), count: content.count)
        case "quoted-printable":
            if chance(0.7) { return Array(QuotedPrintable.encode(String(decoding: content, as: UTF8.self)).utf8) }
            return qpGarbage(content)
        default:
            return content
        }
    }

    /// Lines of text: words, report fields, bounce wording, HTML, runs of one character, random bytes.
    mutating func bodyText() -> [UInt8] {
        var out: [UInt8] = []
        for _ in 0..<int(0...(large ? 400 : 10)) where budget > 0 {
            let line: [UInt8]
            switch int(0...11) {
            case 0: line = randomBytes(int(0...60))
            case 1, 2: line = Array(pick(MailPieces.reportLines).utf8)
            case 3: line = Array(pick(MailPieces.htmlBits).utf8)
            case 4: line = Array(String(repeating: pick(["=", "-", ">", "<", "&amp;", "\u{0}", "=?", "<blockquote>"]), count: int(1...200)).utf8)
            default: line = Array(words(int(0...14), encoded: 0.05).utf8)
            }
            budget -= line.count + 2
            out += line
            out += lineEnd()
        }
        return out
    }

    /// `bytes` in base64, 76 characters a line, with this message's line ends.
    mutating func base64(_ bytes: [UInt8]) -> [UInt8] {
        let encoded = Array(Data(bytes).base64EncodedString().utf8)
        var out: [UInt8] = []
        var i = 0
        while i < encoded.count {
            let end = min(i + 76, encoded.count)
            out += encoded[i..<end]
            out += lineEnd()
            i = end
        }
        return out
    }

    mutating func garbage(_ alphabet: [UInt8], count: Int) -> [UInt8] {
        var out: [UInt8] = []
        for i in 0..<count {
            out.append(pick(alphabet))
            if i % 76 == 75 { out += lineEnd() }
        }
        return out
    }

    /// `content` with broken quoted-printable escapes sprinkled in.
    mutating func qpGarbage(_ content: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for b in content {
            if chance(0.05) { out += Array(pick(["=", "=Z9", "=\r", "=4", "= \t\n", "==", "=0", "=\u{0}"]).utf8) }
            out.append(b)
        }
        if chance(0.3) { out.append(UInt8(ascii: "=")) }
        return out
    }

    /// The message after transport damage: a very long line, truncation, NULs, bytes that are not
    /// UTF-8, stray line breaks, or nothing at all.
    mutating func damaged(_ message: [UInt8]) -> [UInt8] {
        var b = message
        if large && chance(0.5) {
            let filler = pick(["a", "=", "A", " ", "<", "-"])
            let run = Array(String(repeating: filler, count: int(10_000...60_000)).utf8)
            let at = int(0...b.count)
            b.insert(contentsOf: run, at: at)
        }
        if chance(0.15) && !b.isEmpty {
            let cut = int(0...(b.count - 1))
            b = Array(b[..<cut])
        }
        if chance(0.08) {
            for _ in 0..<int(1...8) {
                let at = int(0...b.count)
                b.insert(0, at: at)
            }
        }
        if chance(0.08) && !b.isEmpty {
            for _ in 0..<int(1...8) {
                let at = int(0...(b.count - 1))
                b[at] = UInt8(truncatingIfNeeded: 0x80 | rng.next())
            }
        }
        if chance(0.05) {
            for _ in 0..<int(1...6) {
                let at = int(0...b.count)
                let stray = pick(MailPieces.breaks)
                b.insert(contentsOf: stray, at: at)
            }
        }
        if chance(0.02) { b = [] }
        return b
    }
}

/// CPU time this thread has used: the per-input limit is on the work itself, not on how busy the
/// machine is with other tests.
private func threadCPUTime() -> Duration {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return .seconds(ts.tv_sec) + .nanoseconds(ts.tv_nsec)
}
