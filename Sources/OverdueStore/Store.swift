/// OverdueStore — everything Overdue keeps: numbered migrations (`Migrations`), the repositories
/// (`Repositories/Session+…`: one file per concern), the durable job queue, and leader election
/// and wake-ups between processes (`Coordinator`), behind one API over SQLite (the default) and
/// PostgreSQL. Only the application layer (`OverdueUseCases`) and the agents below it use it; the
/// doors (server, CLI) never see it.
///
/// This file: the `Store` (open, read, write, close; what a transaction tells caches and idle
/// workers on commit; the statement count). Beside it: `DatabaseURL`, `StoreError`, `Session`
/// (the handle repositories hang off), `SQL` (dialects, bound values, rows), `SQLiteDB` (SQLite
/// through its C interface, statements prepared once and run on the caller's thread), `RulesCache` (each
/// tenant's settings, policy and templates, kept per process until they change) and
/// `Coordinator`.
/// SQL is written once, in the subset both dialects share (`?` binds, `ON CONFLICT … DO UPDATE`,
/// `RETURNING`, text timestamps in UTC ISO 8601); the few dialect differences live in `Dialect`.
/// This module makes no collection decisions: it stores what the core decided.
import Crypto
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOPosix
import PostgresKit
import PostgresNIO
import SQLKit
import OverdueCore

/// A serialising lock for writers: SQLite has one writer, and a transaction on a shared connection
/// must not interleave with another task's statements.
actor WriteLock {
    private var locked = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        if !locked { locked = true; return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty { locked = false } else { waiters.removeFirst().resume() }
    }
}

/// The store: open it once per process, use `read` for queries and `write` for transactions.
///
/// On SQLite there is one connection and writers take turns (SQLite has one writer anyway). On
/// PostgreSQL a pool of connections serves concurrent reads and transactions; a connection lost with
/// a server restart is replaced on the next use.
public final class Store: Sendable {
    let connection: SQLiteDB?
    let postgres: PostgresClient?
    private let postgresRun: Task<Void, Never>?
    let lock = WriteLock()
    /// The dialect in use.
    public let dialect: Dialect
    /// Where the store is.
    public let url: DatabaseURL
    let logger: Logger
    /// Where the store's own bookkeeping times (migrations, case updates, system audit entries,
    /// events written without a time) come from.
    public let clock: any Clock
    /// Statements sent to the database by this store since it opened (BEGIN and COMMIT included):
    /// each is a step of SQLite's engine or a network round trip (PostgreSQL), so tests and benchmarks
    /// count them.
    public var statementsIssued: Int { counter.value }
    let counter = StatementCounter()
    let rulesCache: RulesCache
    private let workHook = NIOLockedValueBox<(@Sendable () -> Void)?>(nil)

    /// Where the audit chain's key comes from (see `MasterKey`).
    public let masterKeySource: String
    /// The file the master key is kept in, when it came from one.
    public let masterKeyFile: String?
    /// The audit chain's HMAC key, derived from the master key.
    let auditKey: SymmetricKey
    /// The key secrets are sealed with at rest, derived from the master key.
    let secretsKey: SymmetricKey
    /// The key message ids are made with (see `messageID(tenant:key:)`), derived from the master key.
    let messageIDKey: SymmetricKey
    /// The key document links are signed with (see `linkSignature`), derived from the master key.
    let linkKey: SymmetricKey

