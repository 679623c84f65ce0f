import ArgumentParser
import Foundation
import Hummingbird
import ServiceLifecycle
import UnixSignals
import Logging
import OverdueAgents
import OverdueChannels
import OverdueCore
import OverdueServer
import OverdueUseCases

/// Options of the commands that serve HTTP.
struct ServeOptions: ParsableArguments {
    @Option(help: "Address to bind (env OVERDUE_HOST; default 127.0.0.1, use 0.0.0.0 in a container).") var host: String?
    @Option(help: "Port to bind (env OVERDUE_PORT; default 8080).") var port: Int?

    func resolvedHost() -> String { host ?? ProcessInfo.processInfo.environment["OVERDUE_HOST"] ?? "127.0.0.1" }

    func resolvedPort() throws -> Int {
        let p = port ?? ProcessInfo.processInfo.environment["OVERDUE_PORT"].flatMap(Int.init) ?? 8080
        guard (0...65_535).contains(p) else { throw CLIError.badInput("--port \(p) must be 0–65535") }
        return p
    }
}

/// Serves the API over `runtime` with the wall-clock scheduler until SIGINT/SIGTERM. A stop is
/// never waited on for ever: requests and jobs in hand get `OVERDUE_SHUTDOWN_GRACE_SECONDS`
/// (default 30) to finish, then they are cancelled, and 10 s later the process ends (jobs are
/// leased and attempts recorded before they are sent, so another process takes over what was cut
/// short).
func serve(_ runtime: Runtime, tenant: String, host: String, port: Int, banner: @escaping @Sendable (Int) -> Void) async throws {
    let grace = try shutdownGrace(ProcessInfo.processInfo.environment)
    let app = buildApplication(
        configuration: ServerConfiguration(host: host, port: port, defaultTenant: tenant), runtime: runtime, onServerRunning: { banner($0) })
    var configuration = ServiceGroupConfiguration(
        services: [.init(service: app)], gracefulShutdownSignals: [.sigterm, .sigint], logger: processLogger("overdue.server"))
    configuration.maximumGracefulShutdownDuration = .seconds(grace)
    configuration.maximumCancellationDuration = .seconds(10)
    do {
        try await ServiceGroup(configuration: configuration).run()
    } catch {
        throw CLIError.failure("the server stopped: \(error)")
    }
}

