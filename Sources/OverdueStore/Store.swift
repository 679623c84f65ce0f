/// OverdueStore — everything Overdue keeps: numbered migrations, repositories and the durable job
/// queue, behind one API over SQLite (the default) and, later, PostgreSQL.
///
/// SQL here is written once, in the subset both dialects share (`?` binds, `ON CONFLICT … DO UPDATE`,
/// `RETURNING`, text timestamps in UTC ISO 8601); the few dialect differences live in `Dialect`.
/// This module makes no collection decisions: it stores what the core decided.
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOPosix
import PostgresKit
import PostgresNIO
import SQLKit
import SQLiteKit
import SQLiteNIO
import OverdueCore

/// A database location: `sqlite:///abs/path.sqlite`, `sqlite://./rel.sqlite`, `sqlite::memory:` or `postgres://…`.
public struct DatabaseURL: Hashable, Sendable, CustomStringConvertible {
    /// The engine.
    public enum Engine: String, Sendable { case sqlite, postgres }
    /// Which engine.
    public var engine: Engine
    /// SQLite file path (nil for in-memory).
    public var path: String?
    /// The URL as given.
    public var raw: String
    /// PostgreSQL host, port, user, password and database.
    public var host: String?, port: Int?, user: String?, password: String?, database: String?
    /// PostgreSQL: most connections this process opens (`?pool=N`, default 10).
    public var poolSize = 10
    /// PostgreSQL: longest a statement may run before the server cancels it (`?statement_timeout=S`
    /// seconds, default 60); also the longest a transaction may sit idle.
    public var statementTimeout = 60

    /// The default: `sqlite://./overdue.sqlite`.
    public static let `default` = try! DatabaseURL("sqlite://./overdue.sqlite")

    /// Parses a database URL; throws a message naming the accepted forms.
    public init(_ text: String) throws(StoreError) {
        raw = text
        if text == "sqlite::memory:" || text == "sqlite://:memory:" {
            engine = .sqlite; path = nil; return
        }
        if text.hasPrefix("sqlite://") {
            engine = .sqlite
            let p = String(text.dropFirst("sqlite://".count))
            guard !p.isEmpty else { throw .badURL(text) }
            path = p
            return
        }
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            guard let url = URLComponents(string: text), let host = url.host, !host.isEmpty else { throw .badURL(text) }
            engine = .postgres
            self.host = host
            port = url.port ?? 5432
            user = url.user.flatMap { $0.removingPercentEncoding } ?? "postgres"
            password = url.password.flatMap { $0.removingPercentEncoding }
            let db = String(url.path.drop(while: { $0 == "/" }))
            database = db.isEmpty ? nil : db
            for item in url.queryItems ?? [] {
                let value = item.value.flatMap { Int($0) }
                switch item.name {
                case "pool":
                    guard let value, (1...500).contains(value) else { throw .badOption(text, "pool must be a whole number from 1 to 500") }
                    poolSize = value
                case "statement_timeout":
                    guard let value, (1...86_400).contains(value) else { throw .badOption(text, "statement_timeout must be whole seconds from 1 to 86400") }
                    statementTimeout = value
                default:
                    throw .badOption(text, "unknown option '\(item.name)' (known: pool, statement_timeout)")
                }
            }
            return
        }
        // A bare path is accepted as SQLite for convenience.
        if text.hasSuffix(".sqlite") || text.hasSuffix(".db") {
            engine = .sqlite; path = text; return
        }
        throw .badURL(text)
    }

    /// The URL with any password masked, for messages and logs.
    public var description: String { Self.masked(raw) }

    /// `text` with the password of a `scheme://user:password@host` URL masked.
    static func masked(_ text: String) -> String {
        guard var c = URLComponents(string: text), let pw = c.percentEncodedPassword, !pw.isEmpty else { return text }
        c.percentEncodedPassword = "****"
        return c.string ?? text
    }
}

