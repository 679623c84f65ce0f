import ArgumentParser
import Foundation
import OverdueAgents
import OverdueCore
import OverdueUseCases

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "The hash-chained audit log: list it, verify the chain.",
        subcommands: [List.self, Verify.self, Anchor.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tenant's audit entries, oldest first.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "jsonl or table (default: table on a terminal, else jsonl).") var format: OutputFormat?

        struct Line: Encodable {
            let id: Int64; let at: String; let actor: String; let action: String; let object: String?; let outcome: String; let ip: String?
            let detail: String?; let hash: String
        }

        func run() async throws {
            let tenant = try global.tenantID()
            let entries = try await global.withRuntime(tenant: tenant) { try await $0.useCases.auditLog(tenant: tenant) }
            switch format ?? .automatic {
            case .jsonl:
                for e in entries {
                    say(
                        Listing.jsonLine(
                            Line(
                                id: e.id, at: Timestamp.format(e.at), actor: e.actor, action: e.action, object: e.object, outcome: e.outcome,
                                ip: e.ip, detail: e.detail, hash: e.hash)))
                }
            case .table:
                say(
                    entries.isEmpty
                        ? "the audit log is empty"
                        : Listing.table(
                            header: ["ID", "AT (UTC)", "ACTOR", "ACTION", "OBJECT", "OUTCOME", "DETAIL"],
                            rows: entries.map {
                                [
                                    String($0.id), Timestamp.format($0.at), $0.actor, $0.action, $0.object ?? "",
                                    $0.outcome, $0.detail ?? "",
                                ]
                            }))
            }
        }
    }

    struct Anchor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the chain's head (ID:HASH): keep it outside the database, then `audit verify --anchor` it to detect truncation.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let tenant = try global.tenantID()
            guard let anchor = try await global.withRuntime(tenant: tenant, { try await $0.useCases.auditAnchor() }) else {
                throw CLIError.badInput("the audit log is empty: there is no head to anchor yet")
            }
            say(anchor)
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every entry's hash and its link to the one before; report the first broken link (exit 1).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "An anchor `audit anchor` printed earlier (ID:HASH): its entry must still be in the log, unchanged.") var anchor: String?

        func run() async throws {
            let tenant = try global.tenantID()
            let (broken, count, anchored) = try await global.withRuntime(tenant: tenant) { runtime in
                let (broken, count) = try await runtime.useCases.verifyAudit()
                var anchored: Bool?
                if let anchor { anchored = try await CLIError.presenting(["anchor": "--anchor"]) { try await runtime.useCases.auditAnchorHolds(anchor) } }
                return (broken, count, anchored)
            }
            if anchored == false {
                note(
                    "error: the anchored entry \(anchor!.prefix { $0 != ":" }) is no longer in the audit log as it was: the log was truncated or rewritten after the anchor was taken"
                )
                throw ExitCode(1)
            }
            if let e = broken {
                note(
                    "error: the audit chain is broken at entry \(e.id) (\(Timestamp.format(e.at)), \(e.actor) \(e.action)): its hash or its link to entry \(e.id - 1) does not hold; entries from \(e.id) on cannot be trusted"
                )
                throw ExitCode(1)
            }
            say("audit chain intact: \(count) entr\(count == 1 ? "y" : "ies")" + (anchored == true ? "; the anchor holds" : ""))
        }
    }
}

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "API keys: make one (shown once), list them, revoke one; replace the master key.",
        subcommands: [Create.self, List.self, Revoke.self, RotateMaster.self])

    struct RotateMaster: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-master",
            abstract: "Replace the master key: secrets sealed again and the audit chain hashed again under a new random key.",
            discussion: """
                The new key replaces the current key file (the old one is kept beside it as FILE.old-TIMESTAMP: keep it \
                while backups made with it may be restored, then delete it), or goes to --new-key-file when the key comes \
                from OVERDUE_MASTER_KEY. Stop every other process first: they hold the old key. An audit anchor kept \
                from before no longer matches; the new head is printed.
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "Write the new key to this new file (required when the key comes from OVERDUE_MASTER_KEY).") var newKeyFile: String?

        func run() async throws {
            let tenant = try global.tenantID()
            let file = newKeyFile
            let done = try await global.withRuntime(tenant: tenant) { runtime in
                try await CLIError.presenting(["new_key_file": "--new-key-file"]) { try await runtime.useCases.rotateMasterKey(newKeyFile: file) }
            }
            note(
                "master key replaced: \(done.secretsResealed) secret(s) sealed again, \(done.auditEntriesRekeyed) audit entries hashed again")
            note("new key: \(done.keyFile)" + (done.oldKeyFile.map { "; old key moved to \($0)" } ?? "; point OVERDUE_MASTER_KEY_FILE at it everywhere"))
            if let head = done.auditHead { say(head) }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make an API key for the tenant; it is printed once and stored only as a hash.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "owner, admin, manager, collector or viewer.") var role: String
        @Option(help: "A name for people (what uses the key).") var name: String = "api"
        @Option(help: "Days the key works (1–730).") var expiresInDays: Int = 365

        func run() async throws {
            guard let r = Role(rawValue: role.lowercased()) else {
                throw CLIError.badInput("--role '\(role)' must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let tenant = try global.tenantID()
            let (label, days) = (name, expiresInDays)
            let made = try await global.withRuntime(tenant: tenant) { runtime in
                try await CLIError.presenting(["expires_in_days": "--expires-in-days"]) {
                    try await runtime.useCases.createAPIKey(tenant: tenant, name: label, role: r, by: cliActor, grantor: nil, expiresInDays: days)
                }
            }
            let until = made.record.expiresAt.map { ", until \(Timestamp.format($0))" } ?? ""
            note("API key \(made.record.prefix) (\(r.rawValue), tenant \(tenant)\(until)) — shown this once; send it as Authorization: Bearer KEY")
            say(made.key)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tenant's keys (prefixes only).")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let tenant = try global.tenantID()
            let keys = try await global.withRuntime(tenant: tenant) { try await $0.useCases.apiKeys(tenant: tenant) }
            say(
                keys.isEmpty
                    ? "no API keys (make one: overdue keys create --role owner)"
                    : Listing.table(
                        header: ["PREFIX", "NAME", "ROLE", "CREATED (UTC)", "LAST USED", "REVOKED"],
                        rows: keys.map {
                            [
                                $0.prefix, $0.name, $0.role.rawValue, Timestamp.format($0.createdAt), $0.lastUsedAt.map(Timestamp.format) ?? "",
                                $0.revokedAt.map(Timestamp.format) ?? "",
                            ]
                        }))
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key: it stops working at once.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The key's prefix (od_…).") var prefix: String

        func run() async throws {
            let tenant = try global.tenantID()
            let p = prefix
            try await global.withRuntime(tenant: tenant) { runtime in
                try await CLIError.presenting(["prefix": "key"]) { try await runtime.useCases.revokeAPIKey(tenant: tenant, prefix: p, by: cliActor) }
            }
            say("\(p) revoked")
        }
    }
}
