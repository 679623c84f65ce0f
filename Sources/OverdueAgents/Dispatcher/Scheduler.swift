import Foundation
import Logging
import NIOConcurrencyHelpers
import OverdueCore
import OverdueStore
import ServiceLifecycle

/// What a run of the scheduler did.
public struct RunReport: Hashable, Sendable {
    /// Case plannings executed.
    public var processed: Int = 0
    /// Messages sent, by channel.
    public var sent: [Channel: Int] = [:]
    /// Cases whose decision was handoff at the end.
    public var handoffs: Int = 0
    /// Cases resolved during the run.
    public var resolved: Int = 0
    /// Total messages sent.
    public var totalSent: Int { sent.values.reduce(0, +) }

    /// Adds another report's counts to this one.
    public mutating func merge(_ other: RunReport) {
        processed += other.processed
        for (c, n) in other.sent { sent[c, default: 0] += n }
        handoffs += other.handoffs
        resolved += other.resolved
    }
}

/// Drains due plan jobs in time order: on a virtual clock for `overdue run`, on the wall clock for `serve`.
public struct Scheduler: Sendable {
    let store: Store
    let processor: CaseProcessor
    /// Handles inbound items kept by webhooks (`inbound` jobs); nil: this scheduler plans cases only.
    let inbound: InboundWork?
    let owner: String
    let leaseSeconds: Double
    /// Cases claimed (and completed) together by one lane.
    let batchSize: Int
    let logger: Logger
    /// Real time, for leases and progress: even a run on the virtual clock holds its cases for
    /// real seconds, since other processes live on the wall clock.
    let wallClock: any Clock

    /// Creates a scheduler.
    /// `leaseSeconds`: how long a claimed case stays with this process; a process that dies loses it
    /// to another after that long.
    public init(
        store: Store, processor: CaseProcessor, inbound: InboundWork? = nil, owner: String = "overdue-\(ProcessInfo.processInfo.processIdentifier)",
        leaseSeconds: Double = 30, batchSize: Int = 16, logger: Logger = Logger(label: "overdue.scheduler"), wallClock: any Clock = SystemClock()
    ) {
        self.leaseSeconds = leaseSeconds
        self.batchSize = max(1, batchSize)
        self.wallClock = wallClock
        self.store = store
        self.processor = processor
        self.inbound = inbound
        self.owner = owner
        self.logger = logger
    }

    /// Executes, on a virtual clock, everything that falls due in [from, until] for `tenant`, in time
    /// order. The same data always gives the same result.
    public func simulate(tenant: String, from: Date, until: Date, progress: (@Sendable (Date, RunReport) -> Void)? = nil) async throws -> RunReport {
        guard from <= until else { throw StoreError.clockBehind("--from \(Timestamp.format(from)) is after --until \(Timestamp.format(until))") }
        if let reached = try await store.read({ try await $0.simulationClock(tenant) }), from < reached {
            throw StoreError.clockBehind("the virtual clock of tenant '\(tenant)' already ran to \(Timestamp.format(reached)); --from must be at or after it")
        }
        // Every case is looked at once at the start: policy, settings or data may have changed since.
        try await store.write { s in try await s.scheduleAll(tenant, at: from, mode: .earliest) }
        // Settings and policy cannot change inside a run: load them once.
        let rules = try await processor.rules(tenant: tenant)
        var report = RunReport()
        var lastProgress = wallClock.now()
        // Cases due at the same instant are claimed together; a case planned now is due again no
        // sooner than a second later, so the batch keeps the time order of claiming one by one.
        while case let batch = try await store.write({ s in
            try await s.claimJobs(
                tenant: tenant, until: until, owner: owner, leaseNow: wallClock.now(), leaseSeconds: leaseSeconds, limit: batchSize, sameInstant: true)
        }), !batch.isEmpty {
            let (worked, failures) = try await work(batch, now: { max($0.dueAt, from) }, rules: rules)
            if let failure = failures.first { throw failure.1 }
            report.merge(worked)
            if let progress, wallClock.now().timeIntervalSince(lastProgress) > 1 {
                progress(max(batch[0].dueAt, from), report)
                lastProgress = wallClock.now()
            }
        }
        // Work another process holds must not be skipped silently: the clock would pass it by.
        let busy = try await store.read { s in try await s.leasedJobs(tenant, until: until, leaseNow: wallClock.now()) }
        if busy > 0 {
            throw StoreError.busy(
                "\(busy) case(s) of tenant '\(tenant)' due by \(Timestamp.format(until)) are being worked by another process (is `overdue serve` running on this database, or did a run just stop?); the virtual clock stays at \(Timestamp.format(from)): try again in a minute"
            )
        }
        try await store.write { s in try await s.setSimulationClock(tenant, until) }
        return report
    }