/// Errors of the store, each naming what failed.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    /// The database URL cannot be read.
    case badURL(String)
    /// An option in the database URL is wrong.
    case badOption(String, String)
    /// A feature not available.
    case unsupported(String)
    /// A migration failed.
    case migration(id: Int, name: String, message: String)
    /// The database was written by a newer Overdue.
    case tooNew(applied: Int, known: Int)
    /// Something expected is absent.
    case notFound(String)
    /// A stored row could not be read.
    case corrupt(String)
    /// The virtual clock cannot go back.
    case clockBehind(String)
    /// Another process holds the work.
    case busy(String)
    /// The database connection was lost (e.g. the server restarted); the work can be retried.
    case connectionLost

    public var description: String {
        switch self {
        case .badURL(let u): return "database URL '\(DatabaseURL.masked(u))' is not understood; use sqlite:///absolute/path.sqlite, sqlite://./relative.sqlite or postgres://user:pass@host:port/db"
        case .badOption(let u, let m): return "database URL '\(DatabaseURL.masked(u))': \(m)"
        case .unsupported(let m): return m
        case .migration(let id, let name, let m): return "migration \(id) (\(name)) failed: \(m)"
        case .tooNew(let a, let k): return "the database has migration \(a) applied but this Overdue knows only up to \(k): upgrade Overdue"
        case .notFound(let m): return m
        case .corrupt(let m): return "stored data could not be read: \(m)"
        case .clockBehind(let m): return m
        case .busy(let m): return m
        case .connectionLost: return "the connection to the database was lost (did the server restart?); retrying"
        }
    }
}

/// SQL differences between engines.
public enum Dialect: Sendable {
    /// SQLite.
    case sqlite
    /// PostgreSQL.
    case postgres

    /// Column type of an auto-assigned integer primary key.
    var identityPrimaryKey: String {
        switch self {
        case .sqlite: return "INTEGER PRIMARY KEY AUTOINCREMENT"
        case .postgres: return "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
        }
    }

    /// Most binds one statement may carry.
    var maxBinds: Int { self == .sqlite ? 30_000 : 60_000 }
}

/// A value bound into a statement.
public enum SQLValue: Encodable, Sendable, Hashable {
    /// Text.
    case text(String)
    /// Integer.
    case int(Int64)
    /// NULL.
    case null

