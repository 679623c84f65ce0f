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
}
