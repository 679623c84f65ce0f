import Foundation
import NIOCore
import Testing
@testable import OverdueMail

@Suite(.serialized) struct IMAPTests {
    func imapConfiguration() throws -> IMAPConfiguration {
        IMAPConfiguration(
            host: "localhost", port: TestMail.imap!.port, security: .starttls, username: "ar", password: TestMail.password,
            timeout: .seconds(10), tls: try TestMail.tls())
    }

    /// Mails `subject` to ar@ through Postfix and waits until it is in the Maildir.
    func deliverToAR(subject: String, attachment: [UInt8]? = nil) async throws {
        var mail = OutgoingMail(
            from: Mailbox("dana@\(TestMail.domain)", name: "Dana Reyes"), to: [Mailbox("ar@\(TestMail.domain)")],
            subject: subject, text: "Body of \(subject)\n", messageID: "\(UUID().uuidString)@overdue.test", date: Date())
        if let attachment { mail.attachments = [MailAttachment(filename: "remit.pdf", contentType: "application/pdf", data: attachment)] }
        let smtp = try await SMTPSession.connect(try TestMail.smtpConfiguration(user: "dana"))
        _ = try await smtp.send(from: "dana@\(TestMail.domain)", to: ["ar@\(TestMail.domain)"], data: MIMEBuilder.build(mail))
        await smtp.quit()
        #expect(try await TestMail.delivered(to: "ar", containing: subject) != nil)
    }

    @Test(.enabled(if: TestMail.available)) func newMailIsFoundByUIDFetchedWholeAndFiledAway() async throws {
        let marker = "imap-\(UUID().uuidString)"
        let blob = (0..<70_000).map { UInt8($0 % 256) }  // large enough to arrive in several reads
        try await deliverToAR(subject: marker, attachment: blob)
        let imap = try await IMAPSession.connect(try imapConfiguration())
        #expect(imap.capabilities.contains("IMAP4REV1"))
        let status = try await imap.select("INBOX")
        #expect(status.uidValidity > 0)
        let uids = try await imap.uids(from: 1)
        #expect(!uids.isEmpty)
        var found: (UInt32, MailMessage)?
        for uid in uids.reversed() {
            guard let raw = try await imap.fetch(uid: uid) else { continue }
            let m = MIMEParser.parse(raw)
            if m.subject == marker { found = (uid, m); break }
        }
        let (uid, message) = try #require(found)
        #expect(message.attachments.first?.body == blob)
        #expect(message.fromAddress == "dana@\(TestMail.domain)")
        // Only newer UIDs are listed after it; \Seen and MOVE work.
        #expect(try await imap.uids(from: uid + 1).allSatisfy { $0 > uid })
        try await imap.markSeen(uid: uid)
        try await imap.create("Processed")
        try await imap.move(uid: uid, to: "Processed")
        #expect(try await imap.fetch(uid: uid) == nil)
        // IDLE returns when the wait is over without new mail.
        #expect(try await imap.idle(timeout: .milliseconds(300)) == false)
        await imap.logout()
    }

    @Test(.enabled(if: TestMail.available)) func idleWakesWhenMailArrives() async throws {
        let imap = try await IMAPSession.connect(try imapConfiguration())
        _ = try await imap.select("INBOX")
        let marker = "idle-\(UUID().uuidString)"
        // Generous waits: under the full suite's load the IDLE command and Postfix's delivery can each
        // take seconds, and mail landing before IDLE is established would not wake it.
        async let arrived = imap.idle(timeout: .seconds(45))
        try await Task.sleep(for: .seconds(2))
        try await deliverToAR(subject: marker)
        #expect(try await arrived)
        await imap.logout()
    }

    @Test(.enabled(if: TestMail.available)) func aWrongPasswordIsRefused() async throws {
        var c = try imapConfiguration()
        c.password = "wrong"
        await #expect(throws: IMAPError.self) { _ = try await IMAPSession.connect(c) }
    }

    @Test func literalsAreFramed() {
        #expect(IMAPReader.literalLength(Array("* 1 FETCH (BODY[] {123}".utf8)) == 123)
        #expect(IMAPReader.literalLength(Array("A1 LOGIN {5+}".utf8)) == 5)
        #expect(IMAPReader.literalLength(Array("* OK [UIDNEXT 4] {x}".utf8)) == nil)
        #expect(IMAPSession.code("* OK [UIDVALIDITY 1732] UIDS VALID", "UIDVALIDITY") == 1732)
    }
}
