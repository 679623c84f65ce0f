import Foundation
import NIOSSL
import OverdueMail
import Testing

/// Email end to end on the built binary against the real Postfix and Dovecot the test script starts:
/// a reminder leaves through SMTP (STARTTLS + AUTH), the debtor answers it, Overdue reads the answer
/// over IMAP, threads it onto the case and mails the POD back; a bounce marks an address invalid; an
/// auto-reply reschedules.
@Suite(.serialized) struct EmailCLITests {
    static let env = ProcessInfo.processInfo.environment
    static var available: Bool { env["OVERDUE_TEST_SMTP"] != nil && env["OVERDUE_TEST_IMAP"] != nil }
    static var password: String { env["OVERDUE_TEST_MAIL_PASSWORD"] ?? "" }
    static func port(_ key: String) -> String { env[key].flatMap { $0.split(separator: ":").last.map(String.init) } ?? "0" }

    /// Mail delivered before this test began is an earlier run's (message ids are deterministic).
    let started = Date().addingTimeInterval(-2)

    let dir: URL = {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("overdue-email-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }()

    func overdue(_ args: [String], db: String) throws -> CLITests.Output {
        try CLITests.run(args + ["--db", db, "--documents", dir.appendingPathComponent("docs").path], in: dir)
    }

    /// Waits for a message containing `marker` in `user`'s Maildir (new or cur).
    func delivered(to user: String, containing marker: String, timeout: Double = 30) async throws -> MailMessage? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            for sub in ["new", "cur"] {
                let d = URL(fileURLWithPath: "/home/\(user)/Maildir/\(sub)")
                for f in (try? FileManager.default.contentsOfDirectory(at: d, includingPropertiesForKeys: [.contentModificationDateKey])) ?? [] {
                    guard let modified = try? f.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate, modified >= started else {
                        continue
                    }
                    if let data = try? Data(contentsOf: f), String(decoding: data, as: UTF8.self).contains(marker) { return MIMEParser.parse([UInt8](data)) }
                }
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        return nil
    }

    /// Sends `mail` through Postfix as `user`.
    func send(_ mail: OutgoingMail, as user: String, to: String) async throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(Self.env["OVERDUE_TEST_MAIL_CA"] ?? "")
        let smtp = try await SMTPSession.connect(
            SMTPConfiguration(
                host: "localhost", port: Int(Self.port("OVERDUE_TEST_SMTP"))!, security: .starttls,
                username: user, password: Self.password, tls: tls))
        _ = try await smtp.send(from: "\(user)@overdue.test", to: [to], data: MIMEBuilder.build(mail))
        await smtp.quit()
    }

    /// Points the tenant of `db` at the test mail servers (user `billing`).
    func configureMail(_ db: String) throws {
        let settings: [(String, String)] = [
            ("email.provider", "smtp"), ("email.smtp.host", "localhost"), ("email.smtp.port", Self.port("OVERDUE_TEST_SMTP")),
            ("email.smtp.security", "starttls"), ("email.smtp.user", "billing"), ("email.smtp.password", Self.password),
            ("email.imap.host", "localhost"), ("email.imap.port", Self.port("OVERDUE_TEST_IMAP")), ("email.imap.security", "starttls"),
            ("email.imap.user", "billing"), ("email.imap.password", Self.password), ("email.imap.processed", "Processed"),
            ("sender.email", "billing@overdue.test"), ("company.name", "Prairie Line"),
        ]
        for (k, v) in settings { #expect(try overdue(["settings", "set", k, v], db: db).code == 0, "\(k)") }
        // The test CA, as its certificates (a file's text, not its path).
        let ca = try overdue(["settings", "set", "email.tls.ca_pem", "--value-file", Self.env["OVERDUE_TEST_MAIL_CA"] ?? ""], db: db)
        #expect(ca.code == 0, "\(ca.err)")
    }

    @Test(.enabled(if: EmailCLITests.available)) func aReminderIsAnsweredByEmailWithThePODAndBouncesAndAutoRepliesAreUnderstood() async throws {
        let db = "sqlite://\(dir.path)/mail.sqlite"
        let ghost = "ghost-\(UUID().uuidString.prefix(8).lowercased())@overdue.test"
        try configureMail(db)
        for (k, v) in [("public_url", "https://ar.overdue.test"), ("email.tracking", "all")] {
            #expect(try overdue(["settings", "set", k, v], db: db).code == 0)
        }
        #expect(try overdue(["settings", "show", "--format", "jsonl"], db: db).out.contains("\"email.smtp.password\":\"********\""))
        // Whatever an earlier run left in the mailbox is filed away first (nobody here to match it).
        #expect(try overdue(["mail", "fetch", "--at", "2026-01-20T00:00:00Z"], db: db).code == 0)

        let invoices = """
            invoice_number,debtor_id,debtor_name,amount,currency,issue_date,due_date,load_number
            INV-100,SHIP1,Big Shipper Inc,1250.00,USD,2026-01-01,2026-01-31,448812
            INV-900,GONE1,Gone Freight LLC,300.00,USD,2026-01-01,2026-01-31,770011
            """
        let contacts = """
            debtor_id,name,email,timezone
            SHIP1,Dana Reyes,dana@overdue.test,America/Chicago
            GONE1,Nobody Home,\(ghost),America/Chicago
            """
        for (kind, text) in [("invoices", invoices), ("contacts", contacts)] {
            let f = dir.appendingPathComponent("\(kind).csv")
            try Data(text.utf8).write(to: f)
            #expect(try overdue(["import", kind, f.path], db: db).code == 0)
        }
        let pod = dir.appendingPathComponent("pod-448812.pdf")
        let podBytes = Array("%PDF-1.4\n% POD load 448812 \(UUID().uuidString)\n".utf8) + (0..<4000).map { UInt8($0 % 253) }
        try Data(podBytes).write(to: pod)
        #expect(try overdue(["docs", "add", "INV-100", pod.path, "--kind", "pod"], db: db).code == 0)

        // Mon Feb 2: the first reminders leave through Postfix.
        let run = try overdue(["run", "--from", "2026-01-20T00:00:00Z", "--until", "2026-02-02T15:00:00Z"], db: db)
        #expect(run.code == 0, "\(run.err)")
        let outbox = try overdue(["outbox", "--format", "jsonl"], db: db).out
        let sent = outbox.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let toDana = try #require(sent.first { $0["to"] as? String == "dana@overdue.test" })
        #expect(toDana["status"] as? String == "sent", "\(toDana)")
        let danaID = toDana["id"] as! String
        let reminder = try #require(await delivered(to: "dana", containing: "Message-ID: <\(danaID)@overdue.test>"))
        #expect(reminder.subject?.contains("past-due") == true)
        #expect(reminder.headers["Reply-To"]?.contains("billing+\(danaID)@overdue.test") == true)
        // One-click unsubscribe (RFC 8058) and the tracking links carry the message's secret token, never its id.
        let unsubscribe = try #require(reminder.headers["List-Unsubscribe"])
        #expect(unsubscribe.contains("https://ar.overdue.test/u/") && !unsubscribe.contains("/u/\(danaID)"), "\(unsubscribe)")
        #expect(reminder.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click")
        let token = String(unsubscribe.split(separator: "/u/").last?.prefix { $0 != ">" } ?? "")
        let rawMail = String(decoding: reminder.raw, as: UTF8.self).replacingOccurrences(of: "=\r\n", with: "")
        #expect(token.count >= 20 && rawMail.contains("https://ar.overdue.test/o/\(token).gif"))

        // Dana answers from her mail client; Postfix bounces the reminder to the ghost address.
        var answer = OutgoingMail(
            from: Mailbox("dana@overdue.test", name: "Dana Reyes"), to: [Mailbox("billing+\(danaID)@overdue.test")],
            subject: "Re: " + (reminder.subject ?? ""), text: "Can you send me the POD for load 448812? We can't approve it without it.\n\n> quoted reminder",
            messageID: "answer-\(UUID().uuidString)@overdue.test", date: Date())
        answer.inReplyTo = reminder.messageID
        answer.references = [reminder.messageID!]
        try await send(answer, as: "dana", to: "billing+\(danaID)@overdue.test")
        #expect(try await delivered(to: "billing", containing: answer.messageID) != nil)
        #expect(try await delivered(to: "billing", containing: ghost) != nil)

        // Overdue reads the mailbox (as of Tue Feb 3, 10:00 in Chicago).
        let fetched = try overdue(["mail", "fetch", "--at", "2026-02-03T16:00:00Z"], db: db)
        #expect(fetched.code == 0, "\(fetched.err)")
        #expect(fetched.out.contains("1 conversation(s), 1 bounce(s)"), "\(fetched.out)")

        // The POD went back, attached, in the same thread.
        let podReply = try #require(await delivered(to: "dana", containing: "In-Reply-To: <\(answer.messageID)>"))
        #expect(podReply.attachments.first?.filename == "pod-448812.pdf")
        #expect(podReply.attachments.first?.body == podBytes)
        #expect(podReply.references.contains(reminder.messageID!))

        // The ghost address is invalid now: no more email to it, with the reason.
        let cases = try overdue(["cases", "--format", "jsonl"], db: db).out
        let gone = cases.split(separator: "\n").first { $0.contains("GONE1") }.map(String.init) ?? ""
        #expect(gone.contains("hard bounce"), "\(gone)")

        // An out-of-office reply (RFC 3834 headers) reschedules to the return date.
        var away = OutgoingMail(
            from: Mailbox("dana@overdue.test"), to: [Mailbox("billing@overdue.test")], subject: "Automatic reply: your message",
            text: "I am out of the office until February 16 and will reply when I return.", messageID: "oof-\(UUID().uuidString)@overdue.test", date: Date())
        away.extraHeaders = [("Auto-Submitted", "auto-replied")]
        try await send(away, as: "dana", to: "billing@overdue.test")
        #expect(try await delivered(to: "billing", containing: away.messageID) != nil)
        #expect(try overdue(["mail", "fetch", "--at", "2026-02-04T16:00:00Z"], db: db).code == 0)
        let ship = try overdue(["cases", "--format", "jsonl"], db: db).out.split(separator: "\n").first { $0.contains("SHIP1") }.map(String.init) ?? ""
        #expect(ship.contains("2026-02-16"), "\(ship)")
        // Nothing is read twice: a second fetch finds nothing new.
        #expect(try overdue(["mail", "fetch", "--at", "2026-02-04T17:00:00Z"], db: db).out.contains("read 0 message(s)"))
    }

    /// The attack of issue 20 (finding 3): a message whose sender parses but is no address used to
    /// make every read fail on it, so later replies, unsubscribes and bounces were never read.
    @Test(.enabled(if: EmailCLITests.available)) func aMailThatCannotBeHandledIsSetAsideAndTheMailAfterItIsStillRead() async throws {
        let db = "sqlite://\(dir.path)/bad.sqlite"
        try configureMail(db)
        #expect(try overdue(["mail", "fetch", "--at", "2026-01-20T00:00:00Z"], db: db).code == 0)
        let files: [(String, String)] = [
            (
                "invoices",
                "invoice_number,debtor_id,debtor_name,amount,currency,issue_date,due_date\nINV-7,SHIP1,Big Shipper Inc,900.00,USD,2026-01-01,2026-01-31"
            ),
            ("contacts", "debtor_id,name,email,timezone\nSHIP1,Dana Reyes,dana@overdue.test,America/Chicago"),
        ]
        for (kind, text) in files {
            let f = dir.appendingPathComponent("\(kind).csv")
            try Data(text.utf8).write(to: f)
            #expect(try overdue(["import", kind, f.path], db: db).code == 0)
        }
        // Straight into the mailbox (Dovecot's Maildir), oldest first: the poisoned message, then Dana's unsubscribe.
        let stamp = Int(Date().timeIntervalSince1970)
        let marker = UUID().uuidString
        let poisoned = [
            "From: <x@localhost>", "To: billing@overdue.test", "Subject: we paid", "Message-ID: <poison-\(marker)@evil.test>",
            "Date: Tue, 03 Feb 2026 10:00:00 -0600", "", "We paid everything, stop writing.", "",
        ].joined(separator: "\r\n")
        let unsubscribe = [
            "From: Dana Reyes <dana@overdue.test>", "To: billing@overdue.test", "Subject: Re: past-due invoice", "Message-ID: <after-\(marker)@overdue.test>",
            "Date: Tue, 03 Feb 2026 10:05:00 -0600", "", "Please unsubscribe me from these emails.", "",
        ].joined(separator: "\r\n")
        let new = URL(fileURLWithPath: "/home/billing/Maildir/new")
        try Data(poisoned.utf8).write(to: new.appendingPathComponent("\(stamp).M1P\(marker.prefix(8)).overdue"))
        try Data(unsubscribe.utf8).write(to: new.appendingPathComponent("\(stamp + 1).M2P\(marker.prefix(8)).overdue"))

        let fetched = try overdue(["mail", "fetch", "--at", "2026-02-03T16:30:00Z"], db: db)
        #expect(fetched.code == 0, "\(fetched.err)")
        #expect(fetched.out.contains("read 2 message(s): 1 conversation(s)") && fetched.out.contains("1 set aside"), "\(fetched.out)")
        // The unsubscribe acted; the poisoned message waits for a person, kept byte for byte.
        let inbox = try overdue(["inbox", "--format", "jsonl"], db: db).out
        #expect(inbox.contains("unhandled_mail") && inbox.contains("poison-\(marker)"), "\(inbox)")
        let kept = try FileManager.default.subpathsOfDirectory(atPath: dir.appendingPathComponent("docs").path).filter { $0.hasSuffix(".eml") }
        #expect(kept.contains { (try? String(contentsOfFile: dir.appendingPathComponent("docs/\($0)").path, encoding: .utf8))?.contains(marker) == true })
        let ship = try overdue(["cases", "--format", "jsonl"], db: db).out
        #expect(ship.contains("unsubscribe") || ship.contains("opt"), "\(ship)")
        // Neither is read again.
        #expect(try overdue(["mail", "fetch", "--at", "2026-02-03T17:00:00Z"], db: db).out.contains("read 0 message(s)"))
    }

    @Test func mailInspectAndThreadsSpeakJSON() throws {
        let bounce = dir.appendingPathComponent("bounce.eml")
        try Data(
            """
            From: MAILER-DAEMON@mx.shipper.example\r
            Subject: Undelivered Mail Returned to Sender\r
            Message-ID: <dsn-1@mx.shipper.example>\r
            Content-Type: multipart/report; report-type=delivery-status; boundary="r"\r
            \r
            --r\r
            Content-Type: message/delivery-status\r
            \r
            Reporting-MTA: dns; mx.shipper.example\r
            \r
            Final-Recipient: rfc822; gone@shipper.example\r
            Action: failed\r
            Status: 5.1.1\r
            --r--\r
            """.utf8
        ).write(to: bounce)
        let inspected = try CLITests.run(["mail", "inspect", bounce.path, "--format", "json"], in: dir)
        #expect(inspected.code == 0)
        let json = try JSONSerialization.jsonObject(with: Data(inspected.out.utf8)) as! [String: Any]
        #expect(json["kind"] as? String == "bounce")
        let r = (json["recipients"] as? [[String: Any]])?.first
        #expect(r?["address"] as? String == "gone@shipper.example" && r?["status"] as? String == "5.1.1" && r?["hard"] as? Bool == true)
        #expect(try CLITests.run(["mail", "inspect", "/nonexistent.eml"], in: dir).code == 2)

        let mbox = """
            From a Mon Jan  5 10:00:00 2026
            Message-ID: <a@x>
            Subject: Invoice 1

            one
            From b Mon Jan  5 11:00:00 2026
            Message-ID: <b@y>
            In-Reply-To: <a@x>
            Subject: Re: Invoice 1

            two
            From c Mon Jan  5 12:00:00 2026
            Message-ID: <c@z>
            Subject: Other

            three

            """
        let threads = try CLITests.run(["mail", "threads", "--format", "jsonl"], in: dir, stdin: mbox)
        #expect(threads.code == 0)
        let lines = threads.out.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(lines.map { $0["thread_id"] as? String } == ["a@x", "a@x", "c@z"])
        #expect(lines.map { $0["index"] as? Int } == [0, 1, 2])
    }

    @Test(.enabled(if: EmailCLITests.available)) func aWorkerAnswersMailAsItArrivesAndStopsPromptly() async throws {
        let db = "sqlite://\(dir.path)/worker.sqlite"
        try configureMail(db)
        let f = dir.appendingPathComponent("w-invoices.csv")
        try Data("invoice_number,debtor_id,debtor_name,amount,currency,issue_date,due_date\nINV-7,SHIP7,Seven Shippers,700.00,USD,2026-10-01,2026-10-31\n".utf8)
            .write(to: f)
        #expect(try overdue(["import", "invoices", f.path], db: db).code == 0)
        let c = dir.appendingPathComponent("w-contacts.csv")
        try Data("debtor_id,name,email,timezone\nSHIP7,Dana Reyes,dana@overdue.test,America/Chicago\n".utf8).write(to: c)
        #expect(try overdue(["import", "contacts", c.path], db: db).code == 0)

        let p = Process()
        p.executableURL = CLITests.binary
        p.arguments = ["worker", "--interval", "0.5", "--db", db, "--documents", dir.appendingPathComponent("docs").path]
        p.currentDirectoryURL = dir
        p.environment = ProcessInfo.processInfo.environment.merging(["OVERDUE_MAIL_INTERVAL": "30"]) { $1 }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        defer { if p.isRunning { p.terminate() } }
        // Let the worker read what is there and settle into IDLE, then write to it.
        try await Task.sleep(for: .seconds(3))
        let question = OutgoingMail(
            from: Mailbox("dana@overdue.test"), to: [Mailbox("billing@overdue.test")], subject: "Balance?",
            text: "What is the total we owe you right now?", messageID: "q-\(UUID().uuidString)@overdue.test", date: Date())
        try await send(question, as: "dana", to: "billing@overdue.test")
        // With a 30 s polling interval, an answer within 20 s means IDLE woke the worker.
        var answered = false
        let deadline = Date().addingTimeInterval(20)
        while !answered && Date() < deadline {
            try await Task.sleep(for: .milliseconds(500))
            answered = try overdue(["outbox", "--format", "jsonl"], db: db).out.contains("\"kind\":\"account_summary\"")
        }
        #expect(answered)
        #expect(try await delivered(to: "dana", containing: "In-Reply-To: <\(question.messageID)>") != nil)
        let stopAsked = Date()
        p.terminate()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(Date().timeIntervalSince(stopAsked) < 15, "a waiting IDLE must not hold up shutdown")
    }
}
