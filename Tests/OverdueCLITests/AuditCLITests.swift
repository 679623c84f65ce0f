import Foundation
import Testing

/// `overdue audit list|verify` on the built binary: changes made from the command line are in the
/// hash-chained log (secrets never), and an edit in the database is found.
@Suite struct AuditCLITests {
    let dir: URL = {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("overdue-audit-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }()

    func overdue(_ args: [String], db: String) throws -> CLITests.Output { try CLITests.run(args + ["--db", db], in: dir) }

    @Test func changesAreAuditedSecretsAreNotAndTamperingIsFound() throws {
        let file = dir.appendingPathComponent("a.sqlite").path
        let db = "sqlite://\(file)"
        #expect(try overdue(["settings", "set", "company.name", "Prairie Line"], db: db).code == 0)
        #expect(try overdue(["settings", "set", "twilio.auth_token", "a-very-secret-token-123456"], db: db).code == 0)
        #expect(try overdue(["audit", "verify"], db: db).out.contains("audit chain intact: 2 entries"))
        let list = try overdue(["audit", "list", "--format", "jsonl"], db: db).out
        #expect(list.contains("\"action\":\"settings.set\"") && list.contains("company.name") && list.contains("Prairie Line"))
        #expect(!list.contains("a-very-secret-token"), "no secret in the audit log: \(list)")

        // An edit behind Overdue's back.
        let edit = Process()
        edit.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        edit.arguments = [
            "python3", "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE audit_log SET detail='= Someone Else' WHERE id=1\"); c.commit()", file,
        ]
        try edit.run()
        edit.waitUntilExit()
        let verify = try overdue(["audit", "verify"], db: db)
        #expect(verify.code == 1)
        #expect(verify.err.contains("broken at entry 1"), "\(verify.err)")
    }

    /// Runs Python against the database file, as someone with the file but not the master key would.
    func tamper(_ file: String, _ script: String) throws {
        let edit = Process()
        edit.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        edit.arguments = ["python3", "-c", "import sqlite3,sys,hashlib\nc=sqlite3.connect(sys.argv[1])\n" + script + "\nc.commit()", file]
        try edit.run()
        edit.waitUntilExit()
        #expect(edit.terminationStatus == 0)
    }

    /// Issue 20, finding 9: with plain SHA-256 anyone holding the database could rewrite an entry
    /// and chain every later one again, or drop the newest entries, and the log still verified.
    @Test func aRechainedOrTruncatedLogIsFoundWithTheKeyAndTheAnchor() throws {
        let file = dir.appendingPathComponent("k.sqlite").path
        let db = "sqlite://\(file)"
        for (k, v) in [("company.name", "Prairie Line"), ("sender.name", "Pat"), ("sender.email", "ar@prairie.test"), ("sender.name", "Sam")] {
            #expect(try overdue(["settings", "set", k, v], db: db).code == 0)
        }
        // The key lives beside the database, not in it.
        #expect(FileManager.default.fileExists(atPath: file + ".key"))
        let anchor = try overdue(["audit", "anchor"], db: db).out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(anchor.hasPrefix("4:") && anchor.count == 2 + 64, "\(anchor)")
        let holds = try overdue(["audit", "verify", "--anchor", anchor], db: db)
        #expect(holds.code == 0 && holds.out.contains("4 entries; the anchor holds"), "\(holds.out)\(holds.err)")

        // Rewrite entry 2 and chain every entry again with SHA-256 as the old scheme did, marked unkeyed.
        let backup = dir.appendingPathComponent("k.backup").path
        try FileManager.default.copyItem(atPath: file, toPath: backup)
        try tamper(
            file,
            """
            c.execute("UPDATE audit_log SET detail='company.name = Someone Else' WHERE id=2")
            prev='0'*64
            for row in c.execute('SELECT id,tenant_id,at,actor,action,object,outcome,ip,detail FROM audit_log ORDER BY id').fetchall():
                f=[prev]+[x or '' for x in row[1:]]
                h=hashlib.sha256(''.join('%d:%s'%(len(x.encode()),x) for x in f).encode()).hexdigest()
                c.execute('UPDATE audit_log SET prev_hash=?, hash=?, keyed=0 WHERE id=?',(prev,h,row[0]))
                prev=h
            """)
        let rechained = try overdue(["audit", "verify"], db: db)
        #expect(rechained.code == 1 && rechained.err.contains("broken at entry 1"), "\(rechained.out)\(rechained.err)")

        // Back to the genuine log, then drop its newest entry: only the anchor can tell.
        try FileManager.default.removeItem(atPath: file)
        try FileManager.default.copyItem(atPath: backup, toPath: file)
        try tamper(file, "c.execute('DELETE FROM audit_log WHERE id=4')")
        #expect(try overdue(["audit", "verify"], db: db).code == 0)
        let truncated = try overdue(["audit", "verify", "--anchor", anchor], db: db)
        #expect(truncated.code == 1 && truncated.err.contains("truncated or rewritten"), "\(truncated.err)")
        let bad = try overdue(["audit", "verify", "--anchor", "four"], db: db)
        #expect(bad.code == 2 && bad.err.contains("--anchor"), "\(bad.err)")

        // Another master key is refused, with what to do.
        let other = try CLITests.run(
            ["audit", "verify", "--db", db], in: dir, extraEnv: ["OVERDUE_MASTER_KEY": String(repeating: "ab", count: 32)])
        #expect(other.code != 0 && other.err.contains("another master key"), "\(other.err)")
        // A key file that is not there is named as what it is, not as a database URL.
        let missing = try CLITests.run(["audit", "verify", "--db", db], in: dir, extraEnv: ["OVERDUE_MASTER_KEY_FILE": dir.path + "/no-such.key"])
        #expect(missing.code != 0 && missing.err.contains("master key: the key file \(dir.path)/no-such.key cannot be read"), "\(missing.err)")
        #expect(!missing.err.contains("database URL"), "\(missing.err)")
    }

    /// Issue 20, finding 7: `overdue keys rotate-master` replaces the key file, and the database
    /// (secrets, the audit chain) follows; the old key no longer opens it.
    @Test func theMasterKeyIsReplacedAndTheOldOneNoLongerOpens() throws {
        let file = dir.appendingPathComponent("r.sqlite").path
        let db = "sqlite://\(file)"
        #expect(try overdue(["settings", "set", "twilio.auth_token", "a-very-secret-token-123456"], db: db).code == 0)
        #expect(try overdue(["settings", "set", "company.name", "Prairie Line"], db: db).code == 0)
        let before = try String(contentsOfFile: file + ".key", encoding: .utf8)
        let oldAnchor = try overdue(["audit", "anchor"], db: db).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let rotated = try overdue(["keys", "rotate-master"], db: db)
        #expect(rotated.code == 0, "\(rotated.err)")
        #expect(rotated.err.contains("1 secret(s) sealed again") && rotated.err.contains("old key moved to"), "\(rotated.err)")
        let after = try String(contentsOfFile: file + ".key", encoding: .utf8)
        #expect(after != before)
        let kept = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("r.sqlite.key.old-") }
        #expect(kept.count == 1)
        // The chain holds under the new key, with the rotation in it; the old anchor names a hash that is gone.
        let verify = try overdue(["audit", "verify"], db: db)
        #expect(verify.code == 0 && verify.out.contains("audit chain intact: 3 entries"), "\(verify.out)\(verify.err)")
        #expect(try overdue(["audit", "verify", "--anchor", oldAnchor], db: db).code == 1)
        #expect(
            try overdue(["audit", "anchor"], db: db).out.trimmingCharacters(in: .whitespacesAndNewlines)
                == rotated.out.trimmingCharacters(in: .whitespacesAndNewlines))
        // The old key is refused.
        let old = try CLITests.run(["audit", "verify", "--db", db], in: dir, extraEnv: ["OVERDUE_MASTER_KEY_FILE": dir.appendingPathComponent(kept[0]).path])
        #expect(old.code != 0 && old.err.contains("another master key"), "\(old.err)")
        // A key from the environment has no file to replace: the new one needs a place, said so.
        let envDB = "sqlite://\(dir.path)/e.sqlite"
        let env = ["OVERDUE_MASTER_KEY": String(repeating: "cd", count: 32)]
        #expect(try CLITests.run(["settings", "set", "company.name", "X", "--db", envDB], in: dir, extraEnv: env).code == 0)
        let refused = try CLITests.run(["keys", "rotate-master", "--db", envDB], in: dir, extraEnv: env)
        #expect(refused.code == 2 && refused.err.contains("--new-key-file"), "\(refused.err)")
        let elsewhere = dir.appendingPathComponent("new.key").path
        #expect(try CLITests.run(["keys", "rotate-master", "--new-key-file", elsewhere, "--db", envDB], in: dir, extraEnv: env).code == 0)
        let moved = try CLITests.run(["audit", "verify", "--db", envDB], in: dir, extraEnv: ["OVERDUE_MASTER_KEY_FILE": elsewhere])
        #expect(moved.code == 0, "\(moved.err)")
    }

