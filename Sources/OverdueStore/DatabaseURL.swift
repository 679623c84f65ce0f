import Foundation
import PostgresNIO

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

extension DatabaseURL {
    /// The connection settings of a `postgres://` URL (TLS off: loopback and private networks for now).
    var postgresConfiguration: PostgresConnection.Configuration {
        var c = PostgresConnection.Configuration(
            host: host ?? "127.0.0.1", port: port ?? 5432, username: user ?? "postgres",
            password: password, database: database, tls: .disable)
        c.options.additionalStartupParameters = serverParameters
        return c
    }

    /// The pool settings of a `postgres://` URL.
    var postgresClientConfiguration: PostgresClient.Configuration {
        var c = PostgresClient.Configuration(
            host: host ?? "127.0.0.1", port: port ?? 5432, username: user ?? "postgres",
            password: password, database: database, tls: .disable)
        c.options.maximumConnections = poolSize
        c.options.connectTimeout = .seconds(5)
        c.options.additionalStartupParameters = serverParameters
        return c
    }

    // Sent with every connection: a runaway statement or a transaction left open by a frozen process
    // cannot hold locks for longer than this.
    private var serverParameters: [(String, String)] {
        [
            ("statement_timeout", "\(statementTimeout)s"), ("idle_in_transaction_session_timeout", "\(statementTimeout)s"),
            ("application_name", "overdue"),
        ]
    }
}
