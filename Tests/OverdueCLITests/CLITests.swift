import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import Testing

/// End-to-end tests on the built `overdue` binary, as a user runs it.
@Suite(.serialized) struct CLITests {
    struct Output { var code: Int32; var out: String; var err: String }

    /// The binary: `OVERDUE_BIN`, else `.build/debug/overdue` in this package (built by the test script).
    static let binary: URL = {
        if let b = ProcessInfo.processInfo.environment["OVERDUE_BIN"] { return URL(fileURLWithPath: b) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/overdue")
    }()

    let dir: URL = {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("overdue-cli-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }()

    /// Runs the CLI in `cwd` with `extraEnv` and waits for it.
    static func run(_ args: [String], in cwd: URL, extraEnv: [String: String] = [:], stdin: String? = nil) throws -> Output {
        #expect(FileManager.default.isExecutableFile(atPath: binary.path), "build the CLI first (swift build): \(binary.path)")
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.currentDirectoryURL = cwd
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "OVERDUE_DATABASE_URL")
        env.removeValue(forKey: "OVERDUE_TENANT")
        env.merge(extraEnv) { $1 }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let input = Pipe()
        if stdin != nil { p.standardInput = input }
        try p.run()
        if let stdin {
            // Written from another thread so a large input cannot fill the pipe while output waits unread.
            let writer = input.fileHandleForWriting
            let data = Data(stdin.utf8)
            Thread.detachNewThread {
                writer.write(data); try? writer.close()
            }
        }
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Output(code: p.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
    }

    /// A running `overdue serve`: its process, the port it bound and its standard error so far.
    final class Server: @unchecked Sendable {
        let process = Process()
        let err = Pipe()
        var port = ""
        var log = ""

        /// Starts `overdue serve --port 0 ARGS` in `cwd` and waits for the banner naming the port.
        init(_ args: [String], in cwd: URL, env extra: [String: String] = [:]) throws {
            process.executableURL = CLITests.binary
            process.arguments = ["serve", "--port", "0"] + args
            process.currentDirectoryURL = cwd
            process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
            process.standardError = err
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(30)
            while !log.contains("http://"), Date() < deadline { log += String(decoding: err.fileHandleForReading.availableData, as: UTF8.self) }
            port = try #require(log.firstMatch(of: /127\.0\.0\.1:(\d+)/).map { String($0.1) })
        }

        /// Stops it (SIGTERM) and returns everything it wrote to standard error.
        @discardableResult
        func stop() -> String {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            log += String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            return log
        }

        deinit { if process.isRunning { process.terminate(); process.waitUntilExit() } }
    }

    @discardableResult
    func overdue(_ args: [String], in cwd: URL? = nil) throws -> Output {
        try Self.run(args, in: cwd ?? dir)
    }

    func write(_ name: String, _ text: String) -> String {
        let url = dir.appendingPathComponent(name)
        try! Data(text.utf8).write(to: url)
        return url.path
    }

    static let invoices = """
        Invoice_Number,Debtor_ID,Debtor_Name,Amount,Currency,Issue_Date,Due_Date,Load_Number,PRO_Number,BOL_Number,Factored
        INV-100,SHIP1,Big Shipper Inc,"1,250.00",USD,1/1/2026,1/31/2026,L-1,PRO-1,BOL-1,false
        INV-101,SHIP1,Big Shipper Inc,750,USD,2026-01-05,2026-02-04,L-2,PRO-2,BOL-2,false
        INV-102,SHIP1,Big Shipper Inc,900,USD,2026-01-05,2026-02-04,L-9,PRO-9,BOL-9,true
        INV-200,BRKR1,"Fast Brokers, LLC",2000.00,USD,2026-01-10,2026-02-09,L-3,PRO-3,BOL-3,false
        INV-300,CONS1,Consignee Co,500.00,USD,2026-01-10,2026-02-09,,,,
        """
    static let contacts = """
        name,debtor_id,phone,email,timezone,sms_consent,call_consent,preferred_channel
        Dana Reyes,SHIP1,(312) 555-0101,dana@bigshipper.example,America/Chicago,true,true,
        Luis Olsen,BRKR1,416-555-0199,luis@fastbrokers.example,America/Toronto,false,true,
        Rosa García,CONS1,+52 55 5555 0101,,America/Mexico_City,yes,no,sms
        """
    static let payments = """
        debtor_id,amount,currency,date,reference
        CONS1,500.00,USD,2026-02-20,wire INV-300
        """
    static let policy =
        #"{"name": "standard", "start_after_due_days": 1, "stages": [{"channel": "email", "attempts": 3, "delay_days": 3}, {"channel": "sms", "attempts": 3, "delay_days": 3}, {"channel": "voice", "attempts": 3, "delay_days": 3}], "on_exhausted": "handoff"}"#

    /// The scenario's outbox and cases. Every database of a comparison gets the same master key
    /// (its key file, written first): message ids are keyed with it.
    func scenario(db: String) throws -> (outbox: String, cases: String) {
        let keyFile = db.dropFirst("sqlite://".count) + ".key"
        if !FileManager.default.fileExists(atPath: String(keyFile)) {
            try Data((String(repeating: "5a", count: 32) + "\n").utf8).write(to: URL(fileURLWithPath: String(keyFile)))
        }
        #expect(try overdue(["import", "invoices", write("inv.csv", Self.invoices), "--db", db]).code == 0)
        #expect(try overdue(["import", "contacts", write("con.csv", Self.contacts), "--db", db]).code == 0)
        #expect(try overdue(["import", "payments", write("pay.csv", Self.payments), "--db", db]).code == 0)
        #expect(try overdue(["policy", "set", write("policy.json", Self.policy), "--db", db]).code == 0)
        let run = try overdue(["run", "--from", "2026-01-20T00:00:00Z", "--until", "2026-03-21T00:00:00Z", "--db", db])
        #expect(run.code == 0, "\(run.err)")
        let outbox = try overdue(["outbox", "--format", "jsonl", "--db", db])
        let cases = try overdue(["cases", "--format", "jsonl", "--db", db])
        return (outbox.out, cases.out)
    }

    @Test func importPolicyRunThenOutboxAndCases() throws {
        // when
        let (outbox, cases) = try scenario(db: "sqlite://\(dir.path)/a.sqlite")
        // then: one JSON object per outbound message with the documented fields
        let messages = outbox.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(!messages.isEmpty)
        for key in ["id", "at", "channel", "to", "debtor_id", "contact_name", "invoice_numbers", "stage", "attempt", "kind", "subject", "body"] {
            #expect(messages.allSatisfy { $0.keys.contains(key) }, "missing \(key)")
        }
        let ship = messages.filter { $0["debtor_id"] as? String == "SHIP1" }
        #expect(ship.count == 9)
        #expect(ship.first?["at"] as? String == "2026-02-02T14:00:00Z")
        #expect((ship.last?["invoice_numbers"] as? [String]) == ["INV-100", "INV-101"])  // factored INV-102 never appears
        #expect(ship.first?["to"] as? String == "dana@bigshipper.example")
        // The consignee prefers SMS and paid on Feb 20: SMS first, then nothing.
        let cons = messages.filter { $0["debtor_id"] as? String == "CONS1" }
        #expect(cons.first?["channel"] as? String == "sms")
        #expect(cons.first?["to"] as? String == "+525555550101")
        #expect(cons.allSatisfy { ($0["at"] as! String) < "2026-02-20" })

        let rows = cases.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(rows.map { $0["debtor_id"] as! String } == ["BRKR1", "CONS1", "SHIP1"])
        for key in ["debtor_id", "status", "balance", "currency", "open_invoices", "next_action_at", "next_action_channel", "reasons"] {
            #expect(rows.allSatisfy { $0.keys.contains(key) }, "missing \(key)")
        }
        let byID = Dictionary(uniqueKeysWithValues: rows.map { ($0["debtor_id"] as! String, $0) })
        #expect(byID["CONS1"]?["status"] as? String == "resolved")
        #expect(byID["SHIP1"]?["status"] as? String == "handoff")
        #expect(byID["SHIP1"]?["balance"] as? String == "2000.00")
        #expect(byID["SHIP1"]?["currency"] as? String == "USD")
        #expect((byID["BRKR1"]?["reasons"] as? [String])?.contains { $0.contains("no SMS consent") } == true)
    }

    @Test func sameDataGivesByteIdenticalOutput() throws {
        let a = try scenario(db: "sqlite://\(dir.path)/a.sqlite")
        let b = try scenario(db: "sqlite://\(dir.path)/b.sqlite")
        #expect(a.outbox == b.outbox)
        #expect(a.cases == b.cases)
        #expect(a.outbox.count > 1000)
    }

    @Test func badRowsExitTwoNameFileLineColumnAndWriteNothing() throws {
        let db = "sqlite://\(dir.path)/bad.sqlite"
        let file = write(
            "bad.csv",
            """
            invoice_number,debtor_id,debtor_name,amount,currency,issue_date,due_date
            INV-1,D1,Acme,100.00,USD,2026-01-01,2026-01-31
            INV-2,D1,Acme,ten dollars,USD,2026-01-01,2026-01-31
            INV-3,D1,Acme,100.00,USD,2026-13-01,2026-01-31
            """)
        let r = try overdue(["import", "invoices", file, "--db", db])
        #expect(r.code == 2)
        #expect(r.err.contains("bad.csv:3: column 'amount'"))
        #expect(r.err.contains("bad.csv:4: column 'issue_date'"))
        #expect(r.err.contains("nothing was written"))
        #expect(try overdue(["cases", "--format", "jsonl", "--db", db]).out.isEmpty)
        #expect(try overdue(["run", "--from", "2026-02-01", "--until", "2026-03-01", "--db", db]).out.contains("0 planning(s)"))

        let skipped = try overdue(["import", "invoices", file, "--db", db, "--skip-invalid"])
        #expect(skipped.code == 0)
        #expect(skipped.out.contains("imported 1 invoices row(s)"))
        #expect(skipped.err.contains("bad.csv:3"))
    }

    @Test func missingColumnsAndFilesAreUsageErrors() throws {
        let db = "sqlite://\(dir.path)/m.sqlite"
        let r = try overdue(["import", "contacts", write("c.csv", "debtor_id,name\nD1,Dana\n"), "--db", db])
        #expect(r.code == 2)
        #expect(r.err.contains("email or a phone"))
        #expect(try overdue(["import", "invoices", "/no/such/file.csv", "--db", db]).code == 2)
        #expect(try overdue(["import", "widgets", write("w.csv", "a\n"), "--db", db]).code == 2)
        #expect(try overdue(["run", "--from", "2026-01-01", "--db", db]).code == 2)
        #expect(try overdue(["run", "--from", "yesterday", "--until", "2026-01-01", "--db", db]).code == 2)
    }

    @Test func policyIsValidatedAndShown() throws {
        let db = "sqlite://\(dir.path)/p.sqlite"
        let bad = try overdue(["policy", "set", write("bad.json", #"{"stages": [{"channel": "pigeon", "attempts": 3}], "colour": "red"}"#), "--db", db])
        #expect(bad.code == 2)
        #expect(bad.err.contains("colour: unknown field"))
        #expect(bad.err.contains("stages[0].channel"))
        let shown = try overdue(["policy", "show", "--db", db])
        #expect(shown.out.contains("\"on_exhausted\" : \"handoff\""))
    }

    @Test func settingsAreShownAndValidated() throws {
        let db = "sqlite://\(dir.path)/s.sqlite"
        #expect(try overdue(["settings", "set", "company.name", "Prairie Line Trucking", "--db", db]).code == 0)
        let bad = try overdue(["settings", "set", "window.sms.start", "06:00", "--db", db])
        #expect(bad.code == 2)
        #expect(bad.err.contains("08:00–21:00"))
        #expect(try overdue(["settings", "set", "no.such.key", "x", "--db", db]).code == 2)
        let shown = try overdue(["settings", "show", "--format", "jsonl", "--db", db])
        let json = try JSONSerialization.jsonObject(with: Data(shown.out.utf8)) as! [String: String]
        #expect(json["company.name"] == "Prairie Line Trucking")
        #expect(json["window.start"] == "08:00")
        // Tenants are separate.
        let other = try overdue(["settings", "show", "--format", "jsonl", "--db", db, "--tenant", "other"])
        #expect((try JSONSerialization.jsonObject(with: Data(other.out.utf8)) as! [String: String])["company.name"] == "My Trucking Co")
    }

    @Test func aPromiseByTextPausesTheLadderAndABrokenOneIsFollowedUp() throws {
        let db = "sqlite://\(dir.path)/r.sqlite"
        #expect(try overdue(["import", "invoices", write("inv.csv", Self.invoices), "--db", db]).code == 0)
        #expect(try overdue(["import", "contacts", write("con.csv", Self.contacts), "--db", db]).code == 0)
        #expect(try overdue(["run", "--from", "2026-01-20", "--until", "2026-02-05T13:00:00Z", "--db", db]).code == 0)
        // Thu Feb 5, 07:30 in Chicago: "we'll pay Friday" → paused until Fri + 2 business days.
        let reply = try overdue([
            "reply", "--channel", "sms", "--from", "+13125550101", "--text", "We'll pay Friday", "--at", "2026-02-05T13:30:00Z", "--db", db,
        ])
        #expect(reply.code == 0)
        #expect(reply.out.contains("Dana Reyes on case SHIP1"))
        #expect(reply.out.contains("promise_to_pay"))
        #expect(reply.out.contains("2026-02-06"))
        #expect(try overdue(["run", "--from", "2026-02-05T13:00:00Z", "--until", "2026-02-12", "--db", db]).code == 0)
        let lines = try overdue(["outbox", "--format", "jsonl", "--debtor", "SHIP1", "--db", db]).out.split(separator: "\n")
            .map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let timeline = lines.map { "\($0["at"]!) \($0["channel"]!) \($0["kind"]!)" }
        // The confirmation waits for the SMS window (08:00 local); nothing else until the follow-up on Wed Feb 11.
        #expect(
            timeline == [
                "2026-02-02T14:00:00Z email reminder", "2026-02-05T14:00:00Z sms promise_confirmation",
                "2026-02-11T14:00:00Z email broken_promise",
            ])
        let unknown = try overdue(["reply", "--channel", "email", "--from", "stranger@x.example", "--text", "who?", "--at", "2026-02-06T15:00:00Z", "--db", db])
        #expect(unknown.code == 0)
        #expect(unknown.err.contains("unmatched"))
        let inbox = try overdue(["inbox", "--format", "jsonl", "--db", db]).out
        #expect(inbox.contains("\"kind\":\"unmatched\""))
    }

    @Test func tablesAreForPeople() throws {
        let db = "sqlite://\(dir.path)/t.sqlite"
        _ = try scenario(db: db)
        let table = try overdue(["cases", "--format", "table", "--db", db]).out
        #expect(table.hasPrefix("DEBTOR"))
        #expect(table.contains("SHIP1"))
        #expect(try overdue(["outbox", "--format", "table", "--db", db]).out.contains("CHANNEL"))
    }

    @Test func serveAnswersHealthAndTheAPIWithAKey() async throws {
        let db = "sqlite://\(dir.path)/serve.sqlite"
        _ = try scenario(db: db)
        let made = try overdue(["keys", "create", "--role", "viewer", "--name", "test", "--db", db])
        #expect(made.code == 0 && made.err.contains("shown this once"))
        let key = made.out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(key.hasPrefix("od_"))
        #expect(try overdue(["keys", "list", "--db", db]).out.contains(String(key.prefix(13))))
        #expect(!(try overdue(["keys", "list", "--db", db]).out.contains(key)), "the key itself is never shown again")
        // The banner names the bound port.
        let server = try Server(["--db", db], in: dir)
        defer { server.stop() }
        let port = server.port
        let (health, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/health")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: health, as: UTF8.self).contains("\"status\":\"ok\""))
        let url = URL(string: "http://127.0.0.1:\(port)/api/v1/cases")!
        let (_, anonymous) = try await URLSession.shared.data(from: url)
        #expect((anonymous as? HTTPURLResponse)?.statusCode == 401)
        var request = URLRequest(url: url)
        request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
        let (cases, ok) = try await URLSession.shared.data(for: request)
        #expect((ok as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: cases, as: UTF8.self).contains("SHIP1"))
        #expect(try overdue(["keys", "revoke", String(key.prefix(13)), "--db", db]).code == 0)
        let (_, revoked) = try await URLSession.shared.data(for: request)
        #expect((revoked as? HTTPURLResponse)?.statusCode == 401)
    }

    @Test func secretsAndCardNumbersNeverReachTheLogsOrTheAuditTrail() async throws {
        let db = "sqlite://\(dir.path)/secrets.sqlite"
        _ = try scenario(db: db)
        let password = "tandem-walrus-oxide-42"
        // Too short, then common: refused with the reason; then made from standard input.
        let weak = try Self.run(["users", "create", "--email", "owner@carrier.test", "--role", "owner", "--db", db], in: dir, stdin: "password1234\n")
        #expect(weak.code != 0 && weak.err.contains("commonly used password"))
        let made = try Self.run(["users", "create", "--email", "owner@carrier.test", "--role", "owner", "--db", db], in: dir, stdin: password + "\n")
        #expect(made.code == 0, "\(made.err)")
        #expect(try overdue(["users", "list", "--db", db]).out.contains("owner@carrier.test"))
        let key = try overdue(["keys", "create", "--role", "collector", "--db", db]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try Server(["--db", db], in: dir, env: ["OVERDUE_LOG_LEVEL": "trace", "OVERDUE_BCRYPT_COST": "10"])
        let port = server.port
        func call(_ path: String, _ method: String, _ body: String, headers: [String: String]) async throws -> (Int, String, HTTPURLResponse?) {
            var r = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            r.httpMethod = method
            r.httpBody = Data(body.utf8)
            r.setValue("application/json", forHTTPHeaderField: "Content-Type")
            for (k, v) in headers { r.setValue(v, forHTTPHeaderField: k) }
            let (data, response) = try await URLSession.shared.data(for: r)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self), response as? HTTPURLResponse)
        }
        let (wrong, _, _) = try await call("/auth/login", "POST", #"{"email":"owner@carrier.test","password":"not-my-password-at-all"}"#, headers: [:])
        #expect(wrong == 401)
        let (ok, session, response) = try await call("/auth/login", "POST", #"{"email":"owner@carrier.test","password":"\#(password)"}"#, headers: [:])
        #expect(ok == 200)
        let cookie = try #require(response?.value(forHTTPHeaderField: "Set-Cookie")?.split(separator: ";").first.map(String.init))
        let csrf = try #require((try JSONSerialization.jsonObject(with: Data(session.utf8)) as? [String: Any])?["csrf_token"] as? String)
        // A debtor texts a card number and an account number.
        let text = "pls charge 4111 1111 1111 1111 or debit account 000123456789"
        let (received, _, _) = try await call(
            "/api/v1/messages", "POST", #"{"channel":"sms","from":"+13125550101","text":"\#(text)"}"#,
            headers: ["Authorization": "Bearer \(key)"])
        #expect(received == 201 || received == 200)
        let (_, _, _) = try await call("/api/v1/cases/SHIP1/takeover", "POST", #"{"by":"owner"}"#, headers: ["Cookie": cookie, "X-CSRF-Token": csrf])
        let log = server.stop()
        let audit = try overdue(["audit", "list", "--db", db]).out
        #expect(audit.contains("auth.login") && audit.contains("auth.login_failed") && audit.contains("key.created") && audit.contains("user.created"))
        // The message was logged (at debug), masked.
        #expect(log.contains("pls charge [card …1111] or debit account […6789]"), "\(log.suffix(600))")
        let token = String(cookie.split(separator: "=", maxSplits: 1).last ?? "")
        for secret in [password, "not-my-password-at-all", String(key.dropFirst(14)), token, csrf, "4111 1111 1111 1111", "4111111111111111", "000123456789"] {
            #expect(!log.contains(secret), "the server log holds \(secret.prefix(6))…")
            #expect(!audit.contains(secret), "the audit log holds \(secret.prefix(6))…")
        }
        #expect(try overdue(["audit", "verify", "--db", db]).code == 0)
    }

    /// The dashboard in a real headless Chromium, driven over the DevTools protocol by
    /// `scripts/browser-check.py`: sign in through the form, open every page, check its content,
    /// labels, script errors, and that no page is wider than a phone (390 px); screenshots go to `OVERDUE_SCREENSHOTS` (default
    /// `.build/screenshots`) as test artifacts.
    @Test func theDashboardWorksInARealBrowser() async throws {
        let db = "sqlite://\(dir.path)/browser.sqlite"
        let seeded = try overdue(["demo", "--no-serve", "--db", db])
        #expect(seeded.code == 0, "\(seeded.err)")
        let password = "tandem-walrus-oxide-42"
        let made = try Self.run(
            ["users", "create", "--email", "pat@carrier.test", "--role", "collector", "--tenant", "demo", "--db", db], in: dir, stdin: password + "\n")
        #expect(made.code == 0, "\(made.err)")
        let server = try Server(["--tenant", "demo", "--db", db], in: dir, env: ["OVERDUE_BCRYPT_COST": "10"])
        defer { server.stop() }
        let port = server.port
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let shots = ProcessInfo.processInfo.environment["OVERDUE_SCREENSHOTS"] ?? repo.appendingPathComponent(".build/screenshots").path
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = [
            "python3", repo.appendingPathComponent("scripts/browser-check.py").path,
            "--base", "http://127.0.0.1:\(port)", "--email", "pat@carrier.test", "--password", password, "--out", shots,
        ]
        let out = Pipe()
        check.standardOutput = out
        check.standardError = out
        try check.run()
        let report = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        check.waitUntilExit()
        #expect(check.terminationStatus == 0, "\(report)")
        let phone = [
            "/app", "/app/cases", "/app/cases/S001", "/app/inbox", "/app/account", "/app/settings", "/app/templates", "/app/templates/email/reminder_1",
            "/app/cadence", "/app/import", "/app/audit", "/app/settings/users", "/app/settings/keys", "/app/settings/webhooks",
        ]
        .map { "phone" + $0.replacingOccurrences(of: "/", with: "-") }
        for page in ["login", "overview", "worklist", "case", "inbox", "account", "settings", "import", "template", "case-actions", "cadence"] + phone {
            #expect(report.contains(#"{"page": "\#(page)", "ok": true"#), "\(page): \(report)")
            #expect(FileManager.default.fileExists(atPath: "\(shots)/\(page).png"))
        }
    }

    @Test func aWorkerDispatchesOnTheWallClockAndStopsOnSIGTERM() async throws {
        // given: overdue invoices, an email contact, and an email window open around the clock
        let db = "sqlite://\(dir.path)/w.sqlite"
        #expect(try overdue(["import", "invoices", write("inv.csv", Self.invoices), "--db", db]).code == 0)
        #expect(
            try overdue(["import", "contacts", write("con.csv", "debtor_id,name,email\nSHIP1,Dana Reyes,dana@bigshipper.example\n"), "--db", db]).code == 0)
        for (k, v) in [("window.days", "all"), ("window.start", "00:00"), ("window.end", "24:00")] {
            #expect(try overdue(["settings", "set", k, v, "--db", db]).code == 0)
        }
        // when
        let p = Process()
        p.executableURL = Self.binary
        p.arguments = ["worker", "--interval", "0.2", "--batch", "32", "--db", db]
        p.currentDirectoryURL = dir
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        var outbox = ""
        let deadline = Date().addingTimeInterval(30)
        while outbox.isEmpty, Date() < deadline {
            try await Task.sleep(for: .milliseconds(300))
            outbox = try overdue(["outbox", "--format", "jsonl", "--db", db]).out
        }
        p.terminate()  // SIGTERM
        p.waitUntilExit()
        // then
        #expect(outbox.contains("dana@bigshipper.example"))
        #expect(p.terminationReason == .exit && p.terminationStatus == 0)
    }

    /// Issue 20, finding 13: a request that never ends (a body sent a byte at a time) must not keep
    /// a stopped server alive. After the grace period it is cancelled and the process ends.
    @Test func aStoppedServerEndsAfterItsGraceEvenWithARequestThatNeverFinishes() async throws {
        let db = "sqlite://\(dir.path)/grace.sqlite"
        let server = try Server(["--db", db], in: dir, env: ["OVERDUE_SHUTDOWN_GRACE_SECONDS": "2"])
        defer { server.stop() }
        // A sign-in whose body trickles in for a minute: the handler waits on it all along.
        let trickle = Process()
        trickle.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        trickle.arguments = [
            "python3", "-c",
            """
            import socket, sys, time
            s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
            s.sendall(b"POST /auth/login HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/json\\r\\nContent-Length: 100000\\r\\n\\r\\n{")
            print("sent", flush=True)
            for _ in range(300):
                s.sendall(b" "); time.sleep(0.2)
            """,
            server.port,
        ]
        trickle.standardError = FileHandle.nullDevice
        let said = Pipe()
        trickle.standardOutput = said
        try trickle.run()
        defer { if trickle.isRunning { trickle.terminate() } }
        // Its request is on the wire (a slow machine may take a while to start Python), then a moment
        // for the server to be inside the handler.
        var heard = ""
        while !heard.contains("sent"), trickle.isRunning { heard += String(decoding: said.fileHandleForReading.availableData, as: UTF8.self) }
        try await Task.sleep(for: .milliseconds(500))
        #expect(trickle.isRunning, "the slow request is in flight")
        let stopped = ContinuousClock.now
        server.process.terminate()  // SIGTERM
        while server.process.isRunning, ContinuousClock.now - stopped < .seconds(60) { try await Task.sleep(for: .milliseconds(100)) }
        let took = ContinuousClock.now - stopped
        // 2 s of grace, then cancellation (at most 10 s more); without a deadline it would wait
        // the minute the body takes.
        #expect(!server.process.isRunning && took < .seconds(15), "still running \(took) after SIGTERM")
        #expect(took >= .seconds(2), "the request in hand was given its grace (\(took))")
        // (The client's body takes a minute: the server ended long before it was sent.)
    }

    @Test func aWorkersBatchOutsideItsRangeIsRefusedNamingIt() throws {
        for bad in ["0", "257"] {
            let r = try overdue(["worker", "--batch", bad, "--db", "sqlite://\(dir.path)/b.sqlite"])
            #expect(r.code != 0 && r.err.contains("--batch \(bad) must be between 1 and 256"), "\(r.err)")
        }
    }

    @Test func aShutdownGraceThatIsNotSecondsIsRefusedNamingIt() throws {
        let r = try Self.run(["serve", "--port", "0", "--db", "sqlite://\(dir.path)/g.sqlite"], in: dir, extraEnv: ["OVERDUE_SHUTDOWN_GRACE_SECONDS": "soon"])
        #expect(r.code != 0 && r.err.contains("OVERDUE_SHUTDOWN_GRACE_SECONDS") && r.err.contains("'soon'"), "\(r.err)")
    }

    /// Issue 20, finding 14, as the issue reproduced it: in the demo, Tri-State Truckload (B035) and
    /// Great Lakes Steel Supply (S001) share +1 312 555 0102. The call placed to Tri-State stays
    /// Tri-State's: nothing of Great Lakes' account is said, and the promise is Tri-State's.
    @Test func aCallToASharedNumberTellsOnlyItsOwnDebtorsAccount() throws {
        #expect(try overdue(["demo", "--no-serve", "--as-of", "2026-11-20"]).code == 0)
        let call = try overdue(["call", "B035", "--say", "who is this", "--say", "ok we will pay it on the fifteenth", "--tenant", "demo"])
        #expect(call.code == 0, "\(call.err)")
        #expect(call.out.contains("Tri-State Truckload"), "\(call.out)")
        // Great Lakes' invoices are PLT-104xx and it owes 46,377.00; Tri-State's are PLT-106xx.
        #expect(
            !call.out.contains("Great Lakes") && !call.out.contains("PLT-104") && !call.out.contains("46,377"), "another debtor's account was told: \(call.out)"
        )
        #expect(call.out.contains("I have noted payment"), "\(call.out)")
        let cases = try overdue(["cases", "--format", "jsonl", "--tenant", "demo"]).out.split(separator: "\n")
        let greatLakes = try #require(cases.first { $0.contains("\"debtor_id\":\"S001\"") })
        #expect(!greatLakes.contains("promise"), "the promise went to Great Lakes: \(greatLakes)")
    }

    @Test func demoSeedsFortyDebtorsAndExplainsWhereToLook() throws {
        let r = try overdue(["demo", "--no-serve", "--as-of", "2026-11-20"])
        #expect(r.code == 0, "\(r.err)")
        #expect(r.err.contains("40 debtors"))
        #expect(r.out.contains("overdue cases"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("overdue.sqlite").path))
        let cases = try overdue(["cases", "--format", "jsonl", "--tenant", "demo"]).out.split(separator: "\n")
        #expect(cases.count == 40)
    }
}
