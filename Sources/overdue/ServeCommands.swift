import ArgumentParser
import Foundation
import Hummingbird
import ServiceLifecycle
import Logging
import OverdueAgents
import OverdueChannels
import OverdueCore
import OverdueServer
import OverdueStore

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

/// The sandbox channels: with `OVERDUE_SANDBOX_RECORD=FILE` every delivery is recorded in FILE (the
/// provider's record that crash tests count), otherwise nothing is kept outside the outbox.
func channels(store: Store, documents: DocumentLibrary) -> [Channel: any ChannelAdapter] {
    guard let path = ProcessInfo.processInfo.environment["OVERDUE_SANDBOX_RECORD"], !path.isEmpty else { return liveChannels(store: store, documents: documents) }
    let recorder = RecordingChannel(file: URL(fileURLWithPath: path))
    return Dictionary(uniqueKeysWithValues: Channel.allCases.map { ($0, recorder as any ChannelAdapter) })
}

/// The reader of tenants' mailboxes, answering through `channels`.
func mailReader(store: Store, channels: [Channel: any ChannelAdapter], documents: DocumentLibrary, logger: Logger = processLogger("overdue.mail")) -> MailboxReader {
    MailboxReader(store: store, intake: MailIntake(store: store, engine: ConversationEngine(store: store, channels: channels, documents: documents, logger: logger), logger: logger),
                  logger: logger)
}

/// Serves the API with the wall-clock scheduler until SIGINT/SIGTERM.
func serve(store: Store, tenant: String, host: String, port: Int, documents: DocumentLibrary, banner: @escaping @Sendable (Int) -> Void) async throws {
    let logger = processLogger("overdue.server")
    let live = channels(store: store, documents: documents)
    let scheduler = Scheduler(store: store, processor: CaseProcessor(store: store, channels: live, logger: logger), logger: logger)
    let reader = mailReader(store: store, channels: live, documents: documents, logger: logger)
    let app = buildApplication(configuration: ServerConfiguration(host: host, port: port, defaultTenant: tenant, documents: documents),
                               store: store, scheduler: scheduler, channels: live, mailReader: reader, logger: logger, onServerRunning: { banner($0) })
    do {
        try await app.runService()
    } catch {
        throw CLIError.failure("the server stopped: \(error)")
    }
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
        let documents = global.documentLibrary()
        try await global.withStore(tenant: tenant) { store in
            if demo { try await DemoCommand.seedIfEmpty(store: store, tenant: tenant, asOf: nil) }
            try await serve(store: store, tenant: tenant, host: host, port: port, documents: documents) { bound in
                note("overdue serving tenant '\(tenant)' on http://\(host):\(bound) — /health, and /api/v1 with an API key (overdue keys create --role ROLE) (Ctrl-C stops)")
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

    static func seedIfEmpty(store: Store, tenant: String, asOf: LocalDate?) async throws {
        let existing = try await store.read { try await $0.invoiceCount(tenant) }
        let zone = TimeZone(identifier: "America/Chicago")!
        let day = asOf ?? LocalDate(wallClock.now(), in: zone)
        if existing == 0 {
            let summary = try await DemoTenant(asOf: day).seed(store: store, tenant: tenant, now: wallClock.now())
            note("seeded tenant '\(tenant)': \(summary.debtors) debtors, \(summary.contacts) contacts, \(summary.invoices) invoices, \(summary.payments) payments (as of \(day))")
        } else {
            note("tenant '\(tenant)' already has \(existing) invoices; not seeding again")
        }
        // Catch the ladder up on the virtual clock so there is history to look at.
        let until = asOf.map { $0.at(hour: 12, in: zone) } ?? wallClock.now()
        let from = try await store.read { try await $0.simulationClock(tenant) } ?? day.adding(days: -12).at(in: zone)
        if from < until {
            let report = try await Scheduler(store: store, processor: CaseProcessor(store: store)).simulate(tenant: tenant, from: from, until: until)
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
        let db = try global.databaseURL()
        let serveIt = !noServe
        let documents = global.documentLibrary()
        try await global.withStore(tenant: tenant) { store in
            try await DemoCommand.seedIfEmpty(store: store, tenant: tenant, asOf: day)
            let cases = try await store.read { try await $0.cases(tenant) }
            var counts: [CaseStatus: Int] = [:]
            for c in cases { counts[c.status, default: 0] += 1 }
            say("demo tenant '\(tenant)' in \(db): " + CaseStatus.allCases.compactMap { s in counts[s].map { "\($0) \(s.rawValue)" } }.joined(separator: ", "))
            say("""
                look at it:
                  overdue cases  --tenant \(tenant) --db \(db) --format table
                  overdue outbox --tenant \(tenant) --db \(db) --format table
                """)
            guard serveIt else { return }
            // A read-only key for looking around (each run makes a fresh one; revoke with `overdue keys revoke`).
            let key = try await store.write { s in try await s.createAPIKey(tenant, name: "demo viewer", role: .viewer, now: wallClock.now()) }.key
            // A manager to sign in to the dashboard with: a fresh password each run.
            let demoEmail = "demo@\(tenant).overdue.test"
            let password = "demo-" + SecretToken.make(bytes: 12)
            let hash = try await Passwords.hash(password)
            try await store.write { s in
                if let existing = try await s.user(email: demoEmail) {
                    try await s.updateUser(existing.tenant, id: existing.id, passwordHash: hash, disabledAt: .some(nil))
                } else {
                    _ = try await s.createUser(tenant, email: demoEmail, name: "Demo manager", role: .manager, passwordHash: hash, now: wallClock.now())
                }
            }
            try await serve(store: store, tenant: tenant, host: host, port: port, documents: documents) { bound in
                say("""
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
    @Option(help: "Longest sleep, in seconds, between looks at an idle queue (default: 1 on SQLite; 10 on PostgreSQL, where NOTIFY and the next due time wake workers sooner).") var interval: Double?
    @Option(help: "Seconds a claimed case stays with this worker without a heartbeat; if the worker dies, another takes the case over after that.") var lease: Double = 30
    @Option(help: "Cases worked at once on PostgreSQL (SQLite works one at a time).") var concurrency: Int = 4

    func run() async throws {
        if let interval { guard interval > 0, interval <= 3600 else { throw CLIError.badInput("--interval \(interval) must be between 0 and 3600 seconds") } }
        guard lease >= 1, lease <= 3600 else { throw CLIError.badInput("--lease \(lease) must be between 1 and 3600 seconds") }
        guard (1...64).contains(concurrency) else { throw CLIError.badInput("--concurrency \(concurrency) must be between 1 and 64") }
        let leaseSeconds = lease, lanes = concurrency
        let tenant = try global.tenantID()
        let db = try global.databaseURL()
        let idle = interval.map { Duration.milliseconds(Int64($0 * 1000)) }
        let documents = global.documentLibrary()
        try await global.withStore(tenant: tenant) { store in
            let logger = processLogger("overdue.worker")
            let owner = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
            let live = channels(store: store, documents: documents)
            let scheduler = Scheduler(store: store, processor: CaseProcessor(store: store, channels: live, logger: logger),
                                      owner: owner, leaseSeconds: leaseSeconds, logger: logger)
            let reader = mailReader(store: store, channels: live, documents: documents, logger: logger)
            let group = ServiceGroup(services: workerServices(store: store, scheduler: scheduler, idleWait: idle, concurrency: lanes, mail: reader, logger: logger),
                                     gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            note("overdue worker \(owner) working every tenant in \(db) (SIGTERM/Ctrl-C stops)")
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
