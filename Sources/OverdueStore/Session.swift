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
        counter.add()
        if let sqlite {
            try sqlite.exec(sql, binds)
        } else {
            let (db, q) = (self.db!, Session.query(sql, binds))
            try await onPostgres { try await db.raw(q).run() }
        }
    }

    /// Runs a query and returns its rows.
    public func rows(_ sql: String, _ binds: [SQLValue] = []) async throws -> [any StoredRow] {
        // On SQLite rows are read straight from SQLite: SQLKit's generic decoding costs more than the
        // query itself when a planning reads hundreds of columns.
        counter.add()
        if let sqlite { return try sqlite.rows(sql, binds) }
        let (db, q) = (self.db!, Session.query(sql, binds))
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
            let sql =
                "INSERT INTO \(table) (\(columns.joined(separator: ","))) VALUES "
                + Array(repeating: tuple, count: chunk.count).joined(separator: ",") + " " + suffix
            try await exec(sql, chunk.flatMap { $0 })
            start = end
        }
    }
}
