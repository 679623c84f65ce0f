import Foundation
import Logging
import ServiceLifecycle

/// Runs the scheduler on the wall clock until shutdown: the live twin of `overdue run`.
public struct SchedulerService: Service {
    let scheduler: Scheduler
    let clock: any Clock
    let interval: Duration
    let logger: Logger

    /// Creates the service polling every `interval`.
    public init(scheduler: Scheduler, clock: any Clock = SystemClock(), interval: Duration = .seconds(1),
                logger: Logger = Logger(label: "overdue.scheduler")) {
        self.scheduler = scheduler
        self.clock = clock
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        logger.info("scheduler started")
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let report = try await scheduler.runDue(now: clock.now())
                if report.processed > 0 {
                    logger.info("planned \(report.processed) case(s), sent \(report.totalSent) message(s)")
                }
            } catch {
                logger.error("scheduler pass failed: \(error)")
            }
            try? await Task.sleep(for: interval)
        }
        logger.info("scheduler stopped")
    }
}
