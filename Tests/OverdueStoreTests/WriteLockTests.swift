import Foundation
import Testing
@testable import OverdueStore

/// SQLite's writers take turns in the process; a writer someone is waiting on (a webhook keeping
/// a reply) goes before the others queued.
@Suite struct WriteLockTests {
    /// Records the order writers got the lock in.
    actor Order {
        var names: [String] = []
        func add(_ name: String) { names.append(name) }
    }

    @Test func urgentWritersGoBeforeTheOthersWaitingInTheirOwnOrder() async throws {
        let lock = WriteLock()
        let order = Order()
        await lock.acquire()
        // Queue: batch-1, reply-1, batch-2, reply-2 (each waits until the previous one is queued).
        var tasks: [Task<Void, Never>] = []
        for (name, urgent) in [("batch-1", false), ("reply-1", true), ("batch-2", false), ("reply-2", true)] {
            tasks.append(
                Task {
                    await lock.acquire(urgent: urgent)
                    await order.add(name)
                    await lock.release()
                })
            // Let it reach the lock's queue before the next one.
            while await lock.queued < tasks.count { await Task.yield() }
        }
        await lock.release()
        for t in tasks { await t.value }
        #expect(await order.names == ["reply-1", "reply-2", "batch-1", "batch-2"])
        // And the lock is free again.
        await lock.acquire()
        await lock.release()
    }
}
