// SQLite driven through its C interface on the caller's thread, with prepared statements kept.
//
// A planning issues about fourteen short statements. Through SQLiteNIO each one was prepared anew
// and ran on a thread pool, so each cost two thread switches and a parse: together more than the
// statements themselves. Here a statement runs where it is called, under a lock, and its prepared
// form is reused. SQLite's own write lock is still taken at BEGIN IMMEDIATE; waiting for it (another
// process writing) happens in `begin`, which sleeps between tries instead of blocking a thread.
import Foundation
import NIOConcurrencyHelpers
import VaporCSQLite

/// One SQLite connection with a cache of prepared statements; safe to share (statements take a lock).
final class SQLiteDB: @unchecked Sendable {
    private let lock = NIOLock()
    private var handle: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]
    private var columnMaps: [OpaquePointer: SQLiteColumns] = [:]
    /// Prepared statements kept; beyond this the cache is emptied (a process issues far fewer kinds).
    private static let cacheLimit = 512
    private static let initialised: Void = { _ = sqlite_nio_sqlite3_initialize() }()
    /// How long a statement waits for another process's lock before it fails (`begin` waits asleep).
    static let busyTimeoutMilliseconds: Int32 = 10_000

    /// Opens (creating) the database file, or a private in-memory database when `path` is nil.
    init(path: String?) throws {
        _ = SQLiteDB.initialised
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let rc = sqlite_nio_sqlite3_open_v2(path ?? ":memory:", &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite_nio_sqlite3_close_v2(db) }
            throw StoreError.sqlite(code: rc, message: "cannot open \(path ?? ":memory:"): \(message)")
        }
        handle = db
        sqlite_nio_sqlite3_busy_timeout(db, SQLiteDB.busyTimeoutMilliseconds)
    }

    deinit { closeLocked() }

    /// Finalises every kept statement and closes the connection.
    func close() { lock.withLock { closeLocked() } }

    private func closeLocked() {
        for statement in statements.values { sqlite_nio_sqlite3_finalize(statement) }
        statements.removeAll()
        columnMaps.removeAll()
        if let handle { sqlite_nio_sqlite3_close_v2(handle) }
        handle = nil
    }

    /// Runs `body` with `sql` prepared (or taken from the cache) and `binds` bound, under the lock;
    /// the statement is reset for its next use afterwards.
    private func withStatement<T>(_ sql: String, _ binds: [SQLValue], _ body: (OpaquePointer, SQLiteColumns) throws -> T) throws -> T {
        try lock.withLock {
            let (statement, columns) = try prepared(sql)
            defer {
                sqlite_nio_sqlite3_reset(statement)
                sqlite_nio_sqlite3_clear_bindings(statement)
            }
            try bind(binds, to: statement, sql: sql)
            return try body(statement, columns)
        }
    }

    /// Runs one statement and returns its rows.
    func rows(_ sql: String, _ binds: [SQLValue]) throws -> [SQLiteResultRow] {
        try withStatement(sql, binds) { statement, columns in
            var result: [SQLiteResultRow] = []
            while true {
                let rc = sqlite_nio_sqlite3_step(statement)
                if rc == SQLITE_DONE { return result }
                guard rc == SQLITE_ROW else { throw error(rc, sql) }
                var values: [SQLiteValue] = []
                values.reserveCapacity(columns.names.count)
                for i in 0..<Int32(columns.names.count) { values.append(SQLiteDB.value(statement, i)) }
                result.append(SQLiteResultRow(columns: columns, values: values))
            }
        }
    }

    /// Runs one statement, discarding any rows.
    func exec(_ sql: String, _ binds: [SQLValue] = []) throws {
        try withStatement(sql, binds) { statement, _ in
            var rc = sqlite_nio_sqlite3_step(statement)
            while rc == SQLITE_ROW { rc = sqlite_nio_sqlite3_step(statement) }
            guard rc == SQLITE_DONE else { throw error(rc, sql) }
        }
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE`). While another process holds the write lock the
    /// task sleeps between tries, up to the busy timeout, so no thread is held waiting.
    func begin() async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(SQLiteDB.busyTimeoutMilliseconds))
        var pause = Duration.milliseconds(1)
        while true {
            let rc: Int32 = lock.withLock {
                guard let handle else { return SQLITE_MISUSE }
                sqlite_nio_sqlite3_busy_timeout(handle, 0)
                defer { sqlite_nio_sqlite3_busy_timeout(handle, SQLiteDB.busyTimeoutMilliseconds) }
                return sqlite_nio_sqlite3_exec(handle, "BEGIN IMMEDIATE", nil, nil, nil)
            }
            if rc == SQLITE_OK { return }
            guard rc & 0xff == SQLITE_BUSY, ContinuousClock.now < deadline else {
                throw lock.withLock { error(rc, "BEGIN IMMEDIATE") }
            }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(50))
        }
    }

    private func prepared(_ sql: String) throws -> (OpaquePointer, SQLiteColumns) {
        if let statement = statements[sql], let columns = columnMaps[statement] { return (statement, columns) }
        guard let handle else { throw StoreError.connectionLost }
        var statement: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let rc = sql.withCString { text in
            let rc = sqlite_nio_sqlite3_prepare_v3(handle, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, &tail)
            // Only the first statement would run: more in one string is a caller's mistake, said now.
            if rc == SQLITE_OK, let tail, String(cString: tail).contains(where: { !$0.isWhitespace && $0 != ";" }) {
                return SQLITE_MISUSE
            }
            return rc
        }
        guard rc == SQLITE_OK, let statement else {
            if let statement { sqlite_nio_sqlite3_finalize(statement) }
            if rc == SQLITE_MISUSE { throw StoreError.sqlite(code: rc, message: "more than one statement in: \(sql)") }
            throw error(rc, sql)
        }
        if statements.count >= SQLiteDB.cacheLimit {
            for old in statements.values { sqlite_nio_sqlite3_finalize(old) }
            statements.removeAll()
            columnMaps.removeAll()
        }
        let count = sqlite_nio_sqlite3_column_count(statement)
        let names = (0..<count).map { String(cString: sqlite_nio_sqlite3_column_name(statement, $0)) }
        let columns = SQLiteColumns(names: names)
        statements[sql] = statement
        columnMaps[statement] = columns
        return (statement, columns)
    }

    private func bind(_ binds: [SQLValue], to statement: OpaquePointer, sql: String) throws {
        let expected = Int(sqlite_nio_sqlite3_bind_parameter_count(statement))
        guard expected == binds.count else {
            throw StoreError.sqlite(code: SQLITE_RANGE, message: "\(binds.count) values for \(expected) placeholders in: \(sql)")
        }
        for (i, value) in binds.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch value {
            case .int(let n): rc = sqlite_nio_sqlite3_bind_int64(statement, index, n)
            case .null: rc = sqlite_nio_sqlite3_bind_null(statement, index)
            case .text(let s) where s.utf8.isEmpty:
                // A null pointer would bind NULL: an empty text gets a real (empty) C string.
                rc = sqlite_nio_sqlite3_bind_text(statement, index, "", 0, SQLiteDB.transient)
            case .text(let s):
                var s = s
                rc = s.withUTF8 { bytes in
                    bytes.withMemoryRebound(to: CChar.self) {
                        sqlite_nio_sqlite3_bind_text64(statement, index, $0.baseAddress, UInt64($0.count), SQLiteDB.transient, UInt8(SQLITE_UTF8))
                    }
                }
            }
            guard rc == SQLITE_OK else { throw error(rc, sql) }
        }
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static func value(_ statement: OpaquePointer, _ i: Int32) -> SQLiteValue {
        switch sqlite_nio_sqlite3_column_type(statement, i) {
        case SQLITE_INTEGER: return .int(sqlite_nio_sqlite3_column_int64(statement, i))
        case SQLITE_NULL: return .null
        case SQLITE_FLOAT: return .real(sqlite_nio_sqlite3_column_double(statement, i))
        default:
            // Text and blobs alike are read as UTF-8 text: the schema stores no blobs.
            guard let text = sqlite_nio_sqlite3_column_text(statement, i) else { return .null }
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, i))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        }
    }

    private func error(_ rc: Int32, _ sql: String) -> StoreError {
        let message = handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "connection closed"
        let short = sql.count > 200 ? String(sql.prefix(200)) + "…" : sql
        return StoreError.sqlite(code: rc, message: "\(message) (in: \(short))")
    }
}

/// A column value as SQLite returned it.
enum SQLiteValue: Sendable {
    case int(Int64)
    case real(Double)
    case text(String)
    case null
}

/// The column names of a statement, looked up by name; shared by all its rows.
final class SQLiteColumns: Sendable {
    let names: [String]
    let index: [String: Int]
    init(names: [String]) {
        self.names = names
        var index: [String: Int] = [:]
        // The first of two same-named columns wins, as in a `SELECT a.id, b.id` read by name.
        for (i, name) in names.enumerated() where index[name] == nil { index[name] = i }
        self.index = index
    }
}

/// A row read from SQLite.
struct SQLiteResultRow: StoredRow {
    let columns: SQLiteColumns
    let values: [SQLiteValue]

    private func value(_ c: String) throws -> SQLiteValue {
        guard let i = columns.index[c] else { throw StoreError.corrupt("no column \(c)") }
        return values[i]
    }

    /// A text column that may be NULL.
    func optString(_ c: String) throws -> String? {
        switch try value(c) {
        case .text(let s): return s
        case .int(let i): return String(i)
        case .null: return nil
        case .real: throw StoreError.corrupt("column \(c) is not text")
        }
    }

    /// An integer column that may be NULL.
    func optInt(_ c: String) throws -> Int64? {
        switch try value(c) {
        case .int(let i): return i
        case .text(let s):
            guard let i = Int64(s) else { throw StoreError.corrupt("column \(c) is not an integer") }
            return i
        case .null: return nil
        case .real(let d):
            guard let i = Int64(exactly: d) else { throw StoreError.corrupt("column \(c) is not an integer") }
            return i
        }
    }
}
