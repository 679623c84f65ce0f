import Foundation
import OverdueCore
import PostgresNIO
import SQLKit

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

    /// Writes its JSON form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .text(let s): try c.encode(s)
        case .int(let i): try c.encode(i)
        case .null: try c.encodeNil()
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

/// Rows of engines reached through SQLKit.
struct PostgresStoredRow: StoredRow {
    let row: PostgresRandomAccessRow
    func optString(_ c: String) throws -> String? { try cell(c).decode(String?.self) }
    func optInt(_ c: String) throws -> Int64? { try cell(c).decode(Int64?.self) }

    private func cell(_ c: String) throws -> PostgresCell {
        guard row.contains(c) else { throw StoreError.corrupt("no column \(c) in a row read") }
        return row[c]
    }
}