    /// Executes every job due on the wall clock (all tenants) in `concurrency` parallel lanes, each
    /// claiming a batch of up to `batchSize` jobs at a time, until nothing is due or the process is
    /// shutting down (a lane finishes the cases it has begun and hands the rest back). Jobs in hand
    /// have their leases extended every third of the lease time, so a slow batch is never taken over
    /// by another worker.
    /// `kind`: only jobs of that kind (`InboundItem.jobKind`: handle what webhooks kept, nothing else).
    public func runDue(clock: any Clock, concurrency: Int = 1, kind: String? = nil) async throws -> RunReport {
        try await withThrowingTaskGroup(of: RunReport.self) { group in
            for _ in 0..<max(1, concurrency) { group.addTask { try await self.lane(clock: clock, kind: kind) } }
            var total = RunReport()
            for try await r in group { total.merge(r) }
            return total
        }
    }

    private func lane(clock: any Clock, kind: String?) async throws -> RunReport {
        var report = RunReport()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let now = clock.now()
            let batch = try await store.write { s in
                try await s.claimJobs(tenant: nil, until: now, owner: owner, leaseNow: now, leaseSeconds: leaseSeconds, limit: batchSize, kind: kind)
            }
            guard !batch.isEmpty else { break }
            for job in batch {
                // Claim lag: how long after it fell due (or its lease expired) the job was started.
                logger.debug(
                    "claimed \(job.tenant)/\(job.subject)",
                    metadata: [
                        "due": "\(Timestamp.format(job.dueAt))", "lag_ms": "\(Int(max(0, now.timeIntervalSince(job.dueAt)) * 1000))",
                    ])
            }
            let worked = try await withHeartbeat(batch) { leases in
                let started = clock.now()
                let (worked, failures) = try await self.work(
                    batch.filter { !leases.isLost($0.id) }, now: { _ in started }, leases: leases,
                    stop: { Task.isShuttingDownGracefully || Task.isCancelled })
                for (job, error) in failures { try await fail(job, error: error, now: started) }
                return worked
            }
            report.merge(worked)
        }
        return report
    }

    /// Records a failed planning: retried after a backoff, or dead-lettered.
    private func fail(_ job: Job, error: any Error, now: Date) async throws {
        let retryAt = try await store.write { s in
            try await s.failJob(job, error: describeStoreError(error), now: now, jitter: Double.random(in: 0..<1))
        }
        if let retryAt {
            logger.error(
                "planning \(job.tenant)/\(job.subject) failed (attempt \(job.attempts)); retrying at \(Timestamp.format(retryAt)): \(describeStoreError(error))"
            )
        } else {
            logger.critical("planning \(job.tenant)/\(job.subject) failed \(job.attempts) times; dead-lettered: \(describeStoreError(error))")
        }
    }

    /// Completes worked jobs in one transaction.
    private func complete(_ done: [(job: Job, next: Date?)]) async throws {
        guard !done.isEmpty else { return }
        let kept = try await store.write { s in try await s.completeJobs(done) }
        for (d, held) in zip(done, kept) where !held {
            logger.warning("lost the lease on \(d.job.tenant)/\(d.job.subject); another worker owns it")
        }
    }

    /// Runs `body` while extending the leases of `jobs` still in hand in the background; `body`
    /// tells which it has finished with and learns which leases were lost (another worker owns
    /// those cases now and they must not be worked).
    private func withHeartbeat<T: Sendable>(_ jobs: [Job], _ body: @Sendable (BatchLeases) async throws -> T) async throws -> T {
        let leases = BatchLeases()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            let (store, lease, logger, wallClock, owner) = (self.store, self.leaseSeconds, self.logger, self.wallClock, self.owner)
            group.addTask {
                while case let held = jobs.filter({ !leases.isDone($0.id) }), !held.isEmpty {
                    try await Task.sleep(for: .milliseconds(Int64(lease * 1000 / 3)))
                    let inHand = held.filter { !leases.isDone($0.id) }
                    let gone = try await store.write { s in
                        try await s.extendLeases(inHand, until: wallClock.now().addingTimeInterval(lease), owner: owner)
                    }
                    // One finished while the heartbeat ran has no lease to lose.
                    let lost = gone.filter { !leases.isDone($0) }
                    for job in inHand where lost.contains(job.id) {
                        logger.warning("lost the lease on \(job.tenant)/\(job.subject) while working it; another worker owns it now")
                    }
                    leases.lose(lost)
                }
            }
            defer { group.cancelAll() }
            return try await body(leases)
        }
    }

    /// Works a claimed batch: inbound jobs one by one, then the plan jobs' cases as one batch
    /// (`CaseProcessor.process(_:stop:alsoSaving:)`), their jobs completed in the transaction that
    /// saves them. Jobs not begun when `stop` says so go back to the queue at once, for another
    /// worker. Returns what was done and the jobs that failed (for the caller to retry or give up).
    private func work(
        _ batch: [Job], now: (Job) -> Date, rules: TenantRules? = nil, leases: BatchLeases? = nil, stop: () -> Bool = { false }
    ) async throws -> (RunReport, [(Job, any Error)]) {
        var report = RunReport()
        var failures: [(Job, any Error)] = []
        var released: [Job] = []
        var handled: [(job: Job, next: Date?)] = []
        var plans = batch.filter { $0.kind != InboundItem.jobKind }
        for job in batch where job.kind == InboundItem.jobKind {
            if stop() {
                released.append(job)
                continue
            }
            do {
                handled.append((job, try await handleInbound(job, now: now(job))))
            } catch let busy as InboundWork.CaseBusy {
                if let i = plans.firstIndex(where: { $0.tenant == job.tenant && $0.subject == busy.debtor }) {
                    // This lane holds the case itself: its plan job came in this batch. The reply goes
                    // first; the case is planned in a later batch, with what the reply changed.
                    let own = plans.remove(at: i)
                    // Finished with before it is given back: a heartbeat meanwhile must not count it lost.
                    leases?.finish([own.id])
                    try await store.write { s in try await s.releaseJobs([own]) }
                    do { handled.append((job, try await handleInbound(job, now: now(job)))) } catch let again as InboundWork.CaseBusy {
                        handled.append((job, Self.retryBusy(again, now: now(job))))
                    } catch { failures.append((job, error)) }
                } else {
                    logger.debug("\(busy.description); inbound \(job.subject) waits")
                    handled.append((job, Self.retryBusy(busy, now: now(job))))
                }
            } catch { failures.append((job, error)) }
        }
        leases?.finish(handled.map(\.job.id))
        try await complete(handled)
        let instants = plans.map(now)
        if !plans.isEmpty {
            let cases = zip(plans, instants).map { CaseToPlan(tenant: $0.tenant, debtorID: $0.subject, now: $1, rules: rules) }
            let (results, kept) = try await processor.process(cases, stop: stop) { s, results in
                // A case planned now is due again no sooner than a second later.
                let done = results.indices.compactMap { i -> (job: Job, next: Date?)? in
                    guard case .done(let outcome) = results[i] else { return nil }
                    return (plans[i], outcome.nextRunAt.map { max($0, instants[i].addingTimeInterval(1)) })
                }
                return (done.map(\.job), try await s.completeJobs(done))
            }
            leases?.finish(plans.map(\.id))
            for (job, held) in zip(kept.0, kept.1) where !held {
                logger.warning("lost the lease on \(job.tenant)/\(job.subject); another worker owns it")
            }
            for (job, result) in zip(plans, results) {
                switch result {
                case .done(let outcome):
                    report.processed += 1
                    for m in outcome.sent where m.status == .sent { report.sent[m.channel, default: 0] += 1 }
                    if outcome.decision.action == .handoff { report.handoffs += 1 }
                    if outcome.decision.action == .resolve { report.resolved += 1 }
                case .failed(let error): failures.append((job, error))
                case .notStarted: released.append(job)
                }
            }
        }
        if !released.isEmpty {
            leases?.finish(released.map(\.id))
            try await store.write { s in try await s.releaseJobs(released) }
        }
        leases?.finish(batch.map(\.id))
        return (report, failures)
    }

    /// Handles an inbound job; returns when to look again (nil: done). Throws
    /// `InboundWork.CaseBusy` when another lane or worker holds the case.
    private func handleInbound(_ job: Job, now: Date) async throws -> Date? {
        guard let inbound, let id = Int64(job.subject) else { throw StoreError.unsupported("cannot handle inbound job \(job.subject) here") }
        try await inbound.handle(tenant: job.tenant, id: id, owner: owner, wallClock: wallClock, leaseSeconds: leaseSeconds)
        return nil
    }

    /// When a reply whose case another worker holds is looked at again: after half the time it has
    /// waited so far, from 25 ms to a second (a planning batch takes milliseconds; a stuck worker's
    /// lease, minutes).
    static func retryBusy(_ busy: InboundWork.CaseBusy, now: Date) -> Date {
        now.addingTimeInterval(min(1, max(0.025, now.timeIntervalSince(busy.receivedAt) / 2)))
    }
}

/// Which jobs of a batch in hand are finished with (worked, failed or given back: no lease to
/// extend) and which lost their lease while the batch was worked.
final class BatchLeases: Sendable {
    private let state = NIOLockedValueBox((finished: Set<Int64>(), lost: Set<Int64>()))
    func finish(_ ids: [Int64]) { state.withLockedValue { $0.finished.formUnion(ids) } }
    func lose(_ ids: Set<Int64>) { state.withLockedValue { $0.lost.formUnion(ids) } }
    func isLost(_ id: Int64) -> Bool { state.withLockedValue { $0.lost.contains(id) } }
    /// Finished with, or lost: either way not to be extended.
    func isDone(_ id: Int64) -> Bool { state.withLockedValue { $0.finished.contains(id) || $0.lost.contains(id) } }
}
