import Foundation
import OverdueChannels
import OverdueCore
import OverdueStore
import OverdueTestSupport
import Testing

/// Scale-out under failure: three worker processes on one PostgreSQL work 10,000 due attempts while
/// workers are killed with SIGKILL at random moments and restarted. The provider's record must show
/// every attempt exactly once, and no contact rule may be broken.
@Suite(.serialized) struct ChaosTests {
    @Test func workersKilledAtRandomStillSendEveryAttemptExactlyOnce() async throws {
        guard TestDatabases.engines.contains(.postgres) else { return }  // CI always has PostgreSQL (see postgresIsThereInCI)
        // given: 10,000 debtors, each with two email attempts due at once — but at most one attempt per
        // debtor per local day, so exactly one may go out today (in six time zones)
        let n = 10_000
        let f = try WorkerFixture(db: try await TestDatabases.freshURL(.postgres).raw, n: n, attemptsPerStage: 2)
        try f.importDebtors()

        // when: three workers, one killed with SIGKILL every 0.3–1.5 s and replaced, until every attempt is recorded
        var workers = try (0..<3).map { try f.startWorker("w\($0)", ["--interval", "0.5", "--lease", "3"]) }
        var rng = SeededGenerator(seed: 20_261_125)
        var kills = 0
        let deadline = Date().addingTimeInterval(900)
        while f.record.deliveries().count < n, Date() < deadline {
            try await Task.sleep(for: .milliseconds(Int.random(in: 300...1500, using: &rng)))
            if kills < 25 {
                let victim = Int.random(in: 0..<workers.count, using: &rng)
                kill(workers[victim].processIdentifier, SIGKILL)
                workers[victim].waitUntilExit()
                workers[victim] = try f.startWorker("w\(victim)-\(kills)", ["--interval", "0.5", "--lease", "3"])
                kills += 1
            }
        }
        // Let leases of the last victims expire so their cases are settled, then stop gracefully.
        _ = try await WorkerFixture.eventually(within: 30) { try f.outbox().allSatisfy { $0.status == "sent" } }
        for w in workers { w.terminate() }
        for w in workers { w.waitUntilExit() }

        // then: the provider saw every attempt exactly once, and the outbox agrees
        let keys = f.record.deliveries().map(\.key)
        #expect(kills >= 5)
        #expect(keys.count == n, "provider record has \(keys.count) deliveries for \(n) attempts")
        #expect(Set(keys).count == keys.count, "duplicates in the provider's record")
        let outbox = try f.outbox()
        #expect(outbox.count == n)
        #expect(outbox.allSatisfy { $0.status == "sent" })
        #expect(Set(outbox.map(\.debtor)).count == n)
        // No contact rule broken: every message replayed through the compliance gate.
        let breaches = try f.ruleBreaches()
        #expect(breaches.isEmpty, "\(breaches.count) rule breaches, e.g. \(breaches.prefix(3))")
    }
}
