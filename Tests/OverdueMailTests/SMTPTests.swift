import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Testing
@testable import OverdueMail

/// The real mail servers the test script starts (Postfix + Dovecot on loopback), when present.
enum TestMail {
    static let env = ProcessInfo.processInfo.environment
    static var smtp: (host: String, port: Int)? { hostPort(env["OVERDUE_TEST_SMTP"]) }
    static var imap: (host: String, port: Int)? { hostPort(env["OVERDUE_TEST_IMAP"]) }
    static var domain: String { env["OVERDUE_TEST_MAIL_DOMAIN"] ?? "overdue.test" }
    static var password: String { env["OVERDUE_TEST_MAIL_PASSWORD"] ?? "" }
    static var available: Bool { smtp != nil && imap != nil }
    static var isCI: Bool { env["CI"].map { !$0.isEmpty && $0 != "false" } ?? false }

    static func hostPort(_ s: String?) -> (String, Int)? {
        guard let s, let colon = s.lastIndex(of: ":"), let port = Int(s[s.index(after: colon)...]) else { return nil }
        return (String(s[..<colon]), port)
    }

    /// TLS that trusts the test CA only.
    static func tls() throws -> TLSConfiguration {
        var c = TLSConfiguration.makeClientConfiguration()
        c.trustRoots = .file(env["OVERDUE_TEST_MAIL_CA"] ?? "/nonexistent")
        return c
    }

    static func smtpConfiguration(security: MailSecurity = .starttls, user: String? = "ar") throws -> SMTPConfiguration {
        SMTPConfiguration(
            host: "localhost", port: smtp!.port, security: security, username: user, password: user == nil ? nil : password,
            timeout: .seconds(10), tls: try tls())
    }

    /// Waits for a message whose raw text contains `marker` in `user`'s Maildir and returns it (in
    /// new/, or cur/ once an IMAP client with the mailbox open has seen it).
    static func delivered(to user: String, containing marker: String, timeout: Double = 20) async throws -> [UInt8]? {
        let dirs = ["new", "cur"].map { URL(fileURLWithPath: "/home/\(user)/Maildir/\($0)") }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            for f in dirs.flatMap({ (try? FileManager.default.contentsOfDirectory(at: $0, includingPropertiesForKeys: nil)) ?? [] }) {
                if let d = try? Data(contentsOf: f), String(decoding: d, as: UTF8.self).contains(marker) { return [UInt8](d) }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        return nil
    }
}

@Suite(.serialized) struct SMTPTests {
    @Test func theMailServersAreThereInCI() {
        #expect(!TestMail.isCI || TestMail.available, "CI=true but OVERDUE_TEST_SMTP / OVERDUE_TEST_IMAP are not set")
    }

    @Test(.enabled(if: TestMail.available)) func aReminderWithAPODTravelsThroughPostfixOverSTARTTLS() async throws {
        let marker = "mk-\(UUID().uuidString)"
        var mail = OutgoingMail(
            from: Mailbox("ar@\(TestMail.domain)", name: "Prairie Line AR"), to: [Mailbox("dana@\(TestMail.domain)", name: "Dana Reyes")],
            subject: "Reminder: 1 past-due invoice – \(marker)", text: "Hello Dana,\n.\nA line with a lone dot above.\n",
            html: "<p>Hello Dana</p>", messageID: "\(marker)@overdue.test", date: Date())
        let pod = Array("%PDF-1.4\n% signed POD\n".utf8) + (0..<5000).map { UInt8($0 % 251) }
        mail.attachments = [MailAttachment(filename: "pod-448812.pdf", contentType: "application/pdf", data: pod)]
        let session = try await SMTPSession.connect(try TestMail.smtpConfiguration())
        #expect(session.extensions["STARTTLS"] != nil || session.extensions["AUTH"] != nil)
        let result = try await session.send(from: "ar@\(TestMail.domain)", to: ["dana@\(TestMail.domain)"], data: MIMEBuilder.build(mail))
        #expect(result.accepted == ["dana@\(TestMail.domain)"])
        #expect(result.reply?.code == 250)
        // The same connection carries a second message.
        var second = mail
        second.messageID = "second-\(marker)@overdue.test"
        second.subject = "Second – \(marker)"
        second.attachments = []
        _ = try await session.send(from: "ar@\(TestMail.domain)", to: ["dana@\(TestMail.domain)"], data: MIMEBuilder.build(second))
        await session.quit()

        let raw = try #require(await TestMail.delivered(to: "dana", containing: "Message-ID: <\(marker)@overdue.test>"))
        let received = MIMEParser.parse(raw)
        #expect(received.subject == mail.subject)
        #expect(received.textBody.replacingOccurrences(of: "\r\n", with: "\n") == mail.text.trimmingCharacters(in: .newlines))
        #expect(received.attachments.first?.filename == "pod-448812.pdf")
        #expect(received.attachments.first?.body == pod)
        // Postfix notes TLS and authentication in its Received header ("with ESMTPSA").
        #expect(received.headers.all("Received").contains { $0.contains("ESMTPSA") })
        #expect(try await TestMail.delivered(to: "dana", containing: "second-\(marker)") != nil)
    }

    @Test(.enabled(if: TestMail.available)) func refusalsAreTyped() async throws {
        // Relaying for a stranger without authentication: refused permanently, per recipient.
        let session = try await SMTPSession.connect(try TestMail.smtpConfiguration(user: nil))
        let mail = OutgoingMail(
            from: Mailbox("ar@\(TestMail.domain)"), to: [Mailbox("someone@elsewhere.example")], subject: "x", text: "x",
            messageID: "refused-\(UUID().uuidString)@overdue.test", date: Date())
        await #expect(throws: SMTPError.self) {
            _ = try await session.send(from: "ar@\(TestMail.domain)", to: ["someone@elsewhere.example"], data: MIMEBuilder.build(mail))
        }
        do {
            _ = try await session.send(from: "ar@\(TestMail.domain)", to: ["someone@elsewhere.example"], data: MIMEBuilder.build(mail))
        } catch {
            #expect(!error.isTemporary, "\(error)")
        }
        // One good and one refused recipient: the message goes to the good one, the refusal is reported.
        let mixed = try await session.send(
            from: "ar@\(TestMail.domain)", to: ["dana@\(TestMail.domain)", "someone@elsewhere.example"], data: MIMEBuilder.build(mail))
        #expect(mixed.accepted == ["dana@\(TestMail.domain)"])
        #expect(mixed.refused["someone@elsewhere.example"]?.isPermanent == true)
        await session.quit()
        // A wrong password is a permanent failure at AUTH.
        var bad = try TestMail.smtpConfiguration()
        bad.password = "wrong"
        await #expect(throws: SMTPError.self) { _ = try await SMTPSession.connect(bad) }
    }

    @Test func aServerThatNeverAnswersTimesOut() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { _ in MultiThreadedEventLoopGroup.singleton.any().makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        let config = SMTPConfiguration(host: "127.0.0.1", port: server.localAddress!.port!, security: .none, timeout: .milliseconds(300))
        let started = Date()
        do {
            _ = try await SMTPSession.connect(config)
            Issue.record("connected to a silent server")
        } catch {
            guard case .timeout = error else { Issue.record("expected a timeout, got \(error)"); return }
        }
        // The timeout fired (not the 60 s default, not a hang); the bound is loose because a busy
        // CI machine can delay any task by seconds.
        #expect(Date().timeIntervalSince(started) < 30)
    }
}
