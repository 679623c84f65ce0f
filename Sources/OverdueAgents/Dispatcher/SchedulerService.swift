import Foundation
import Logging
import OverdueCore
import OverdueStore
import ServiceLifecycle

/// Runs the scheduler on the wall clock until shutdown: the live twin of `overdue run`.
///
/// After draining what is due it sleeps until the next job falls due or a lease expires, at most
/// `idleWait`; on PostgreSQL a `NOTIFY` from any process that adds work wakes it at once.
public struct SchedulerService: Service {
    let scheduler: Scheduler
    let coordinator: Coordinator?
    let clock: any Clock
    let idleWait: Duration
    let concurrency: Int
    let logger: Logger

    /// Creates the service.
    /// - Parameters:
    ///   - idleWait: the longest sleep between looks at an idle queue.
    ///   - concurrency: cases worked at once (use 1 on SQLite, whose writers take turns anyway).
    public init(
        scheduler: Scheduler, coordinator: Coordinator? = nil, clock: any Clock = SystemClock(), idleWait: Duration = .seconds(1),
        concurrency: Int = 1, logger: Logger = Logger(label: "overdue.scheduler")
    ) {
        self.scheduler = scheduler
        self.coordinator = coordinator
        self.clock = clock
        self.idleWait = idleWait
        self.concurrency = concurrency
        self.logger = logger
    }

    /// Runs until the service group shuts down.
    public func run() async throws {
        logger.info("scheduler started (\(concurrency) lane(s))")
        var failing = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let seen = await coordinator?.wakeups ?? 0
            var wait = idleWait
            do {
                let report = try await scheduler.runDue(clock: clock, concurrency: concurrency)
                if report.processed > 0 {
                    logger.info("planned \(report.processed) case(s), sent \(report.totalSent) message(s)")
                }
                let now = clock.now()
                if let next = try await scheduler.store.read({ try await $0.nextJobAvailable(leaseNow: now) }) {
                    wait = min(wait, .milliseconds(Int64(max(0, next.timeIntervalSince(now)) * 1000)))
                }
                if failing { logger.notice("scheduler recovered") }
                failing = false
            } catch {
                // A lost database is retried every idle wait (at least a second), not in a hot loop.
                logger.error("scheduler pass failed: \(describeStoreError(error))")
                failing = true
                wait = max(wait, .seconds(1))
            }
            if Task.isShuttingDownGracefully { break }
            // Never spin: a due job another worker just took shows up as "due now".
            let pause = max(wait, .milliseconds(20))
            if let coordinator {
                await cancelWhenGracefulShutdown { await coordinator.waitForWork(after: seen, timeout: pause) }
            } else {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            }
        }
        logger.info("scheduler stopped")
    }
}

/// Keeps the process's ``Coordinator`` (work notifications, leader election) running until shutdown.
public struct CoordinatorService: Service {
    let coordinator: Coordinator

    /// Creates the service.
    public init(coordinator: Coordinator) { self.coordinator = coordinator }

    /// Runs until the service group shuts down.
    public func run() async throws {
        await cancelWhenGracefulShutdown { await coordinator.run() }
    }
}

/// Work only one process should do, done by the leader: re-creating a lost case job (a case with a
/// next action must always have one) and reporting dead-lettered jobs.
public struct HousekeepingService: Service {
    let store: Store
    let coordinator: Coordinator
    let every: Duration
    let logger: Logger

    /// Creates the service, running a round every `every` while this process leads.
    public init(store: Store, coordinator: Coordinator, every: Duration = .seconds(30), logger: Logger = Logger(label: "overdue.housekeeping")) {
        self.store = store
        self.coordinator = coordinator
        self.every = every
        self.logger = logger
    }

    /// Runs until the service group shuts down.
    public func run() async throws {
        var lastDead = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if await coordinator.isLeader {
                do {
                    let repaired = try await store.write { try await $0.repairMissingJobs() }
                    if !repaired.isEmpty {
                        logger.warning(
                            "re-created the lost job of \(repaired.count) case(s): \(repaired.prefix(5).map { "\($0.tenant)/\($0.debtor)" }.joined(separator: ", "))"
                        )
                    }
                    let dead = try await store.read { try await $0.deadJobCount() }
                    if dead > lastDead { logger.critical("\(dead) job(s) are dead-lettered and need a person (see the jobs table's last_error)") }
                    lastDead = dead
                } catch {
                    logger.error("housekeeping failed: \(describeStoreError(error))")
                }
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: every) }
        }
    }
}

/// The services a process that works the queue runs, in start order (they stop in reverse: the
/// scheduler finishes its cases before the coordinator lets go of leadership).
public func workerServices(
    store: Store, scheduler: Scheduler, idleWait: Duration? = nil, concurrency: Int? = nil,
    mail: MailboxReader? = nil, logger: Logger
) -> [any Service] {
    let coordinator = Coordinator(url: store.url, logger: logger, rulesChanged: { store.forgetRules(of: $0) })
    store.onWorkScheduled { Task { await coordinator.wake() } }
    let postgres = store.dialect == .postgres
    let mailInterval = Double(ProcessInfo.processInfo.environment["OVERDUE_MAIL_INTERVAL"] ?? "") ?? 60
    let webhookInterval = Double(ProcessInfo.processInfo.environment["OVERDUE_WEBHOOK_INTERVAL"] ?? "") ?? 5
    return [
        CoordinatorService(coordinator: coordinator),
        HousekeepingService(store: store, coordinator: coordinator, logger: logger),
        WebhookService(dispatcher: WebhookDispatcher(store: store, logger: logger), every: .milliseconds(Int64(max(0.2, webhookInterval) * 1000))),
    ]
        + (mail.map {
            [MailService(store: store, reader: $0, coordinator: coordinator, every: .milliseconds(Int64(max(1, mailInterval) * 1000)), logger: logger)]
        } ?? []) + [
            SchedulerService(
                scheduler: scheduler, coordinator: coordinator,
                idleWait: idleWait ?? (postgres ? .seconds(10) : .seconds(1)),
                concurrency: postgres ? max(1, concurrency ?? 4) : 1, logger: logger)
        ]
}