    /// Text or NULL.
    public static func opt(_ s: String?) -> SQLValue { s.map { .text($0) } ?? .null }
    /// A bool as 0/1.
    public static func bool(_ b: Bool) -> SQLValue { .int(b ? 1 : 0) }
    /// An instant as UTC ISO 8601 text.
    public static func time(_ d: Date) -> SQLValue { .text(Timestamp.format(d)) }
    /// An optional instant.
    public static func time(_ d: Date?) -> SQLValue { d.map { .text(Timestamp.format($0)) } ?? .null }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .text(let s): try c.encode(s)
        case .int(let i): try c.encode(i)
        case .null: try c.encodeNil()
        }
    }
}

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
    let database: (any SQLDatabase)?
    let connection: SQLiteConnection?
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

    private init(url: DatabaseURL, database: (any SQLDatabase)?, connection: SQLiteConnection?, postgres: PostgresClient? = nil,
                 postgresRun: Task<Void, Never>? = nil, dialect: Dialect, logger: Logger, clock: any Clock) {
        self.url = url
        self.clock = clock
        self.database = database
        self.connection = connection
        self.postgres = postgres
        self.postgresRun = postgresRun
        self.dialect = dialect
        self.logger = logger
    }

    /// Opens (creating if needed) the database and applies pending migrations.
    public static func open(_ url: DatabaseURL, logger: Logger = Logger(label: "overdue.store"), clock: any Clock = SystemClock()) async throws -> Store {
        if url.engine == .postgres { return try await openPostgres(url, logger: logger, clock: clock) }
        let storage: SQLiteConnection.Storage = url.path.map { .file(path: $0) } ?? .memory
        let conn = try await SQLiteConnection.open(storage: storage, logger: logger)
        let db = conn.sql()
        let store = Store(url: url, database: db, connection: conn, dialect: .sqlite, logger: logger, clock: clock)
        do {
            // The busy timeout first: another process may be creating the same file right now.
            try await db.raw("PRAGMA busy_timeout=10000").run()
            if url.path != nil {
                _ = try await db.raw("PRAGMA journal_mode=WAL").all()
                try await db.raw("PRAGMA synchronous=NORMAL").run()
            }
            try await db.raw("PRAGMA foreign_keys=ON").run()
            try await Migrations.apply(store)
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    /// Starts a connection pool on PostgreSQL, checks that the server answers, and migrates.
    static func openPostgres(_ url: DatabaseURL, logger: Logger, clock: any Clock) async throws -> Store {
        // The pool reports connection trouble to callers as errors; its own log would add a start-up
        // race warning (a lease can come before `run()` is scheduled), so only its errors are kept.
        var poolLogger = logger
        poolLogger.logLevel = ProcessInfo.processInfo.environment["OVERDUE_POOL_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .error
        let client = PostgresClient(configuration: url.postgresClientConfiguration, backgroundLogger: poolLogger)
        let run = Task { await client.run() }
        let store = Store(url: url, database: nil, connection: nil, postgres: client, postgresRun: run, dialect: .postgres, logger: logger, clock: clock)
        do {
            _ = try await store.read { try await $0.row("SELECT 1 AS one")?.int("one") }
        } catch {
            await store.close()
            throw StoreError.unsupported("cannot connect to PostgreSQL at \(url): \(String(reflecting: error))")
        }
        do {
            try await Migrations.apply(store)
        } catch {
            await store.close()
            throw error
        }
        return store
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
        try? await connection?.close()
        if let postgresRun {
            postgresRun.cancel()
            await postgresRun.value
        }
    }

    /// Runs read-only work (no transaction).
    public func read<T: Sendable>(_ body: (Session) async throws -> T) async throws -> T {
        if let postgres {
            return try await postgres.withConnection { conn in
                try await body(Session(db: conn.sql(), dialect: .postgres, sqlite: nil, postgres: conn, statementTimeout: url.statementTimeout, clock: clock))
            }
        }
        return try await body(Session(db: database!, dialect: dialect, sqlite: connection, clock: clock))
    }

    /// Runs `body` in one transaction; rolls back on error. On SQLite writers are serialised in the
    /// process (and by SQLite's lock across processes); on PostgreSQL they run concurrently.
    public func write<T: Sendable>(_ body: (Session) async throws -> T) async throws -> T {
        if let postgres {
            return try await postgres.withConnection { conn in
                try await Store.transaction(on: conn.sql(), begin: "BEGIN", isOpen: { !conn.isClosed }) { db in
                    try await body(Session(db: db, dialect: .postgres, sqlite: nil, postgres: conn, statementTimeout: url.statementTimeout, clock: clock))
                }
            }
        }
        await lock.acquire()
        do {
            // SQLite takes the write lock at BEGIN IMMEDIATE, so a transaction never fails half-way on it.
            let result = try await Store.transaction(on: database!, begin: "BEGIN IMMEDIATE") { db in
                try await body(Session(db: db, dialect: .sqlite, sqlite: connection, clock: clock))
            }
            await lock.release()
            return result
        } catch {
            await lock.release()
            throw error
        }
    }

    private static func transaction<T>(on db: any SQLDatabase, begin: String, isOpen: () -> Bool = { true },
                                       isolation: isolated (any Actor)? = #isolation,
                                       _ body: (any SQLDatabase) async throws -> T) async throws -> T {
        guard isOpen() else { throw StoreError.connectionLost }
        try await db.raw(SQLQueryString(begin)).run()
        let result: T
        do {
            result = try await body(db)
        } catch {
            // A statement sent on a connection the server has closed is never answered (PostgresNIO
            // drops it), so a lost connection gets no ROLLBACK: the server rolled back already.
            if isOpen() { try? await db.raw("ROLLBACK").run() }
            throw error
        }
        guard isOpen() else { throw StoreError.connectionLost }
        try await db.raw("COMMIT").run()
        return result
    }
}

/// A handle on the database inside `Store.read` or `Store.write`: the repositories hang off it.
public struct Session: Sendable {
    let db: any SQLDatabase
    /// The dialect.
    public let dialect: Dialect
    /// The raw SQLite connection, for bulk statements that would spend most of their time in SQLKit's
    /// per-bind serialisation (nil on other engines).
    let sqlite: SQLiteConnection?
    /// The PostgreSQL connection in use, checked before every statement: one sent on a connection the
    /// server has closed would never be answered.
    let postgres: PostgresConnection?

    /// Seconds after which the server cancels a statement.
    let postgresStatementTimeout: Int

    /// The store's clock (see `Store.clock`).
    let clock: any Clock

    init(db: any SQLDatabase, dialect: Dialect, sqlite: SQLiteConnection?, postgres: PostgresConnection? = nil, statementTimeout: Int = 60,
         clock: any Clock) {
        self.clock = clock
        self.db = db
        self.dialect = dialect
        self.sqlite = sqlite
        self.postgres = postgres
        self.postgresStatementTimeout = statementTimeout
    }

    private func checkOpen() throws {
        if let postgres, postgres.isClosed { throw StoreError.connectionLost }
    }

    /// Runs a PostgreSQL statement, giving up once the server is overdue with its answer (it cancels
    /// statements itself after the statement timeout, so silence beyond that means a dead connection).
    private func onPostgres<T: Sendable>(_ op: @escaping @Sendable () async throws -> T) async throws -> T {
        try checkOpen()
        let seconds = Double(postgresStatementTimeout) + 15
        let once = ResumeOnce<T>()
        return try await withCheckedThrowingContinuation { continuation in
            once.arm(continuation)
            let work = Task {
                do { once.finish(.success(try await op())) } catch { once.finish(.failure(error)) }
            }
            let timer = Task {
                try await Task.sleep(for: .seconds(seconds))
                once.finish(.failure(StoreError.connectionLost))
                work.cancel()
            }
            once.whenFinished { timer.cancel() }
        }
    }
    /// Builds a query from SQL with `?` placeholders and its binds.
    static func query(_ sql: String, _ binds: [SQLValue]) -> SQLQueryString {
        var q = SQLQueryString("")
        var rest = Substring(sql)
        var i = 0
        while let mark = rest.firstIndex(of: "?") {
            q.appendLiteral(String(rest[..<mark]))
            precondition(i < binds.count, "fewer binds than placeholders in: \(sql)")
            q.appendInterpolation(bind: binds[i])
            i += 1
            rest = rest[rest.index(after: mark)...]
        }
        precondition(i == binds.count, "more binds than placeholders in: \(sql)")
        q.appendLiteral(String(rest))
        return q
    }

    /// Runs a statement.
    public func exec(_ sql: String, _ binds: [SQLValue] = []) async throws {
        if let sqlite {
            _ = try await sqlite.query(sql, binds.map { $0.sqliteData! })
        } else {
            let (db, q) = (self.db, Session.query(sql, binds))
            try await onPostgres { try await db.raw(q).run() }
        }
    }

    /// Runs a query and returns its rows.
    public func rows(_ sql: String, _ binds: [SQLValue] = []) async throws -> [any StoredRow] {
        // On SQLite rows are read straight from the driver: SQLKit's generic decoding costs more than
        // the query itself when a planning reads hundreds of columns.
        if let sqlite { return try await sqlite.query(sql, binds.map { $0.sqliteData! }) }
        let (db, q) = (self.db, Session.query(sql, binds))
        return try await onPostgres { try await db.raw(q).all() }.map { SQLKitRow(row: $0) }
    }

    /// Runs a query and returns its first row.
    public func row(_ sql: String, _ binds: [SQLValue] = []) async throws -> (any StoredRow)? {
        try await rows(sql, binds).first
    }

    /// Inserts many rows in as few statements as the engine allows; `suffix` is e.g. an ON CONFLICT clause.
    public func insertMany(_ table: String, columns: [String], rows: [[SQLValue]], suffix: String = "") async throws {
        guard !rows.isEmpty else { return }
        let perStatement = max(1, dialect.maxBinds / columns.count)
        let tuple = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + perStatement)
            let chunk = rows[start..<end]
            let sql = "INSERT INTO \(table) (\(columns.joined(separator: ","))) VALUES "
                + Array(repeating: tuple, count: chunk.count).joined(separator: ",") + " " + suffix
            if let sqlite {
                _ = try await sqlite.query(sql, chunk.flatMap { $0.map { $0.sqliteData! } })
            } else {
                try await exec(sql, chunk.flatMap { $0 })
            }
            start = end
        }
    }
}