    /// Issue 20, finding 4: a provider's API address was a tenant's setting, so a manager could
    /// send the tenant's Twilio secret (and the server's requests) anywhere. It is the operator's now.
    @Test func providerAddressesAreTheOperatorsNotATenantsSetting() throws {
        let db = "sqlite://\(dir.path)/p.sqlite"
        let refused = try overdue(["settings", "set", "twilio.api_url", "http://169.254.169.254/latest"], db: db)
        #expect(refused.code == 2 && refused.err.contains("OVERDUE_TWILIO_API_URL"), "\(refused.err)")
        let bad = try CLITests.run(["cases", "--db", db], in: dir, extraEnv: ["OVERDUE_PLIVO_API_URL": "file:///etc/passwd"])
        #expect(bad.code == 2 && bad.err.contains("OVERDUE_PLIVO_API_URL must be an http(s) URL"), "\(bad.err)")
    }

    /// Issue 20, finding 12: a debtor's name with terminal escapes was printed raw by the CLI's
    /// tables (it could retitle the window, move the cursor or hide lines).
    @Test func textFromOutsideNeverReachesTheTerminalAsEscapes() throws {
        let db = "sqlite://\(dir.path)/t.sqlite"
        let hostile = "Evil \u{1B}]0;pwned\u{07}\u{1B}[2J\u{1B}[1A Freight"
        let csv = "invoice_number,debtor_id,debtor_name,amount,currency,issue_date,due_date\nINV-1,EV1,\"\(hostile)\",100.00,USD,2026-01-01,2026-01-31\n"
        let file = dir.appendingPathComponent("inv.csv")
        try Data(csv.utf8).write(to: file)
        #expect(try overdue(["import", "invoices", file.path], db: db).code == 0)
        #expect(try overdue(["run", "--from", "2026-02-01T00:00:00Z", "--until", "2026-02-02T00:00:00Z"], db: db).code == 0)
        for format in ["table", "jsonl"] {
            let out = try overdue(["cases", "--format", format], db: db).out
            #expect(out.contains("Evil") && out.contains("Freight"), "\(out)")
            #expect(!out.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "\(format): an escape reached the terminal")
        }
    }

    /// Issue 20, finding 15: a secret given as an argument is seen in the process list and kept in
    /// the shell's history; it can come from standard input or a file instead.
    @Test func aSecretSettingCanComeFromStandardInputOrAFile() throws {
        let db = "sqlite://\(dir.path)/s.sqlite"
        let piped = try CLITests.run(["settings", "set", "twilio.auth_token", "-", "--db", db], in: dir, stdin: "piped-secret-123456789\n")
        #expect(piped.code == 0 && piped.out.contains("twilio.auth_token = ********"), "\(piped.out)\(piped.err)")
        let file = dir.appendingPathComponent("token.txt")
        try Data("filed-secret-987654321\n".utf8).write(to: file)
        #expect(try overdue(["settings", "set", "twilio.auth_token", "--value-file", file.path], db: db).code == 0)
        let both = try overdue(["settings", "set", "twilio.auth_token", "x", "--value-file", file.path], db: db)
        #expect(both.code == 2 && both.err.contains("once"), "\(both.err)")
        let log = try overdue(["audit", "list", "--format", "jsonl"], db: db).out
        #expect(!log.contains("piped-secret") && !log.contains("filed-secret"))
    }
}
