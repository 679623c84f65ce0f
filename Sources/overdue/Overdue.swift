import ArgumentParser
import Foundation
import Logging
import OverdueCore
import OverdueServer
import OverdueUseCases

/// The `overdue` command line: parse, build, run, shut down. Decisions live in the libraries.
@main
struct Main {
    static func main() async {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = ProcessInfo.processInfo.environment["OVERDUE_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
            return RedactingLogHandler(handler)
        }
        do {
            var command = try OverdueCommand.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            FileHandle.standardError.write(Data((error.message + "\n").utf8))
            exit(error.code)
        } catch {
            let code = OverdueCommand.exitCode(for: error)
            if code == .validationFailure {
                // Usage errors exit 2, as the CLI contract says (ArgumentParser's default is 64).
                FileHandle.standardError.write(Data((OverdueCommand.fullMessage(for: error) + "\n").utf8))
                exit(2)
            }
            OverdueCommand.exit(withError: error)
        }
    }
}

/// The clock of this process: every command takes "now" from it (a command with `--at` replays
/// another instant instead).
let wallClock: any Clock = SystemClock()

/// An error the user sees, with its exit code: 2 for usage or bad input, 1 for failures.
struct CLIError: Error {
    let message: String
    let code: Int32

    static func badInput(_ m: String) -> CLIError { CLIError(message: "error: " + m, code: 2) }
    static func failure(_ m: String) -> CLIError { CLIError(message: "error: " + m, code: 1) }

    /// Runs a use case and presents its refusal as bad input, naming each field by the command's
    /// flag (`flags` maps the use case's field names to them).
    @discardableResult
    static func presenting<T>(_ flags: [String: String], _ body: () async throws -> T) async throws -> T {
        try await presenting(body) { "\(flags[$0.field] ?? $0.field): \($0.message)" }
    }

    /// Runs a use case and presents its refusal as bad input, each problem as `say` words it (by
    /// default its message alone: the command's own words already name what it is about).
    @discardableResult
    static func presenting<T>(_ body: () async throws -> T, saying say: (UseCaseError.Problem) -> String = { $0.message }) async throws -> T {
        do {
            return try await body()
        } catch let refused as UseCaseError {
            throw badInput(refused.problems.map(say).joined(separator: "; "))
        }
    }
}

struct OverdueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overdue",
        abstract: "Agentic payment collection for freight invoices: one coordinated escalation per debtor over email, SMS and phone.",
        version: Overdue.version,
        subcommands: [
            DemoCommand.self, ServeCommand.self, WorkerCommand.self, MigrateCommand.self, ImportCommand.self, PolicyCommand.self,
            RunCommand.self, ReplyCommand.self, CallCommand.self, AuditCommand.self, KeysCommand.self, UsersCommand.self, InboxCommand.self,
            ResolveCommand.self, ApproveCommand.self, DiscardCommand.self, TakeoverCommand.self, HandbackCommand.self,
            HoldCommand.self, OptOutCommand.self, DocsCommand.self, DisputesCommand.self, TemplatesCommand.self, MailCommand.self, OutboxCommand.self,
            CasesCommand.self, SettingsCommand.self, NLUCommand.self, EvalCommand.self, ContactsCommand.self,
        ])
}