/// Seconds a stop waits for work in hand: `OVERDUE_SHUTDOWN_GRACE_SECONDS`, 1–600, default 30.
func shutdownGrace(_ environment: [String: String]) throws -> Int {
    guard let text = environment["OVERDUE_SHUTDOWN_GRACE_SECONDS"], !text.isEmpty else { return 30 }
    guard let seconds = Int(text), (1...600).contains(seconds) else {
        throw CLIError.badInput("OVERDUE_SHUTDOWN_GRACE_SECONDS must be a whole number of seconds from 1 to 600 (got '\(text)')")
    }
    return seconds
}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the API and run the scheduler on the wall clock.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: ServeOptions
    @Flag(help: "Seed the demo tenant first if the database has none.") var demo = false

    func run() async throws {
        let tenant = try global.tenantID(fallback: demo ? "demo" : "default")
        let port = try options.resolvedPort()
        let host = options.resolvedHost()
        try await global.withRuntime(tenant: tenant, logger: processLogger("overdue.server")) { runtime in
            if demo { try await DemoCommand.seedIfEmpty(runtime.useCases, tenant: tenant, asOf: nil) }
            try await serve(runtime, tenant: tenant, host: host, port: port) { bound in
                note(
                    "overdue serving tenant '\(tenant)' on http://\(host):\(bound) — /health, and /api/v1 with an API key (overdue keys create --role ROLE) (Ctrl-C stops)"
                )
            }
        }
    }
}

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Seed a demo trucking company (40 debtors, ~300 invoices), catch its ladder up to now, and serve it.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: ServeOptions
    @Option(help: "Date the demo data is relative to (default: today).") var asOf: String?
    @Flag(help: "Seed and catch up, then exit instead of serving.") var noServe = false

    static func seedIfEmpty(_ useCases: UseCases, tenant: String, asOf: LocalDate?) async throws {
        let done = try await useCases.seedDemo(tenant: tenant, asOf: asOf)
        if let summary = done.seeded {
            note(
                "seeded tenant '\(tenant)': \(summary.debtors) debtors, \(summary.contacts) contacts, \(summary.invoices) invoices, \(summary.payments) payments (as of \(done.day))"
            )
        } else {
            note("tenant '\(tenant)' already has \(done.existingInvoices) invoices; not seeding again")
        }
        if let (from, until, report) = done.caughtUp {
            note("caught up \(Timestamp.format(from)) → \(Timestamp.format(until)): \(report.totalSent) message(s) sent, \(report.handoffs) handed off")
        }
    }

    func run() async throws {
        let tenant = try global.tenantID(fallback: "demo")
        let day = try asOf.map { text -> LocalDate in
            guard let d = LocalDate.parse(text) else { throw CLIError.badInput("--as-of '\(text)' is not a date (YYYY-MM-DD)") }
            return d
        }
        let port = try options.resolvedPort()
        let host = options.resolvedHost()
        let serveIt = !noServe
        try await global.withRuntime(tenant: tenant, logger: processLogger("overdue.server")) { runtime in
            let db = runtime.database
            try await DemoCommand.seedIfEmpty(runtime.useCases, tenant: tenant, asOf: day)
            let cases = try await runtime.useCases.cases(tenant: tenant)
            var counts: [CaseStatus: Int] = [:]
            for c in cases { counts[c.status, default: 0] += 1 }
            say("demo tenant '\(tenant)' in \(db): " + CaseStatus.allCases.compactMap { s in counts[s].map { "\($0) \(s.rawValue)" } }.joined(separator: ", "))
            say(
                """
                look at it:
                  overdue cases  --tenant \(tenant) --db \(db) --format table
                  overdue outbox --tenant \(tenant) --db \(db) --format table
                """)
            guard serveIt else { return }
            // A read-only key for looking around (each run makes a fresh one; revoke with `overdue keys revoke`).
            let key = try await runtime.useCases.createAPIKey(tenant: tenant, name: "demo viewer", role: .viewer, by: cliActor, grantor: nil).key
            // A manager to sign in to the dashboard with: a fresh password each run.
            let demoEmail = "demo@\(tenant).overdue.test"
            let password = "demo-" + SecretToken.make(bytes: 12)
            try await runtime.useCases.provisionUser(tenant: tenant, email: demoEmail, name: "Demo manager", role: .manager, password: password, by: cliActor)
            try await serve(runtime, tenant: tenant, host: host, port: port) { bound in
                say(
                    """
                      dashboard: http://\(host):\(bound)/app   sign in as \(demoEmail) / \(password)
                      http://\(host):\(bound)/health
                      curl -H 'Authorization: Bearer \(key)' http://\(host):\(bound)/api/v1/cases
                      curl -H 'Authorization: Bearer \(key)' http://\(host):\(bound)/api/v1/outbox
                    serving (Ctrl-C stops)
                    """)
            }
        }
    }
}

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run the scheduler and dispatcher only (no HTTP): start as many as the load needs against one database.",
        discussion: """
            Workers claim due cases with a lease (extended while a case is worked) and a fencing number, so two never work \
            the same case at once; a dead worker's cases are taken over when its lease expires. On PostgreSQL idle workers \
            are woken by NOTIFY when work is added, and one process at a time is the leader (advisory lock) that does the \
            housekeeping. SIGTERM or Ctrl-C stops after the cases in hand.
            """)
    @OptionGroup var global: GlobalOptions
    @Option(
        help:
            "Longest sleep, in seconds, between looks at an idle queue (default: 1 on SQLite; 10 on PostgreSQL, where NOTIFY and the next due time wake workers sooner)."
    ) var interval: Double?
    @Option(help: "Seconds a claimed case stays with this worker without a heartbeat; if the worker dies, another takes the case over after that.") var lease:
        Double = 30
    @Option(help: "Cases worked at once on PostgreSQL (SQLite works one at a time).") var concurrency: Int = 4
    @Option(
        help:
            "Cases a lane claims and plans together (1-256). Larger batches commit less often and send faster; a reply that arrives meanwhile waits for the batch."
    ) var batch: Int = 16

    func run() async throws {
        if let interval { guard interval > 0, interval <= 3600 else { throw CLIError.badInput("--interval \(interval) must be between 0 and 3600 seconds") } }
        guard lease >= 1, lease <= 3600 else { throw CLIError.badInput("--lease \(lease) must be between 1 and 3600 seconds") }
        guard (1...64).contains(concurrency) else { throw CLIError.badInput("--concurrency \(concurrency) must be between 1 and 64") }
        guard (1...256).contains(batch) else { throw CLIError.badInput("--batch \(batch) must be between 1 and 256") }
        let leaseSeconds = lease, lanes = concurrency, batchSize = batch
        let tenant = try global.tenantID()
        let idle = interval.map { Duration.milliseconds(Int64($0 * 1000)) }
        let logger = processLogger("overdue.worker")
        try await global.withRuntime(tenant: tenant, logger: logger) { runtime in
            let owner = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
            let scheduler = runtime.scheduler(owner: owner, leaseSeconds: leaseSeconds, batchSize: batchSize)
            var configuration = ServiceGroupConfiguration(
                services: runtime.workerServices(scheduler: scheduler, idleWait: idle, concurrency: lanes, mail: runtime.mailReader()).map {
                    ServiceGroupConfiguration.ServiceConfiguration(service: $0)
                },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            // A stop is never waited on for ever: cases in hand are leased (another worker takes
            // them over when the lease ends, and attempts are recorded before they are sent), so
            // after a lease and a margin the stop becomes a cancellation, and then an exit.
            configuration.maximumGracefulShutdownDuration = .seconds(Int64(leaseSeconds) + 30)
            configuration.maximumCancellationDuration = .seconds(30)
            let group = ServiceGroup(configuration: configuration)
            note("overdue worker \(owner) working every tenant in \(runtime.database) (SIGTERM/Ctrl-C stops)")
            try await group.run()
        }
    }
}

/// A logger at the level of `OVERDUE_LOG_LEVEL` (default info).
func processLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = ProcessInfo.processInfo.environment["OVERDUE_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
    return logger
}
