import Foundation
import OverdueCore
import Testing
@testable import OverdueMail

@Suite struct MIMETests {
    func sample() -> OutgoingMail {
        var m = OutgoingMail(
            from: Mailbox("ar@prairie.example", name: "Prairie Line AR"), to: [Mailbox("dana@shipper.example", name: "Reyes, Dana")],
            subject: "Relevé de compte – 2 factures en retard",
            text: "Hello Dana,\n\n.leading dot line\nTotal: 2,000.00 USD\n" + String(repeating: "x", count: 200),
            html: "<p>Hello <b>Dana</b></p>", messageID: "c1.abc@prairie.example", date: Date(timeIntervalSince1970: 1_770_134_400))
        m.inReplyTo = "orig@shipper.example"
        m.references = ["first@prairie.example", "orig@shipper.example"]
        m.replyTo = Mailbox("ar+c1@prairie.example")
        m.unsubscribe = ["mailto:ar+unsubscribe-c1@prairie.example", "https://prairie.example/u/c1"]
        m.attachments = [MailAttachment(filename: "POD 448812 – signé.pdf", contentType: "application/pdf", data: Array((0..<3000).map { UInt8($0 % 256) }))]
        return m
    }

    /// Issue 20, finding 12: a contact imported as `Dana\r\nBcc: …`, a subject carrying a line break and
    /// a debtor's Message-ID with one never start a header of their own.
    @Test func lineBreaksInNamesSubjectsAndThreadIdsNeverStartAHeader() {
        var m = sample()
        m.to = [Mailbox("dana@shipper.example", name: "Dana\r\nBcc: x@evil.example")]
        m.subject = "Invoice\nBcc: y@evil.example"
        m.inReplyTo = "orig@shipper.example>\r\nBcc: z@evil.example\r\nX-Evil: <a"
        m.references = ["first@prairie.example\rBcc: w@evil.example"]
        let bytes = MIMEBuilder.build(m)
        let head = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n\r\n").first!
        let names = head.components(separatedBy: "\r\n").filter { !$0.hasPrefix(" ") && !$0.hasPrefix("\t") }.map { $0.prefix { $0 != ":" } }
        #expect(!names.contains("Bcc") && !names.contains("X-Evil"), "\(names)")
        #expect(!head.replacingOccurrences(of: "\r\n ", with: "").contains("\r\nBcc") && !head.contains("\nBcc") && !head.contains("\rBcc"))
        let parsed = MIMEParser.parse(bytes)
        #expect(parsed.headers["Bcc"] == nil && parsed.headers["X-Evil"] == nil)
        #expect(parsed.recipientAddresses == ["dana@shipper.example"])
    }

    /// Issue 20, finding 12: lazy regular expressions over a sender's HTML went quadratic on many
    /// unclosed tags (`<blockquote` 50,000 times is minutes of one core per read).
    @Test func hostileHTMLIsReadInOnePass() {
        let bomb = String(repeating: "<blockquote x>", count: 50_000) + "tail"
        let started = ContinuousClock.now
        let text = HTMLText.plain("<p>We will pay Friday.</p>" + bomb)
        // A generous bound (the machine may be busy): the quadratic reading took minutes.
        #expect(ContinuousClock.now - started < .seconds(20))
        #expect(text == "We will pay Friday.")
        // What the reading keeps: the reply, not the quote, script or style; breaks where blocks end.
        let mail = HTMLText.plain(
            "<style>p{color:red}</style><div>Hello<br/>we paid &amp; sent the POD</div><blockquote>old <blockquote>older</blockquote> quote</blockquote>"
                + "<script>alert(1)</script><p>Thanks</p>")
        #expect(mail == "Hello\nwe paid & sent the POD\n\nThanks", "\(mail)")
    }