/// A result row, read by column name: the one row interface the repositories use.
public protocol StoredRow {
    /// The text in `column`, or nil for NULL.
    func optString(_ column: String) throws -> String?
    /// The integer in `column`, or nil for NULL.
    func optInt(_ column: String) throws -> Int64?
}

extension StoredRow {
    func string(_ c: String) throws -> String {
        guard let v = try optString(c) else { throw StoreError.corrupt("column \(c) is NULL") }
        return v
    }
    func int(_ c: String) throws -> Int64 {
        guard let v = try optInt(c) else { throw StoreError.corrupt("column \(c) is NULL") }
        return v
    }
    func bool(_ c: String) throws -> Bool { try int(c) != 0 }
    func time(_ c: String) throws -> Date {
        let s = try string(c)
        guard let d = Timestamp.parse(s) else { throw StoreError.corrupt("column \(c): '\(s)' is not a timestamp") }
        return d
    }
    func optTime(_ c: String) throws -> Date? { try optString(c).flatMap(Timestamp.parse) }
    func date(_ c: String) throws -> LocalDate {
        let s = try string(c)
        guard let d = LocalDate.parse(s) else { throw StoreError.corrupt("column \(c): '\(s)' is not a date") }
        return d
    }
}

extension SQLiteRow: StoredRow {
    public func optString(_ c: String) throws -> String? {
        switch column(c) {
        case .text(let s): return s
        case .integer(let i): return String(i)
        case .null: return nil
        case nil: throw StoreError.corrupt("no column \(c)")
        default: throw StoreError.corrupt("column \(c) is not text")
        }
    }

