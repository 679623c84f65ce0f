import Foundation
import OverdueChannels
import OverdueCore
import OverdueStore
import OverdueTestSupport
import Testing

/// Many workers on one PostgreSQL: one leader at a time, idle workers woken by NOTIFY, and a
/// PostgreSQL restart survived without losing or repeating a contact.
@Suite(.serialized) struct ScaleOutTests {
    @Test func exactlyOneLeaderAndAnotherTakesOverWhenItIsKilled() async throws {
        guard TestDatabases.engines.contains(.postgres) else { return }
        let f = try WorkerFixture(db: try await TestDatabases.freshURL(.postgres).raw, n: 0)
        let names = ["a", "b", "c"]
        var workers = try names.map { try f.startWorker($0, logLevel: "notice") }
        defer { for w in workers where w.isRunning { kill(w.processIdentifier, SIGKILL) } }
        func leaders() -> [String] { names.filter { f.log($0).contains("now the leader") } }

        // given: three workers; exactly one becomes leader, and stays the only one
        #expect(try await WorkerFixture.eventually(within: 30) { leaders().count == 1 })
        try await Task.sleep(for: .seconds(3))
        let first = leaders()
        #expect(first.count == 1, "leaders: \(first)")
        guard let leader = first.first, let index = names.firstIndex(of: leader) else { return }

        // when: the leader dies without a word
        kill(workers[index].processIdentifier, SIGKILL)
        workers[index].waitUntilExit()

        // then: one of the others takes over within seconds (the lock dies with its connection)
        let took = try await WorkerFixture.eventually(within: 20) { leaders().count == 2 }
        #expect(took, "no worker took over; logs: \(names.map { f.log($0) })")
        try await Task.sleep(for: .seconds(3))
        #expect(leaders().count == 2, "leaders: \(leaders())")
        for w in workers where w.isRunning { w.terminate() }
        for w in workers { w.waitUntilExit() }
        workers = []
    }

    @Test func anIdleWorkerStartsNewWorkWhenItIsAnnouncedNotAtItsNextPoll() async throws {
        guard TestDatabases.engines.contains(.postgres) else { return }
        // given: a worker that, idle, would look at the queue only every 10 minutes
        let f = try WorkerFixture(db: try await TestDatabases.freshURL(.postgres).raw, n: 50)
        let worker = try f.startWorker("w", ["--interval", "600"], logLevel: "info")
        defer { if worker.isRunning { kill(worker.processIdentifier, SIGKILL) } }
        #expect(try await WorkerFixture.eventually(within: 30) { f.log("w").contains("scheduler started") })
        try await Task.sleep(for: .seconds(2))
        #expect(f.record.deliveries().isEmpty)

        // when: debtors are imported (the import NOTIFYs on commit)
        try f.importDebtors()

        // then: the worker sends their reminders long before its next poll
        #expect(
            try await WorkerFixture.eventually(within: 120) { f.record.deliveries().count == 50 },
            "sent \(f.record.deliveries().count) of 50; log: \(f.log("w"))")
        worker.terminate()
        worker.waitUntilExit()
        #expect(worker.terminationStatus == 0)
    }

    @Test func workersReconnectAfterAPostgreSQLRestartAndLoseNothing() async throws {
        let env = ProcessInfo.processInfo.environment
        guard let admin = env["OVERDUE_TEST_POSTGRES_RESTART_URL"], let restart = env["OVERDUE_TEST_POSTGRES_RESTART"] else {
            #expect(!TestDatabases.isCI, "CI must run the restart test: scripts/test.sh starts its cluster")
            return
        }
        // given: 1,500 due reminders and two workers at work
        let name = "overdue_restart_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        let db = try await Store.createPostgresDatabase(adminURL: try DatabaseURL(admin), name: String(name))
        let n = 1_500
        let f = try WorkerFixture(db: db.raw, n: n)
        try f.importDebtors()
        let workers = try (0..<2).map { try f.startWorker("w\($0)", ["--lease", "5"], logLevel: "warning") }
        defer { for w in workers where w.isRunning { kill(w.processIdentifier, SIGKILL) } }
        #expect(try await WorkerFixture.eventually(within: 120) { f.record.deliveries().count >= 150 })

        // when: PostgreSQL restarts under them (a fast shutdown cuts every connection)
        let sentBefore = f.record.deliveries().count
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", restart]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "restarting PostgreSQL failed")
        #expect(sentBefore < n, "the run finished before the restart; nothing was tested")

        // then: the same workers reconnect and finish; every reminder went out exactly once
        let finished = try await WorkerFixture.eventually(within: 240) {
            f.record.deliveries().count >= n && (try? f.outbox().allSatisfy { $0.status == "sent" }) == true
        }
        #expect(finished, "sent \(f.record.deliveries().count) of \(n); logs: \(f.log("w0").suffix(2000))")
        #expect(workers.allSatisfy { $0.isRunning }, "a worker died instead of reconnecting")
        let keys = f.record.deliveries().map(\.key)
        #expect(keys.count == n)
        #expect(Set(keys).count == keys.count, "duplicates in the provider's record")
        #expect(try f.outbox().count == n)
        #expect(f.log("w0").contains("reconnecting") || f.log("w1").contains("reconnecting"))
        for w in workers { w.terminate() }
        for w in workers { w.waitUntilExit() }
    }
}