    private init(
        url: DatabaseURL, connection: SQLiteDB?, postgres: PostgresClient? = nil,
        postgresRun: Task<Void, Never>? = nil, dialect: Dialect, logger: Logger, clock: any Clock, masterKey: MasterKey
    ) {
        self.masterKeySource = masterKey.source
        self.masterKeyFile = masterKey.file
        self.auditKey = masterKey.derived(MasterKey.Purpose.auditChain)
        self.secretsKey = masterKey.derived(MasterKey.Purpose.secrets)
        self.messageIDKey = masterKey.derived(MasterKey.Purpose.messageIDs)
        self.linkKey = masterKey.derived(MasterKey.Purpose.documentLinks)
        self.url = url
        self.clock = clock
        self.connection = connection
        self.postgres = postgres
        self.postgresRun = postgresRun
        self.dialect = dialect
        self.logger = logger
        // Another process's change reaches a PostgreSQL worker by notification; SQLite cannot
        // notify, so its processes re-read within a second.
        self.rulesCache = RulesCache(lifetime: dialect == .sqlite ? .seconds(1) : .seconds(30))
    }

    /// Opens (creating if needed) the database and applies pending migrations.
    /// `masterKey` nil: the one `MasterKey.load` finds for `url`. Refused when the database was set up
    /// with another master key.
    public static func open(
        _ url: DatabaseURL, logger: Logger = Logger(label: "overdue.store"), clock: any Clock = SystemClock(), masterKey: MasterKey? = nil
    ) async throws -> Store {
        let key = try masterKey ?? MasterKey.load(for: url, logger: logger)
        if url.engine == .postgres { return try await openPostgres(url, logger: logger, clock: clock, masterKey: key) }
        // The connection waits for another process's lock from the start: one may be creating the
        // same file right now.
        let conn = try SQLiteDB(path: url.path)
        let store = Store(url: url, connection: conn, dialect: .sqlite, logger: logger, clock: clock, masterKey: key)
        do {
            if url.path != nil {
                _ = try conn.rows("PRAGMA journal_mode=WAL", [])
                try conn.exec("PRAGMA synchronous=NORMAL")
                // A checkpoint copies the log into the database and syncs it: every 16 MiB of log
                // rather than 4 MiB, so a page changed by many plannings is copied once, not four times.
                _ = try conn.rows("PRAGMA wal_autocheckpoint=4000", [])
            }
            // 32 MiB of pages kept (SQLite's default is 2 MiB): a book's indexes stay in memory.
            try conn.exec("PRAGMA cache_size=-32768")
            try conn.exec("PRAGMA foreign_keys=ON")
            let applied = try await Migrations.apply(store)
            try await store.checkMasterKey(key, keyingAudit: applied.contains(Migrations.auditKeyed), sealing: applied.contains(Migrations.secretsSealed))
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    /// Starts a connection pool on PostgreSQL, checks that the server answers, and migrates.
    static func openPostgres(_ url: DatabaseURL, logger: Logger, clock: any Clock, masterKey: MasterKey) async throws -> Store {
        // The pool reports connection trouble to callers as errors; its own log would add a start-up
        // race warning (a lease can come before `run()` is scheduled), so only its errors are kept.
        var poolLogger = logger
        poolLogger.logLevel = ProcessInfo.processInfo.environment["OVERDUE_POOL_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .error
        let client = PostgresClient(configuration: url.postgresClientConfiguration, backgroundLogger: poolLogger)
        let run = Task { await client.run() }
        let store = Store(
            url: url, connection: nil, postgres: client, postgresRun: run, dialect: .postgres, logger: logger, clock: clock,
            masterKey: masterKey)
        do {
            _ = try await store.read { try await $0.row("SELECT 1 AS one")?.int("one") }
        } catch {
            await store.close()
            throw StoreError.unsupported("cannot connect to PostgreSQL at \(url): \(String(reflecting: error))")
        }
        do {
            let applied = try await Migrations.apply(store)
            try await store.checkMasterKey(masterKey, keyingAudit: applied.contains(Migrations.auditKeyed), sealing: applied.contains(Migrations.secretsSealed))
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    /// Records the master key's check on first use; refuses another key afterwards. When this
    /// process keyed the audit chain (`keyingAudit`: it applied the migration), the entries written
    /// before — unkeyed, anyone with the database could have computed them — are sealed: the last
    /// one's id, tagged with the audit key, so no later unkeyed entry can pass for one of them.
    private func checkMasterKey(_ key: MasterKey, keyingAudit: Bool, sealing: Bool) async throws {
        let check = key.check
        let kept = try await write { s -> String in
            try await s.exec("INSERT INTO store_facts (name, value) VALUES ('master_key_check', ?) ON CONFLICT (name) DO NOTHING", [.text(check)])
            if keyingAudit {
                let last = try await s.row("SELECT COALESCE(MAX(id), 0) AS last FROM audit_log")?.int("last") ?? 0
                try await s.exec(
                    "INSERT INTO store_facts (name, value) VALUES ('unkeyed_audit_until', ?) ON CONFLICT (name) DO NOTHING",
                    [.text(s.sealUnkeyedAudit(until: last))])
            }
            return try await s.row("SELECT value FROM store_facts WHERE name = 'master_key_check'")?.string("value") ?? check
        }
        guard kept == check else {
            // A rotation stopped between the database and the key file leaves the new key staged.
            let staged = key.file.map { $0 + ".new" }.flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
            throw StoreError.badOption(
                url.raw,
                "this database was set up with another master key than \(key.source); give the right one in OVERDUE_MASTER_KEY or OVERDUE_MASTER_KEY_FILE"
                    + (staged.map { " (a key rotation stopped half-way: the new key is in \($0); move it to \(key.file!))" } ?? ""))
        }
        if sealing {
            let sealed = try await write { try await $0.sealSecretsInClear() }
            if sealed > 0 { logger.notice("sealed \(sealed) secret(s) that were stored in clear") }
        }
    }

    /// Opens the store at `url`, runs `body` with it and closes it, whether `body` succeeds or throws.
    public static func using<T>(_ url: DatabaseURL, logger: Logger = Logger(label: "overdue.store"), _ body: (Store) async throws -> T) async throws -> T {
        try await open(url, logger: logger).closing(after: body)
    }

    /// Runs `body` with this store, then closes it, whether `body` succeeds or throws.
    public func closing<T>(after body: (Store) async throws -> T) async throws -> T {
        do {
            let result = try await body(self)
            await close()
            return result
        } catch {
            await close()
            throw error
        }
    }

    /// Closes the connection (or the pool and its connections).
    public func close() async {
        connection?.close()
        if let postgresRun {
            postgresRun.cancel()
            await postgresRun.value
        }
    }

    /// Runs read-only work (no transaction).
    public func read<T: Sendable>(_ body: (Session) async throws -> T) async throws -> T {
        if let postgres {
            return try await postgres.withConnection { conn in
                try await body(
                    Session(
                        db: conn.sql(), dialect: .postgres, sqlite: nil, postgres: conn, statementTimeout: url.statementTimeout, clock: clock,
                        auditKey: auditKey, secretsKey: secretsKey,
                        counter: counter, rulesCache: rulesCache))
            }
        }
        return try await body(
            Session(
                db: nil, dialect: dialect, sqlite: connection, clock: clock, auditKey: auditKey, secretsKey: secretsKey, counter: counter,
                rulesCache: rulesCache))
    }

    /// Runs `body` in one transaction; rolls back on error. On SQLite writers are serialised in the
    /// process (and by SQLite's lock across processes); on PostgreSQL they run concurrently.
    public func write<T: Sendable>(_ body: (Session) async throws -> T) async throws -> T {
        let notes = TransactionNotes()
        let result = try await transaction(notes: notes, body)
        for tenant in notes.changedRules { rulesCache.forget(tenant) }
        if notes.hasScheduledWork, let hook = workHook.withLockedValue({ $0 }) { hook() }
        return result
    }

    /// The id of the message with idempotency key `key`: the same for the same key (a retried
    /// attempt is recognised), but an HMAC under a key derived from the master key, so nobody
    /// outside can compute the id — and so the `Message-ID` or `+id` reply address — of another
    /// debtor's message to thread a forged reply onto their case.
    public func messageID(tenant: String, key: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(tenant)\u{1F}\(key)".utf8), using: messageIDKey)
        return "msg_" + Hex.string(mac).prefix(24)
    }

    /// The signature of a link to `token` valid until `expires` (Unix seconds): whoever holds the
    /// link cannot move its expiry.
    public func linkSignature(_ token: String, expires: Int64) -> String {
        Hex.string(HMAC<SHA256>.authenticationCode(for: Data("\(token).\(expires)".utf8), using: linkKey)).prefix(32).description
    }

    /// Moves everything the master key protects (sealed secrets, the audit chain, the key's
    /// check) to `next` in one transaction (see `Session.rotateMasterKey`). This store keeps the
    /// old key: close it and open the database with `next`.
    public func rotateMasterKey(to next: MasterKey) async throws -> MasterKeyRotation {
        try await write { s in try await s.rotateMasterKey(to: next, at: clock.now()) }
    }

    /// Refreshes PostgreSQL's statistics of the tables a bulk load just filled (its documentation's
    /// advice after loading): a planner that still believes a table small picks a plan that reads
    /// all of it — claiming a batch from 20,000 freshly scheduled jobs would sort them all, on every
    /// claim, until autovacuum came by. SQLite needs nothing: its planner counts matching index
    /// columns, not rows.
    public func refreshStatistics(of tables: [String]) async throws {
        guard postgres != nil, !tables.isEmpty else { return }
        precondition(tables.allSatisfy { $0.allSatisfy { $0.isASCII && ($0.isLetter || $0 == "_") } }, "table names are identifiers")
        try await read { s in try await s.exec("ANALYZE " + tables.joined(separator: ", ")) }
    }

    /// Calls `hook` after every committed transaction that scheduled work: this process's idle
    /// workers start it at once (other processes hear a `NOTIFY` on PostgreSQL).
    public func onWorkScheduled(_ hook: @escaping @Sendable () -> Void) { workHook.withLockedValue { $0 = hook } }

    private func transaction<T: Sendable>(notes: TransactionNotes, _ body: (Session) async throws -> T) async throws -> T {
        if let postgres {
            return try await postgres.withConnection { conn in
                let session = Session(
                    db: conn.sql(), dialect: .postgres, sqlite: nil, postgres: conn, statementTimeout: url.statementTimeout, clock: clock,
                    auditKey: auditKey, secretsKey: secretsKey,
                    counter: counter, notes: notes, rulesCache: rulesCache)
                // BEGIN and COMMIT go like every statement: given up on when the server is overdue
                // (one sent as a restart cuts the connection would otherwise wait for ever).
                return try await Store.transaction(begin: "BEGIN", isOpen: { !conn.isClosed }, control: { try await session.exec($0) }) {
                    let result = try await body(session)
                    try await session.writeDeferredAudits()
                    return result
                }
            }
        }
        await lock.acquire()
        do {
            let session = Session(
                db: nil, dialect: .sqlite, sqlite: connection, clock: clock, auditKey: auditKey, secretsKey: secretsKey, counter: counter, notes: notes,
                rulesCache: rulesCache)
            // SQLite takes the write lock at BEGIN IMMEDIATE, so a transaction never fails half-way on it.
            let result = try await Store.transaction(
                begin: "BEGIN IMMEDIATE",
                control: { sql in
                    if sql == "BEGIN IMMEDIATE" { session.counter.add(); try await session.sqlite!.begin() } else { try await session.exec(sql) }
                }
            ) {
                let result = try await body(session)
                try await session.writeDeferredAudits()
                return result
            }
            await lock.release()
            return result
        } catch {
            await lock.release()
            throw error
        }
    }

    private static func transaction<T>(
        begin: String, isOpen: () -> Bool = { true }, control: (String) async throws -> Void,
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> T
    ) async throws -> T {
        guard isOpen() else { throw StoreError.connectionLost }
        try await control(begin)
        let result: T
        do {
            result = try await body()
        } catch {
            // A statement sent on a connection the server has closed is never answered (PostgresNIO
            // drops it), so a lost connection gets no ROLLBACK: the server rolled back already.
            if isOpen() { try? await control("ROLLBACK") }
            throw error
        }
        guard isOpen() else { throw StoreError.connectionLost }
        try await control("COMMIT")
        return result
    }
}

/// What a transaction changed that caches and idle workers outside it must learn once it commits.
final class TransactionNotes: Sendable {
    private let tenants = NIOLockedValueBox(Set<String>())
    private let scheduled = NIOLockedValueBox(false)
    func rulesChanged(_ tenant: String) { tenants.withLockedValue { _ = $0.insert(tenant) } }
    var changedRules: Set<String> { tenants.withLockedValue { $0 } }
    func workScheduled() { scheduled.withLockedValue { $0 = true } }
    var hasScheduledWork: Bool { scheduled.withLockedValue { $0 } }
    /// Audit entries of the transaction, written just before it commits (see `Session.appendAudits`).
    private let audits = NIOLockedValueBox([AuditDraft]())
    func deferAudits(_ drafts: [AuditDraft]) { audits.withLockedValue { $0 += drafts } }
    func takeAudits() -> [AuditDraft] {
        audits.withLockedValue { a in
            let taken = a
            a = []
            return taken
        }
    }
}

/// Counts the statements a store sends (see `Store.statementsIssued`).
final class StatementCounter: Sendable {
    private let box = NIOLockedValueBox(0)
    var value: Int { box.withLockedValue { $0 } }
    func add(_ n: Int = 1) { box.withLockedValue { $0 += n } }
}

extension Store {
    /// Creates database `name` on the PostgreSQL server of `adminURL` and returns its URL: used by
    /// the test suites (a fresh database per test) and by operators preparing a server.
    public static func createPostgresDatabase(adminURL: DatabaseURL, name: String, logger: Logger = Logger(label: "overdue.store")) async throws -> DatabaseURL
    {
        guard adminURL.engine == .postgres, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw StoreError.badURL(adminURL.raw)
        }
        let conn = try await PostgresConnection.connect(configuration: adminURL.postgresConfiguration, id: 2, logger: logger)
        do {
            try await conn.sql().raw("CREATE DATABASE \(unsafeRaw: name)").run()
        } catch {
            try? await conn.close()
            throw error
        }
        try await conn.close()
        var url = adminURL
        url.database = name
        var comps = URLComponents(string: adminURL.raw)!
        comps.path = "/" + name
        url.raw = comps.string!
        return url
    }
}

/// Resumes a continuation exactly once, whichever of several racing tasks gets there first.
final class ResumeOnce<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var result: Result<T, any Error>?
        var onFinish: (@Sendable () -> Void)?
    }
    private let state = NIOLockedValueBox(State())

    func arm(_ c: CheckedContinuation<T, any Error>) {
        let early = state.withLockedValue { s -> Result<T, any Error>? in
            if let r = s.result { return r }
            s.continuation = c
            return nil
        }
        if let early { c.resume(with: early) }
    }

    func finish(_ result: Result<T, any Error>) {
        let (c, hook) = state.withLockedValue { s -> (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?) in
            guard s.result == nil else { return (nil, nil) }
            s.result = result
            defer { s.continuation = nil; s.onFinish = nil }
            return (s.continuation, s.onFinish)
        }
        c?.resume(with: result)
        hook?()
    }

    func whenFinished(_ hook: @escaping @Sendable () -> Void) {
        let done = state.withLockedValue { s -> Bool in
            if s.result != nil { return true }
            s.onFinish = hook
            return false
        }
        if done { hook() }
    }
}
