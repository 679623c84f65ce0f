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
        // scripts/eval-bounces.py reports the same figure through the CLI (0.831 when written).
        #expect(answers.count == 313)
        #expect(Double(agree) / Double(answers.count) >= 0.80, "agreement \(agree)/\(answers.count)")
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
        #expect(r == [BouncedRecipient(address: "nobody@shipper.example", status: "5.1.1", hard: true,
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
}
