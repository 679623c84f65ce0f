import ArgumentParser
import Foundation
import OverdueAgents
import OverdueCore
import OverdueStore

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "The hash-chained audit log: list it, verify the chain.",
                                                    subcommands: [List.self, Verify.self])

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
            let entries = try await global.withStore(tenant: tenant) { store in try await store.read { try await $0.auditLog(tenant: tenant) } }
            switch format ?? .automatic {
            case .jsonl:
                for e in entries {
                    say(Listing.jsonLine(Line(id: e.id, at: Timestamp.format(e.at), actor: e.actor, action: e.action, object: e.object, outcome: e.outcome,
                                              ip: e.ip, detail: e.detail, hash: e.hash)))
                }
            case .table:
                say(entries.isEmpty ? "the audit log is empty" : Listing.table(header: ["ID", "AT (UTC)", "ACTOR", "ACTION", "OBJECT", "OUTCOME", "DETAIL"],
                                                                            rows: entries.map { [String($0.id), Timestamp.format($0.at), $0.actor, $0.action, $0.object ?? "",
                                                                                                 $0.outcome, $0.detail ?? ""] }))
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every entry's hash and its link to the one before; report the first broken link (exit 1).")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let tenant = try global.tenantID()
            let (broken, count) = try await global.withStore(tenant: tenant) { store in
                try await store.read { s in (try await s.brokenAuditLink(), try await s.auditLog().count) }
            }
            if let e = broken {
                note("error: the audit chain is broken at entry \(e.id) (\(Timestamp.format(e.at)), \(e.actor) \(e.action)): its hash or its link to entry \(e.id - 1) does not hold; entries from \(e.id) on cannot be trusted")
                throw ExitCode(1)
            }
            say("audit chain intact: \(count) entr\(count == 1 ? "y" : "ies")")
        }
    }
}
