import Crypto
import Foundation
import Logging
import OverdueCore
import PostgresKit
import PostgresNIO
import SQLKit

/// A handle on the database inside `Store.read` or `Store.write`: the repositories hang off it.
public struct Session: Sendable {
    let db: (any SQLDatabase)?
    /// The dialect.
    public let dialect: Dialect
    /// The SQLite connection (nil on other engines); statements run on it directly.
    let sqlite: SQLiteDB?
    /// The PostgreSQL connection in use, checked before every statement: one sent on a connection the
    /// server has closed would never be answered.
    let postgres: PostgresConnection?

    /// Seconds after which the server cancels a statement.
    let postgresStatementTimeout: Int

    /// The store's clock (see `Store.clock`).
    let clock: any Clock
    /// The audit chain's HMAC key (derived from the master key).
    let auditKey: SymmetricKey
    /// The key secrets are sealed with at rest (derived from the master key).
    let secretsKey: SymmetricKey
    let counter: StatementCounter
    /// What this transaction changed that caches must learn on commit (nil outside a transaction).
    let notes: TransactionNotes?
    /// The store's rules cache (a change outside a transaction is forgotten at once).
    let rulesCache: RulesCache?

    init(
        db: (any SQLDatabase)?, dialect: Dialect, sqlite: SQLiteDB?, postgres: PostgresConnection? = nil, statementTimeout: Int = 60,
        clock: any Clock, auditKey: SymmetricKey, secretsKey: SymmetricKey, counter: StatementCounter, notes: TransactionNotes? = nil,
        rulesCache: RulesCache? = nil
    ) {
        self.auditKey = auditKey
        self.secretsKey = secretsKey
        self.notes = notes
        self.rulesCache = rulesCache
        self.clock = clock
        self.counter = counter
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
    /// A PostgreSQL query from SQL with `?` placeholders (numbered `$1`, `$2`… as PostgreSQL
    /// wants them) and its binds, bound as PostgreSQL's own text, bigint and NULL: statements go to
    /// PostgresNIO directly, without SQLKit's serialising and Codable encoding of every bind.
    static func postgresQuery(_ sql: String, _ binds: [SQLValue]) -> PostgresQuery {
        var text = ""
        text.reserveCapacity(sql.utf8.count + 2 * binds.count)
        var bindings = PostgresBindings(capacity: binds.count)
        var rest = Substring(sql)
        var i = 0
        while let mark = rest.firstIndex(of: "?") {
            text += rest[..<mark]
            precondition(i < binds.count, "fewer binds than placeholders in: \(sql)")
            switch binds[i] {
            case .text(let s): bindings.append(s)
            case .int(let n): bindings.append(n)
            case .null: bindings.appendNull()
            }
            i += 1
            text += "$\(i)"
            rest = rest[rest.index(after: mark)...]
        }
        precondition(i == binds.count, "more binds than placeholders in: \(sql)")
        text += rest
        return PostgresQuery(unsafeSQL: text, binds: bindings)
    }

    static let postgresLogger = Logger(label: "overdue.store.postgres")

    /// Runs a statement.
    public func exec(_ sql: String, _ binds: [SQLValue] = []) async throws {
        counter.add()
        if let sqlite {
            try sqlite.exec(sql, binds)
        } else {
            let (conn, q) = (self.postgres!, Session.postgresQuery(sql, binds))
            try await onPostgres { _ = try await conn.query(q, logger: Session.postgresLogger).collect() }
        }
    }

    /// Runs a query and returns its rows.
    public func rows(_ sql: String, _ binds: [SQLValue] = []) async throws -> [any StoredRow] {
        // Rows are read straight from the driver on both engines: SQLKit's generic decoding costs
        // more than the query itself when a planning reads hundreds of columns.
        counter.add()
        if let sqlite { return try sqlite.rows(sql, binds) }
        let (conn, q) = (self.postgres!, Session.postgresQuery(sql, binds))
        return try await onPostgres { try await conn.query(q, logger: Session.postgresLogger).collect() }.map { PostgresStoredRow(row: $0.makeRandomAccess()) }
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
            let sql =
                "INSERT INTO \(table) (\(columns.joined(separator: ","))) VALUES "
                + Array(repeating: tuple, count: chunk.count).joined(separator: ",") + " " + suffix
            try await exec(sql, chunk.flatMap { $0 })
            start = end
        }
    }
}
