import Foundation
import OverdueChannels
import OverdueCore
import OverdueStore
import OverdueTestSupport
import Testing

/// Scale-out under failure: three worker processes on one PostgreSQL work 10,000 due attempts while
/// workers are killed with SIGKILL at random moments and restarted. The provider's record must show
/// every attempt exactly once.
@Suite(.serialized) struct ChaosTests {
    let dir: URL = {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("overdue-chaos-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }()

    func cli(_ args: [String]) throws -> CLITests.Output { try CLITests.run(args, in: dir) }

    @Test func workersKilledAtRandomStillSendEveryAttemptExactlyOnce() async throws {
        guard TestDatabases.engines.contains(.postgres) else { return } // CI always has PostgreSQL (see postgresIsThereInCI)
        // given: 10,000 debtors, each one overdue invoice and one email contact; a one-attempt ladder; email open around the clock
        let db = try await TestDatabases.freshURL(.postgres).raw
        let n = 10_000
        var invoices = "invoice_number,debtor_id,debtor_name,amount,currency,issue_date,due_date\n"
        var contacts = "debtor_id,name,email\n"
        for i in 0..<n {
            invoices += "C-\(i),D\(i),Debtor \(i),100.00,USD,2026-01-01,2026-01-31\n"
            contacts += "D\(i),AP \(i),ap\(i)@debtor.example\n"
        }
        try Data(invoices.utf8).write(to: dir.appendingPathComponent("inv.csv"))
        try Data(contacts.utf8).write(to: dir.appendingPathComponent("con.csv"))
        try Data(#"{"name": "once", "start_after_due_days": 0, "stages": [{"channel": "email", "attempts": 1, "delay_days": 1}], "on_exhausted": "handoff"}"#.utf8)
            .write(to: dir.appendingPathComponent("policy.json"))
        #expect(try cli(["import", "invoices", "inv.csv", "--db", db]).code == 0)
        #expect(try cli(["import", "contacts", "con.csv", "--db", db]).code == 0)
        #expect(try cli(["policy", "set", "policy.json", "--db", db]).code == 0)
        for (k, v) in [("window.days", "all"), ("window.start", "00:00"), ("window.end", "24:00"), ("cap.per_debtor_per_day", "10")] {
            #expect(try cli(["settings", "set", k, v, "--db", db]).code == 0)
        }
        let recordFile = dir.appendingPathComponent("provider-record.jsonl")
        let record = RecordingChannel(file: recordFile)

        func startWorker() throws -> Process {
            let p = Process()
            p.executableURL = CLITests.binary
            p.arguments = ["worker", "--interval", "0.1", "--lease", "3", "--db", db]
            p.currentDirectoryURL = dir
            var env = ProcessInfo.processInfo.environment
            env["OVERDUE_SANDBOX_RECORD"] = recordFile.path
            env["OVERDUE_LOG_LEVEL"] = "error"
            p.environment = env
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }

        // when: three workers, one killed with SIGKILL every 0.3–1.5 s and replaced, until every attempt is recorded
        var workers = try (0..<3).map { _ in try startWorker() }
        var rng = SeededGenerator(seed: 20_261_125)
        var kills = 0
        let deadline = Date().addingTimeInterval(900)
        while record.deliveries().count < n, Date() < deadline {
            try await Task.sleep(for: .milliseconds(Int.random(in: 300...1500, using: &rng)))
            if kills < 25 {
                let victim = Int.random(in: 0..<workers.count, using: &rng)
                kill(workers[victim].processIdentifier, SIGKILL)
                workers[victim].waitUntilExit()
                workers[victim] = try startWorker()
                kills += 1
            }
        }
        // Let leases of the last victims expire so their cases are settled, then stop gracefully.
        try await Task.sleep(for: .seconds(5))
        for w in workers { w.terminate() }
        for w in workers { w.waitUntilExit() }

        // then: the provider saw every attempt exactly once, and the outbox agrees
        let keys = record.deliveries().map(\.key)
        #expect(kills >= 5)
        #expect(keys.count == n, "provider record has \(keys.count) deliveries for \(n) attempts")
        #expect(Set(keys).count == keys.count, "duplicates in the provider's record")
        let outbox = try cli(["outbox", "--format", "jsonl", "--db", db]).out.split(separator: "\n")
        #expect(outbox.count == n)
        #expect(outbox.allSatisfy { $0.contains("\"status\":\"sent\"") })
        // No contact rule broken: one attempt per debtor, each inside the (all-day) email window.
        let debtors = outbox.compactMap { $0.firstMatch(of: /"debtor_id":"(D\d+)"/).map { String($0.1) } }
        #expect(Set(debtors).count == n)
    }
}
