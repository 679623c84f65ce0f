import Foundation
import PostgresNIO

/// Errors of the store, each naming what failed.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    /// The database URL cannot be read.
    case badURL(String)
    /// An option in the database URL is wrong.
    case badOption(String, String)
    /// The master key cannot be had: what is wrong with where it comes from.
    case masterKey(String)
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
    /// SQLite refused a statement (its result code and message).
    case sqlite(code: Int32, message: String)

    /// What it is, in words.
    public var description: String {
        switch self {
        case .badURL(let u):
            return
                "database URL '\(DatabaseURL.masked(u))' is not understood; use sqlite:///absolute/path.sqlite, sqlite://./relative.sqlite or postgres://user:pass@host:port/db"
        case .badOption(let u, let m): return "database URL '\(DatabaseURL.masked(u))': \(m)"
        case .masterKey(let m): return "master key: \(m)"
        case .unsupported(let m): return m
        case .migration(let id, let name, let m): return "migration \(id) (\(name)) failed: \(m)"
        case .tooNew(let a, let k): return "the database has migration \(a) applied but this Overdue knows only up to \(k): upgrade Overdue"
        case .notFound(let m): return m
        case .corrupt(let m): return "stored data could not be read: \(m)"
        case .clockBehind(let m): return m
        case .busy(let m): return m
        case .connectionLost: return "the connection to the database was lost (did the server restart?); retrying"
        case .sqlite(let code, let m): return "SQLite error \(code): \(m)"
        }
    }
}

/// Whether `error` says the database could not do the work now (connection lost, locked, the
/// server shutting down or out of resources, a serialisation failure) rather than that the work is
/// wrong: the same work may succeed when tried again.
public func isTransientStoreError(_ error: any Error) -> Bool {
    if let e = error as? StoreError {
        switch e {
        case .connectionLost, .busy: return true
        // SQLITE_BUSY and SQLITE_LOCKED, with or without an extended code.
        case .sqlite(let code, _): return code & 0xff == 5 || code & 0xff == 6
        default: return false
        }
    }
    guard let e = error as? PSQLError else { return false }
    guard let state = e.serverInfo?[.sqlState] else { return true }
    // Connection exceptions, insufficient resources, operator intervention, transaction rollbacks.
    return ["08", "53", "57", "40"].contains(String(state.prefix(2)))
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
