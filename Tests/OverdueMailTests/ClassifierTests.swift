import Foundation
import Testing
@testable import OverdueMail

@Suite struct ClassifierTests {
    struct Answer: Decodable {
        struct Recipient: Decodable { let status: String; let hard: Bool }
        let file: String
        let kind: String
        let recipients: [Recipient]
    }

    @Test func theBounceCorpusDoesNotRegress() throws {
        let base = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil)).appendingPathComponent("bounces")
        let answers = try String(contentsOf: base.appendingPathComponent("answers.jsonl"), encoding: .utf8).split(separator: "\n")
            .map { try JSONDecoder().decode(Answer.self, from: Data($0.utf8)) }
        var agree = 0
        for a in answers {
            let m = MIMEParser.parse(try Data(contentsOf: base.appendingPathComponent(a.file)))
            let kind = MailClassifier.classify(m)
            guard kind.name == a.kind else { continue }
            if case .bounce(let list) = kind, let want = a.recipients.first {
                guard let mine = list.first, mine.hard == want.hard, want.status.isEmpty || mine.status?.first == want.status.first else { continue }
            }
            agree += 1
        }
        // scripts/eval-bounces.py reports the same figure through the CLI (0.952 when written).
        #expect(answers.count == 313)
        #expect(Double(agree) / Double(answers.count) >= 0.95, "agreement \(agree)/\(answers.count)")
    }

    @Test func bouncesAutoRepliesAndFeedbackAreTold() {
        let dsn = """
            From: MAILER-DAEMON@mail.example (Mail Delivery System)\r
            Subject: Undelivered Mail Returned to Sender\r
            Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r
            \r
            --b\r
            Content-Type: text/plain\r
            \r
            I'm sorry to have to inform you that your message could not be delivered.\r
            --b\r
            Content-Type: message/delivery-status\r
            \r
            Reporting-MTA: dns; mail.example\r
            \r
            Final-Recipient: rfc822; nobody@shipper.example\r
            Action: failed\r
            Status: 5.1.1\r
            Diagnostic-Code: smtp; 550 5.1.1 <nobody@shipper.example>: Recipient address rejected: User unknown\r
            --b--\r
            """
        guard case .bounce(let r) = MailClassifier.classify(MIMEParser.parse(Array(dsn.utf8))) else { Issue.record("not a bounce"); return }
        #expect(r == [BouncedRecipient(address: "nobody@shipper.example", status: "5.1.1", hard: true, reason: .userUnknown,
                                       diagnostic: "smtp; 550 5.1.1 <nobody@shipper.example>: Recipient address rejected: User unknown")])
        let full = dsn.replacingOccurrences(of: "Status: 5.1.1", with: "Status: 5.2.2").replacingOccurrences(of: "User unknown", with: "Mailbox full")
            .replacingOccurrences(of: "550 5.1.1", with: "552 5.2.2")
        guard case .bounce(let soft) = MailClassifier.classify(MIMEParser.parse(Array(full.utf8))) else { Issue.record("not a bounce"); return }
        #expect(soft.first?.hard == false)
        let oof = "From: dana@shipper.example\r\nSubject: Automatic reply: Invoice\r\nAuto-Submitted: auto-replied\r\n\r\nI am away until March 3.\r\n"
        #expect(MailClassifier.classify(MIMEParser.parse(Array(oof.utf8))) == .autoReply)
        let person = "From: dana@shipper.example\r\nSubject: Re: Invoice\r\nAuto-Submitted: no\r\n\r\nWe will pay Friday.\r\n"
        #expect(MailClassifier.classify(MIMEParser.parse(Array(person.utf8))) == .reply)
    }

    @Test(arguments: [
        // (status, server's words, reason, hard)
        ("5.1.1", "550 5.1.1 <a@b.example>: Recipient address rejected: User unknown in local recipient table", BounceReason.userUnknown, true),
        ("5.0.0", "550 Unknown user a@b.example (in reply to end of DATA command)", .filtered, false),
        ("5.0.0", "550 <a@b.example>: User unknown (in reply to RCPT TO command)", .userUnknown, true),
        ("4.1.1", "450 4.1.1 <a@b.example>: Recipient address rejected: User unknown (in reply to RCPT TO command)", .userUnknown, true),
        ("5.2.2", "552 5.2.2 <a@b.example>: Recipient address rejected: Mailbox full", .mailboxFull, false),
        ("5.1.1", "550 5.1.1 a@b.example - 203.0.113.9 has sent too many recipients this hour", .rateLimited, false),
        ("5.7.1", "550 5.7.1 IP address blacklisted by recipient", .blocked, false),
        ("5.0.0", "554 This account has been disabled or discontinued", .suspended, false),
        ("5.1.8", "553 5.1.8 Domain of sender address root@x.example does not exist (in reply to MAIL FROM command)", .senderRejected, false),
        ("4.0.0", "DNS Error: lookup of nx.example responded with code NXDOMAIN Domain name not found", .hostUnknown, false),
        ("5.4.4", "Host or domain name not found. Name service error for name=nx.example type=A", .hostUnknown, true),
        ("5.3.2", "521 5.3.2 System not accepting network messages", .notAccepting, true),
        ("5.0.0", "Name service error for domain b.example: Host not found, try again", .network, false),
        ("5.7.1", "5.1.0 - Unknown address error 550-'5.7.1 <x@amazonses.com>... Access denied'", .blocked, false),
        ("2.0.0", "250 2.0.0 OK", .delivered, false),
    ])
    func bounceReasons(status: String, words: String, reason: BounceReason, hard: Bool) {
        let r = BouncedRecipient(address: "a@b.example", status: status, diagnostic: words, notice: "")
        #expect(r.reason == reason, "\(words)")
        #expect(r.hard == hard, "\(words)")
    }

    @Test func aPipelinedRefusalAnsweredRCPTEvenWhenDATAWasSentLast() {
        let transcript = ">>> MAIL From:<s@x.example>\n<<< 250 OK\n>>> RCPT To:<a@b.example>\n>>> DATA\n<<< 550 Invalid recipient\n<<< 503 need RCPT command"
        #expect(BounceReason.phase(in: BounceReason.normalise(transcript)) == .rcptTo)
        #expect(BounceReason.phase(in: BounceReason.normalise(">>> DATA\n<<< 554 5.7.1 rejected by content filter")) == .data)
        #expect(BounceReason.phase(in: "nothing said") == nil)
    }

    @Test func aPlainTextNoticeIsReadPerRecipientAndTheMboxLineIsSkipped() {
        let notice = """
            From MAILER-DAEMON Sat Jun  9 14:15:30 2018\r
            From: MAILER-DAEMON@mx.sender.example\r
            To: ar@sender.example\r
            Subject: failure notice\r
            \r
            Hi. This is the qmail-send program at mx.sender.example.\r
            \r
            <gone@shipper.example>:\r
            Remote host said: 550 5.1.1 <gone@shipper.example>: Recipient address rejected: User unknown\r
            \r
            <full@shipper.example>:\r
            Remote host said: 552 5.2.2 <full@shipper.example>: Mailbox full\r
            \r
            --- Below this line is a copy of the message.\r
            X-Spam-Status: No, spam score 0.1\r
            """
        let m = MIMEParser.parse(Array(notice.utf8))
        #expect(m.headers["From"] == "MAILER-DAEMON@mx.sender.example")
        guard case .bounce(let r) = MailClassifier.classify(m) else { Issue.record("not a bounce"); return }
        #expect(r.first?.address == "gone@shipper.example")
        #expect(r.first?.reason == .userUnknown)
        #expect(r.first?.hard == true)
    }

    @Test func listRefusalsAndAppleUnsubscribesAreToldApart() {
        let list = "From: list-admin@lists.example\r\nX-MLServer: fml\r\nSubject: You ar@sender.example are not member (ar ML)\r\n\r\nYou are not a member of this mailing list <billing@lists.example>.\r\n"
        guard case .bounce(let r) = MailClassifier.classify(MIMEParser.parse(Array(list.utf8))) else { Issue.record("not a bounce"); return }
        #expect(r.first?.address == "billing@lists.example")
        #expect(r.first?.reason == .senderRejected)
        #expect(r.first?.hard == false)
        let apple = "From: dana@shipper.example\r\nTo: reply+m1@ar.example\r\nSubject: unsubscribe\r\nAuto-Submitted: auto-replied\r\nX-Apple-Unsubscribe: true\r\n\r\nApple Mail sent this email to unsubscribe.\r\n"
        #expect(MailClassifier.classify(MIMEParser.parse(Array(apple.utf8))) == .feedback(type: "opt-out", recipients: ["dana@shipper.example"]))
    }
}