    public func optInt(_ c: String) throws -> Int64? {
        switch column(c) {
        case .integer(let i): return Int64(i)
        case .text(let s): guard let i = Int64(s) else { throw StoreError.corrupt("column \(c) is not an integer") }; return i
        case .null: return nil
        case nil: throw StoreError.corrupt("no column \(c)")
        default: throw StoreError.corrupt("column \(c) is not an integer")
        }
    }
}

/// Rows of engines reached through SQLKit.
struct SQLKitRow: StoredRow {
    let row: any SQLRow
    func optString(_ c: String) throws -> String? { try row.decode(column: c, as: String?.self) }
    func optInt(_ c: String) throws -> Int64? { try row.decode(column: c, as: Int64?.self) }
}

// Binds reach SQLite without going through the generic Encoder machinery (a 1M-row import binds 13M values).
extension SQLValue: SQLiteDataConvertible {
    public init?(sqliteData: SQLiteData) {
        switch sqliteData {
        case .text(let s): self = .text(s)
        case .integer(let i): self = .int(Int64(i))
        case .null: self = .null
        default: return nil
        }
    }

    public var sqliteData: SQLiteData? {
        switch self {
        case .text(let s): return .text(s)
        case .int(let i): return .integer(Int(i))
        case .null: return .null
        }
    }
}

extension DatabaseURL {
    /// The connection settings of a `postgres://` URL (TLS off: loopback and private networks for now).
    var postgresConfiguration: PostgresConnection.Configuration {
        var c = PostgresConnection.Configuration(host: host ?? "127.0.0.1", port: port ?? 5432, username: user ?? "postgres",
                                                 password: password, database: database, tls: .disable)
        c.options.additionalStartupParameters = serverParameters
        return c
    }

    /// The pool settings of a `postgres://` URL.
    var postgresClientConfiguration: PostgresClient.Configuration {
        var c = PostgresClient.Configuration(host: host ?? "127.0.0.1", port: port ?? 5432, username: user ?? "postgres",
                                             password: password, database: database, tls: .disable)
        c.options.maximumConnections = poolSize
        c.options.connectTimeout = .seconds(5)
        c.options.additionalStartupParameters = serverParameters
        return c
    }

    // Sent with every connection: a runaway statement or a transaction left open by a frozen process
    // cannot hold locks for longer than this.
    private var serverParameters: [(String, String)] {
        [("statement_timeout", "\(statementTimeout)s"), ("idle_in_transaction_session_timeout", "\(statementTimeout)s"),
         ("application_name", "overdue")]
    }
}

extension Store {
    /// Creates database `name` on the PostgreSQL server of `adminURL` and returns its URL: used by
    /// the test suites (a fresh database per test) and by operators preparing a server.
    public static func createPostgresDatabase(adminURL: DatabaseURL, name: String, logger: Logger = Logger(label: "overdue.store")) async throws -> DatabaseURL {
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

/// A one-line account of `error` fit for a log or a job's `last_error`: PostgreSQL errors give the
/// server's message and SQLSTATE (never the statement's bound values), others their description.
public func describeStoreError(_ error: any Error) -> String {
    guard let e = error as? PSQLError else { return String(describing: error) }
    if let info = e.serverInfo {
        return "PostgreSQL: \(info[.message] ?? "error") (SQLSTATE \(info[.sqlState] ?? "?"))"
    }
    return "PostgreSQL \(e.code.description)" + (e.underlying.map { ": \($0)" } ?? "")
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