    @Test func builtMessagesParseBackToWhatWasBuilt() {
        let bytes = MIMEBuilder.build(sample())
        let text = String(decoding: bytes, as: UTF8.self)
        // Every line CRLF-terminated and within the RFC 5322 limit; headers ASCII.
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(text.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 998 })
        #expect(text.components(separatedBy: "\r\n\r\n").first!.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(text.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"))
        let parsed = MIMEParser.parse(bytes)
        #expect(parsed.problems.isEmpty)
        #expect(parsed.subject == "Relevé de compte – 2 factures en retard")
        #expect(parsed.messageID == "c1.abc@prairie.example")
        #expect(parsed.inReplyTo == ["orig@shipper.example"])
        #expect(parsed.references == ["first@prairie.example", "orig@shipper.example"])
        #expect(parsed.fromAddress == "ar@prairie.example")
        #expect(parsed.fromName == "Prairie Line AR")
        #expect(parsed.recipientAddresses == ["dana@shipper.example"])
        #expect(parsed.textBody.replacingOccurrences(of: "\r\n", with: "\n") == sample().text)
        #expect(parsed.attachments.count == 1)
        #expect(parsed.attachments.first?.filename == "POD 448812 – signé.pdf")
        #expect(parsed.attachments.first?.body == sample().attachments[0].data)
        #expect(parsed.root.flattened.contains { $0.mediaType == "text/html" && $0.text == "<p>Hello <b>Dana</b></p>" })
    }

    @Test func encodedWordsAndCharsets() {
        #expect(EncodedWord.decode("=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>") == "André Pirard <PIRARD@vm1.ulg.ac.be>")
        #expect(EncodedWord.decode("=?UTF-8?B?w4ljaMOpYW5jZQ==?= =?UTF-8?Q?_d=C3=A9pass=C3=A9e?=") == "Échéance dépassée")
        #expect(EncodedWord.decode("=?windows-1252?Q?=80_100?=") == "€ 100")
        #expect(EncodedWord.decode("plain =?broken") == "plain =?broken")
        #expect(Charset.decode([0xA4], charset: "iso-8859-15").text == "€")
        #expect(Charset.decode([0xC1, 0xB1], charset: "ISO-8859-5").text == "СБ")
        #expect(Charset.decode([0xE9], charset: "windows-1250").text == "é")
        #expect(Charset.decode([0x63, 0x61, 0x66, 0xE9], charset: "utf-8").lossy)
        let decoded = EncodedWord.decode(EncodedWord.encode("Reyes, Dána — 2 facturas vencidas y un título bastante largo que obliga a partir"))
        #expect(decoded == "Reyes, Dána — 2 facturas vencidas y un título bastante largo que obliga a partir")
    }

    @Test func nestedMultipartsLatin1QuotedPrintableAndAForwardedMessage() {
        let raw = """
            From: "AP Dept" <ap@shipper.example>\r
            Subject: =?iso-8859-1?q?Re=3A_Facture_en_retard?=\r
            Message-ID: <r1@shipper.example>\r
            In-Reply-To: <c1.abc@prairie.example>\r
            Content-Type: multipart/mixed; boundary="outer"\r
            \r
            --outer\r
            Content-Type: multipart/alternative; boundary=inner\r
            \r
            --inner\r
            Content-Type: text/plain; charset=iso-8859-1\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            Nous payerons vendredi, d=E9sol=E9 du retard. Ligne tr=\r
            =E8s longue.\r
            --inner\r
            Content-Type: text/html; charset=utf-8\r
            \r
            <p>Nous payerons vendredi</p>\r
            --inner--\r
            --outer\r
            Content-Type: message/rfc822\r
            \r
            From: someone@else.example\r
            Subject: inner\r
            \r
            forwarded body\r
            --outer--\r
            """
        let m = MIMEParser.parse(Array(raw.utf8))
        #expect(m.problems.isEmpty)
        #expect(m.subject == "Re: Facture en retard")
        #expect(m.textBody == "Nous payerons vendredi, désolé du retard. Ligne très longue.")
        let forwarded = m.root.flattened.first { $0.mediaType == "message/rfc822" }
        #expect(forwarded?.parts.first?.headers["Subject"] == "inner")
        #expect(forwarded?.parts.first?.text == "forwarded body")
    }

    @Test func malformedInputNeverCrashesAndIsFlagged() {
        let cases = [
            "", "no headers at all", "Content-Type: multipart/mixed\r\n\r\nno boundary",
            "Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nunclosed",
            "Subject: =?utf-8?B?####?=\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!notbase64",
        ]
        for c in cases {
            let m = MIMEParser.parse(Array(c.utf8))
            #expect(m.raw == Array(c.utf8))
        }
        #expect(!MIMEParser.parse(Array("Content-Type: multipart/mixed\r\n\r\nno boundary".utf8)).problems.isEmpty)
        #expect(
            MIMEParser.parse(Array("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\nunclosed".utf8)).problems.contains {
                $0.contains("closing boundary")
            })
        // Deep nesting is cut off, not recursed into for ever.
        var deep = "Content-Type: message/rfc822\r\n\r\n"
        for _ in 0..<200 { deep += "Content-Type: message/rfc822\r\n\r\n" }
        #expect(MIMEParser.parse(Array(deep.utf8)).problems.contains { $0.contains("nesting") })
    }

    @Test func fuzzedBytesNeverCrash() {
        var rng = SeededGenerator(seed: 42)
        let seeds = [
            MIMEBuilder.build(sample()),
            Array(
                "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=E2=82=AC=\r\n--b--\r\n"
                    .utf8),
        ]
        for round in 0..<3000 {
            var bytes = seeds[round % seeds.count]
            for _ in 0..<(1 + Int(rng.next() % 40)) where !bytes.isEmpty {
                let i = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 4 {
                case 0: bytes[i] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes.remove(at: i)
                case 2: bytes.insert(contentsOf: Array(["\r\n", "--", "=?", "=", "boundary=", ";", "\"", ":"][Int(rng.next() % 8)].utf8), at: i)
                default: bytes = Array(bytes[..<i])
                }
            }
            let m = MIMEParser.parse(bytes)
            _ = (m.textBody, m.subject, m.attachments.count, m.references, m.fromAddress)
            #expect(m.raw == bytes)
        }
    }

    @Test func dotStuffingAndLineEnds() {
        let stuffed = MIMEBuilder.dotStuffed(Array("a\n.b\r\n..c\nd".utf8))
        #expect(String(decoding: stuffed, as: UTF8.self) == "a\r\n..b\r\n...c\r\nd\r\n")
    }

    @Test func addressListsWithQuotesAndCommas() {
        let list = Addresses.parse("\"Reyes, Dana\" <Dana@Shipper.example>, ap@shipper.example (AP team), =?utf-8?q?Jos=C3=A9?= <jose@x.example>")
        #expect(list.map(\.address) == ["dana@shipper.example", "ap@shipper.example", "jose@x.example"])
        #expect(list.first?.name == "Reyes, Dana")
        #expect(list.last?.name == "José")
    }
}
