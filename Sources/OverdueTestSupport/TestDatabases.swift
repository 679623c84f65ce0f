/// OverdueTestSupport — helpers the test suites share: a fresh database per test on every engine
/// that runs here. Never linked into the product.
import Foundation
import OverdueStore

/// The engines a store test runs on, and fresh databases for them.
public enum TestDatabases {
    /// `OVERDUE_TEST_POSTGRES_URL`: an admin URL of a throwaway PostgreSQL server (set by scripts/test.sh).
    public static var postgresAdminURL: String? { ProcessInfo.processInfo.environment["OVERDUE_TEST_POSTGRES_URL"] }

    /// Whether this run is CI, where PostgreSQL must be there.
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty && $0 != "false" } ?? false }

    /// The engines to test: SQLite always, PostgreSQL when a server is available.
    public static var engines: [DatabaseURL.Engine] { postgresAdminURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    /// A URL of a new, empty database on `engine`.
    public static func freshURL(_ engine: DatabaseURL.Engine) async throws -> DatabaseURL {
        let name = "overdue_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        switch engine {
        case .sqlite:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent(String(name))
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            return try DatabaseURL("sqlite://" + dir.appendingPathComponent("t.sqlite").path)
        case .postgres:
            guard let admin = postgresAdminURL else { throw StoreError.unsupported("OVERDUE_TEST_POSTGRES_URL is not set") }
            return try await Store.createPostgresDatabase(adminURL: try DatabaseURL(admin), name: String(name))
        }
    }

    /// Opens a fresh store on `engine`, runs `body`, closes the store whatever happens.
    public static func withStore<T>(_ engine: DatabaseURL.Engine, _ body: (Store) async throws -> T) async throws -> T {
        try await Store.using(try await freshURL(engine), body)
    }
}
