import ArgumentParser
import Foundation
import Logging
import OverdueAgents
import OverdueCore
import OverdueUseCases

/// Options every command takes. Flags win over `OVERDUE_*` environment variables, which win over defaults.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Database URL: sqlite:///path/file.sqlite (default sqlite://./overdue.sqlite; env OVERDUE_DATABASE_URL).")
    var db: String?

    @Option(name: .long, help: "Tenant id (default 'default'; env OVERDUE_TENANT). Created on first use.")
    var tenant: String?

    @Option(name: .long, help: "Directory for stored documents (default ./overdue-documents; env OVERDUE_DOCUMENTS_DIR).")
    var documents: String?

    /// The document library in force.
    func documentLibrary() -> DocumentLibrary {
        documents.map { DocumentLibrary(directory: URL(fileURLWithPath: $0)) } ?? DocumentLibrary(directory: DocumentLibrary.defaultDirectory)
    }

    /// The database URL in force, as given.
    var databaseURL: String { db ?? ProcessInfo.processInfo.environment["OVERDUE_DATABASE_URL"] ?? Runtime.defaultDatabase }

    /// The tenant in force (`fallback` when neither flag nor environment names one).
    func tenantID(fallback: String = "default") throws -> String {
        let t = tenant ?? ProcessInfo.processInfo.environment["OVERDUE_TENANT"] ?? fallback
        guard !t.isEmpty, t.count <= 64, t.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw CLIError.badInput("--tenant '\(t)' must be 1–64 letters, digits, '-' or '_'")
        }
        return t
    }

    /// Builds this command's object graph (`Runtime`: the database opened and migrated, the
    /// channels — live, or recorded to `OVERDUE_SANDBOX_RECORD` — the documents directory, the
    /// process's clock), makes `tenant` on first use, runs `body`, and closes the database
    /// whatever happens. A malformed URL is bad input (exit 2); a database that will not open, a
    /// failure (exit 1).
    @discardableResult
    func withRuntime<T>(tenant: String, logger: Logger = Logger(label: "overdue"), _ body: (Runtime) async throws -> T) async throws -> T {
        let runtime: Runtime
        do {
            runtime = try await Runtime.open(
                database: databaseURL, clock: wallClock, documents: documentLibrary(), channels: try .fromEnvironment(), logger: logger)
        } catch {
            throw error.badInput ? CLIError.badInput(error.description) : CLIError.failure(error.description)
        }
        return try await runtime.closing { runtime in
            try await runtime.useCases.ensureTenant(tenant)
            return try await body(runtime)
        }
    }
}

/// Output formats of listing commands.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case jsonl, table

    /// Table on a terminal, JSON lines otherwise.
    static var automatic: OutputFormat { isatty(STDOUT_FILENO) != 0 ? .table : .jsonl }
}

/// Parses a CLI instant (ISO 8601, or a date meaning midnight UTC), naming the flag on error.
func parseInstant(_ text: String, flag: String) throws -> Date {
    guard let d = Timestamp.parse(text) else {
        throw CLIError.badInput("\(flag) '\(text)' is not an ISO 8601 time (e.g. 2026-01-05T14:00:00Z or 2026-01-05)")
    }
    return d
}

/// Writes a line to standard output, control characters a debtor may have sent shown as `�`
/// (`TerminalText`). When the reader has gone (`overdue outbox | head`) the command ends quietly, as
/// Unix tools do; any other write failure (a full disk) is an error.
func say(_ text: String) {
    do {
        try FileHandle.standardOutput.write(contentsOf: Data((TerminalText.safe(text) + "\n").utf8))
    } catch {
        if ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError)?.code == Int(EPIPE) { exit(0) }
        note("error: cannot write to standard output: \(error.localizedDescription)")
        exit(1)
    }
}

/// Writes a line to standard error.
func note(_ text: String) {
    try? FileHandle.standardError.write(contentsOf: Data((text + "\n").utf8))
}

/// Whether standard error is a terminal (progress lines are drawn only there, or when forced).
var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }
