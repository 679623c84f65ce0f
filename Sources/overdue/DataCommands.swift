import ArgumentParser
import Foundation
import OverdueAgents
import OverdueCore
import OverdueUseCases

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Create or upgrade the database schema.")
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let database = try await global.withRuntime(tenant: try global.tenantID()) { $0.database }
        say("database \(database) is up to date")
    }
}

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import invoices, contacts or payments from a header-based CSV file.",
        discussion: """
            Columns may come in any order; names are case-insensitive. Bad rows are listed with file, line, column and
            reason and nothing is written (exit 2), unless --skip-invalid writes the good rows. Re-importing updates.
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "What the file holds: invoices, contacts or payments.") var kind: String
    @Argument(help: "The CSV file.") var file: String
    @Flag(name: .long, help: "Write the good rows and report the bad ones instead of writing nothing.") var skipInvalid = false
    @Flag(name: .long, help: "Print progress lines even when standard error is not a terminal.") var progress = false

    func run() async throws {
        guard let importKind = ImportKind(rawValue: kind.lowercased()) else {
            throw CLIError.badInput("cannot import '\(kind)': choose invoices, contacts or payments")
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
            throw CLIError.badInput("cannot read \(file): \((error as NSError).localizedDescription)")
        }
        let tenant = try global.tenantID()
        try await global.withRuntime(tenant: tenant) { runtime in try await importFile(data, useCases: runtime.useCases, tenant: tenant, kind: importKind) }
    }

    func importFile(_ data: Data, useCases: UseCases, tenant: String, kind importKind: ImportKind) async throws {
        let started = wallClock.now()
        let drawProgress = progress || stderrIsTerminal
        let name = (file as NSString).lastPathComponent
        do {
            var onProgress: Importer.Progress?
            if drawProgress {
                onProgress = { rows, read, total in
                    let pct = total > 0 ? read * 100 / total : 100
                    note("importing \(name): \(rows) rows read (\(pct)%)")
                }
            }
            let report = try await useCases.importCSV(tenant: tenant, data: data, file: file, kind: importKind, skipInvalid: skipInvalid, progress: onProgress)
            if !report.unknownColumns.isEmpty {
                note("warning: \(file): ignored unknown column(s): \(report.unknownColumns.joined(separator: ", "))")
            }
            for e in report.errors { note(e.description) }
            if !report.errors.isEmpty { note("skipped \(report.errors.count) bad row problem(s) (--skip-invalid)") }
            for n in report.movedInvoices { note("note: invoice \(n) moved to another debtor") }
            let seconds = wallClock.now().timeIntervalSince(started)
            say(
                "imported \(report.rowsWritten) \(importKind.rawValue) row(s) from \(file) (\(report.rowsRead) read, \(report.debtorsTouched) debtor(s) to re-plan)"
            )
            note(String(format: "took %.1f s", seconds))
        } catch let rejected as ImportRejected {
            for e in rejected.report.errors { note(e.description) }
            throw CLIError(
                message:
                    "error: \(rejected.report.errors.count) problem(s) in \(file); nothing was written (fix them, or use --skip-invalid to import the good rows)",
                code: 2)
        }
    }
}

struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Set or show the escalation policy.",
        subcommands: [Set.self, Show.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Validate and store a policy JSON file.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The policy file.") var file: String

        func run() async throws {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
                throw CLIError.badInput("cannot read \(file): \((error as NSError).localizedDescription)")
            }
            let policy: Policy
            do { policy = try Policy.parse(json: data) } catch {
                throw CLIError.badInput("\(file): " + error.description)
            }
            let tenant = try global.tenantID()
            try await global.withRuntime(tenant: tenant) { runtime in
                try await runtime.useCases.changePolicy(tenant: tenant, policy, by: cliActor, source: file)
            }
            say(
                "policy '\(policy.name)' set for tenant \(tenant): \(policy.stages.map { "\($0.channel.rawValue)×\($0.attempts)/\($0.delayDays)d" }.joined(separator: " → ")) → \(policy.onExhausted.rawValue)"
            )
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Print the policy in force as JSON.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let tenant = try global.tenantID()
            let policy = try await global.withRuntime(tenant: tenant) { try await $0.useCases.policy(tenant: tenant) }
            say(String(decoding: policy.jsonData(), as: UTF8.self))
        }
    }
}

/// Validates and stores one setting (nil resets it), then re-plans every case of the tenant.
/// Who the audit log names for a command-line change.
var cliActor: String { "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? "unknown") }

func changeSetting(_ global: GlobalOptions, key: String, to value: String?) async throws {
    let tenant = try global.tenantID()
    do {
        try await global.withRuntime(tenant: tenant) { runtime in
            try await runtime.useCases.changeSettings(tenant: tenant, [(key, value)], by: cliActor)
        }
    } catch let refused as UseCaseError {
        // Each message already names its key.
        throw CLIError.badInput(refused.problems.map(\.message).joined(separator: "; "))
    }
}

struct SettingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings", abstract: "Show or change the tenant's settings.",
        subcommands: [Show.self, Set.self, Unset.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Print every setting (secrets masked).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "jsonl or table.") var format: OutputFormat = .table

        func run() async throws {
            let tenant = try global.tenantID()
            let settings = try await global.withRuntime(tenant: tenant) { try await $0.useCases.settings(tenant: tenant) }
            let rows = settings.display()
            switch format {
            case .jsonl:
                let object = Dictionary(uniqueKeysWithValues: rows.map { ($0.key, $0.value) })
                say(Listing.jsonLine(object))
            case .table:
                say(
                    Listing.table(
                        header: ["KEY", "VALUE", "", "MEANING"],
                        rows: rows.map {
                            [$0.key, $0.value, $0.isDefault ? "(default)" : "", TenantSettings.definitions[$0.key]!.help]
                        }))
                say(
                    "\neffective windows: email \(settings.window(for: .email)), sms \(settings.window(for: .sms)), voice \(settings.window(for: .voice)) (contact's local time)"
                )
            }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Set KEY to VALUE (`-` reads it from standard input, or give --value-file: keeps secrets out of the process list and shell history).")
        @OptionGroup var global: GlobalOptions
        @Argument var key: String
        @Argument var value: String?
        @Option(help: "Read the value from this file (one line; a trailing line break is dropped).") var valueFile: String?

        func run() async throws {
            let value: String
            switch (self.value, valueFile) {
            case (let v?, nil) where v != "-": value = v
            case ("-", nil):
                guard let line = readLine(strippingNewline: true) else { throw CLIError.badInput("no value on standard input for \(key)") }
                value = line
            case (nil, let path?):
                guard let data = FileManager.default.contents(atPath: path) else { throw CLIError.badInput("--value-file \(path) cannot be read") }
                value = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
            default: throw CLIError.badInput("give the value for \(key) as an argument, as - (standard input) or with --value-file, once")
            }
            try await changeSetting(global, key: key, to: value)
            let secret = TenantSettings.definitions[key.lowercased()]?.secret ?? false
            say("\(key.lowercased()) = \(secret ? "********" : value)")
        }
    }

    struct Unset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "unset", abstract: "Reset KEY to its default.")
        @OptionGroup var global: GlobalOptions
        @Argument var key: String

        func run() async throws {
            try await changeSetting(global, key: key, to: nil)
            say("\(key.lowercased()) reset to its default")
        }
    }
}
