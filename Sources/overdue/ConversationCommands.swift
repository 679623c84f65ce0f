import ArgumentParser
import Foundation
import OverdueAgents
import OverdueCore
import OverdueUseCases

struct InboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbox", abstract: "What needs a person: handoffs, flags, drafts to approve, unmatched messages.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "jsonl or table (default: table on a terminal, else jsonl).") var format: OutputFormat?
    @Flag(help: "Include resolved items.") var all = false
    @Option(help: "Only this debtor.") var debtor: String?

    func run() async throws {
        let tenant = try global.tenantID()
        let (everything, d) = (all, debtor)
        let items = try await global.withRuntime(tenant: tenant) { try await $0.useCases.inbox(tenant: tenant, includeResolved: everything, debtor: d) }
        switch format ?? .automatic {
        case .jsonl: for i in items { say(Listing.jsonLine(InboxLine(i))) }
        case .table: say(items.isEmpty ? "inbox is empty" : Listing.inboxTable(items))
        }
    }
}

struct ResolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resolve", abstract: "Mark an inbox item dealt with.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The inbox item id (see `overdue inbox`).") var id: Int64
    @Option(help: "What was done (default: resolved by --by).") var note: String?
    @Option(help: "Who dealt with it.") var by: String = ProcessInfo.processInfo.environment["USER"] ?? "a person"

    func run() async throws {
        let tenant = try global.tenantID()
        let (i, n, who) = (id, note, by)
        try await global.withRuntime(tenant: tenant) { runtime in
            try await CLIError.presenting(["id": "inbox item"]) { try await runtime.useCases.resolveInboxItem(tenant: tenant, id: i, note: n, by: who) }
        }
        say("inbox item \(id) resolved")
    }
}

struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "approve", abstract: "Send a drafted answer now (autonomy review or suggest).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The draft's message id (see `overdue inbox`).") var messageID: String
    @Option(help: "When it is approved (ISO 8601; default now).") var at: String?

    func run() async throws {
        let tenant = try global.tenantID()
        let when = try at.map { try parseInstant($0, flag: "--at") }
        let id = messageID
        let sent = try await global.withRuntime(tenant: tenant) { runtime in
            try await CLIError.presenting(["id": "message '\(id)'"]) {
                try await runtime.useCases.approveDraft(tenant: tenant, messageID: id, at: when)
            }
        }
        say("\(sent.id): \(sent.kind) by \(sent.channel.rawValue) to \(sent.to ?? "?") — \(sent.status.rawValue)")
        if sent.status == .failed { throw CLIError.failure("sending failed: \(sent.error ?? "unknown error")") }
    }
}

struct DiscardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "discard", abstract: "Throw a drafted answer away.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The draft's message id.") var messageID: String

    func run() async throws {
        let tenant = try global.tenantID()
        let id = messageID
        try await global.withRuntime(tenant: tenant) { runtime in
            try await CLIError.presenting(["id": "message '\(id)'"]) {
                try await runtime.useCases.discardDraft(tenant: tenant, messageID: id)
            }
        }
        say("\(id) discarded")
    }
}

struct TakeoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "takeover", abstract: "A person takes a case: nothing automatic is sent until `overdue handback`.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The debtor id of the case.") var debtor: String
    @Option(help: "Who takes it (shown in the reasons).") var by: String = ProcessInfo.processInfo.environment["USER"] ?? "a person"
    @Option(help: "When (ISO 8601; default now).") var at: String?

    func run() async throws {
        let tenant = try global.tenantID()
        let when = try at.map { try parseInstant($0, flag: "--at") }
        let (d, who) = (debtor, by)
        try await global.withRuntime(tenant: tenant) { runtime in
            try await CLIError.presenting(["debtor": "debtor"]) { try await runtime.useCases.takeOver(tenant: tenant, debtor: d, by: who, at: when) }
        }
        say("case \(debtor) taken over by \(by): no automatic contact until handed back")
    }
}

struct HandbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "handback", abstract: "Hand a case back to automation: the ladder resumes where it was.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The debtor id of the case.") var debtor: String
    @Option(help: "Who hands it back.") var by: String = ProcessInfo.processInfo.environment["USER"] ?? "a person"
    @Option(help: "When (ISO 8601; default now).") var at: String?

    func run() async throws {
        let tenant = try global.tenantID()
        let when = try at.map { try parseInstant($0, flag: "--at") }
        let (d, who) = (debtor, by)
        try await global.withRuntime(tenant: tenant) { runtime in
            try await CLIError.presenting(["debtor": "debtor"]) { try await runtime.useCases.handBack(tenant: tenant, debtor: d, by: who, at: when) }
        }
        say("case \(debtor) handed back: automation resumes")
    }
}

struct DocsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "docs", abstract: "Documents per invoice (POD, BOL, rate confirmation, invoice PDF).",
        subcommands: [Add.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Store a file as an invoice's document.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Invoice number.") var invoice: String
        @Argument(help: "The file.") var file: String
        @Option(help: "invoice, pod, bol, rate_confirmation, w9 or statement.") var kind: String

        func run() async throws {
            guard let k = DocumentKind(rawValue: kind.lowercased()) else {
                throw CLIError.badInput("--kind '\(kind)' must be one of \(DocumentKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let tenant = try global.tenantID()
            let inv = invoice
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
                throw CLIError.badInput("\(file): cannot read the file (\(error.localizedDescription))")
            }
            guard !data.isEmpty else { throw CLIError.badInput("\(file): the file is empty") }
            let name = (file as NSString).lastPathComponent
            let doc = try await global.withRuntime(tenant: tenant) { runtime in
                try await CLIError.presenting({ try await runtime.useCases.addDocument(tenant: tenant, invoice: inv, data: data, filename: name, kind: k) }) {
                    $0.field == "invoice" ? "invoice '\(inv)': no such invoice in tenant \(tenant)" : $0.message
                }
            }
            say(
                "stored \(doc.ref.kind.label) \(doc.ref.filename) for invoice \(doc.ref.invoiceNumber) (\(doc.ref.size) bytes, sha256 \(doc.ref.sha256.prefix(12))…) as \(doc.ref.id)"
            )
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List stored documents.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this debtor.") var debtor: String?

        func run() async throws {
            let tenant = try global.tenantID()
            let d = debtor
            let docs = try await global.withRuntime(tenant: tenant) { try await $0.useCases.documents(tenant: tenant, debtor: d) }
            say(
                Listing.table(
                    header: ["ID", "INVOICE", "KIND", "FILE", "BYTES", "DEBTOR"],
                    rows: docs.map { [$0.ref.id, $0.ref.invoiceNumber, $0.ref.kind.rawValue, $0.ref.filename, String($0.ref.size), $0.debtorID] }))
        }
    }
}

struct DisputesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disputes", abstract: "Disputes per invoice.", subcommands: [List.self, Resolve.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List disputes (open ones unless --all).")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Include resolved disputes.") var all = false

        func run() async throws {
            let tenant = try global.tenantID()
            let openOnly = !all
            let rows = try await global.withRuntime(tenant: tenant) { try await $0.useCases.disputes(tenant: tenant, openOnly: openOnly) }
            say(
                Listing.table(
                    header: ["ID", "INVOICE", "REASON", "OPENED (UTC)", "STATUS", "RESOLUTION"],
                    rows: rows.map { [$0.id, $0.invoiceNumber, $0.reason.rawValue, Timestamp.format($0.openedAt), $0.status.rawValue, $0.resolution ?? ""] }))
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Resolve a dispute: the invoice is chased again (or settle it with a payment or credit first).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The dispute id.") var id: String
        @Option(help: "How it was settled.") var note: String
        @Option(help: "Who settled it (shown in the reasons).") var by: String = ProcessInfo.processInfo.environment["USER"] ?? "a person"

        func run() async throws {
            let tenant = try global.tenantID()
            let (d, n, who) = (id, note, by)
            try await global.withRuntime(tenant: tenant) { runtime in
                try await CLIError.presenting(["dispute": "dispute '\(d)'", "resolution": "--note"]) {
                    try await runtime.useCases.resolveDispute(tenant: tenant, id: d, resolution: n, by: who)
                }
            }
            say("dispute \(id) resolved")
        }
    }
}

struct TemplatesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "templates", abstract: "Message templates (Mustache) per kind and channel, with tenant overrides.",
        subcommands: [List.self, Show.self, Set.self, Reset.self, Preview.self])

    static func channel(_ text: String) throws -> Channel {
        guard let c = Channel(rawValue: text.lowercased()) else { throw CLIError.badInput("--channel '\(text)' must be email, sms or voice") }
        return c
    }

    static func checkName(_ name: String) throws {
        guard TemplateComposer.templateNames.contains(name) else {
            throw CLIError.badInput("'\(name)' is not a template; templates: \(TemplateComposer.templateNames.joined(separator: ", "))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every template and whether the tenant overrides it.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let tenant = try global.tenantID()
            let entries = try await global.withRuntime(tenant: tenant) { try await $0.useCases.templates(tenant: tenant) }
            let rows = entries.map { [$0.name, $0.channel.rawValue, $0.overridden ? "tenant" : "built-in"] }
            say(Listing.table(header: ["TEMPLATE", "CHANNEL", "SOURCE"], rows: rows))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a template's source.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Template name.") var name: String
        @Option(help: "email, sms or voice.") var channel: String

        func run() async throws {
            try TemplatesCommand.checkName(name)
            let ch = try TemplatesCommand.channel(channel)
            let tenant = try global.tenantID()
            let n = name
            guard let (t, _) = try await global.withRuntime(tenant: tenant, { try await $0.useCases.template(tenant: tenant, name: n, channel: ch) }) else {
                throw CLIError.badInput("\(name) has no \(ch.rawValue) template")
            }
            if let subject = t.subject { say("subject: \(subject)\n") }
            say(t.body)
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Override a template for this tenant from a file (Mustache).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Template name.") var name: String
        @Argument(help: "File with the body template.") var file: String
        @Option(help: "email, sms or voice.") var channel: String
        @Option(help: "Email subject template.") var subject: String?

        func run() async throws {
            try TemplatesCommand.checkName(name)
            let ch = try TemplatesCommand.channel(channel)
            guard let body = try? String(contentsOfFile: file, encoding: .utf8) else { throw CLIError.badInput("\(file): cannot read the file as UTF-8 text") }
            let tenant = try global.tenantID()
            let (n, s, f) = (name, subject, file)
            try await global.withRuntime(tenant: tenant) { runtime in
                try await CLIError.presenting(["body": f, "subject": "--subject", "name": "name"]) {
                    try await runtime.useCases.setTemplate(tenant: tenant, name: n, channel: ch, subject: s, body: body)
                }
            }
            say("template \(name) (\(ch.rawValue)) set for tenant \(tenant)")
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Drop the tenant's override: the built-in template applies again.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Template name.") var name: String
        @Option(help: "email, sms or voice.") var channel: String

        func run() async throws {
            try TemplatesCommand.checkName(name)
            let ch = try TemplatesCommand.channel(channel)
            let tenant = try global.tenantID()
            let n = name
            let existed = try await global.withRuntime(tenant: tenant) { runtime in
                try await CLIError.presenting(["name": "name"]) { try await runtime.useCases.resetTemplate(tenant: tenant, name: n, channel: ch) }
            }
            say(existed ? "template \(name) (\(ch.rawValue)) reset to the built-in one" : "template \(name) (\(ch.rawValue)) was not overridden")
        }
    }

    struct Preview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Render a template for a debtor's open invoices (or a sample), with the SMS segment count.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Template name.") var name: String
        @Option(help: "email, sms or voice.") var channel: String
        @Option(help: "A debtor whose open invoices fill the template (default: a sample invoice).") var debtor: String?

        func run() async throws {
            try TemplatesCommand.checkName(name)
            let ch = try TemplatesCommand.channel(channel)
            let tenant = try global.tenantID()
            let (d, n) = (debtor, name)
            let m = try await global.withRuntime(tenant: tenant) { runtime in
                try await CLIError.presenting { try await runtime.useCases.previewTemplate(tenant: tenant, name: n, channel: ch, debtor: d) }
            }
            if let subject = m.subject { say("subject: \(subject)\n") }
            say(m.body)
            if ch == .sms {
                let measured = SMSText.measure(m.body)
                say("\n[\(measured.units) \(measured.encoding.rawValue) characters, \(measured.segments) segment(s)]")
            }
            for w in m.warnings { note("warning: \(w)") }
        }
    }
}

struct ContactsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contacts", abstract: "Contacts replies named (the right person, the one covering an absence): list, approve, reject.",
        subcommands: [Proposals.self, Approve.self, Reject.self])

    struct Proposals: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The contacts waiting for a person's approval.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let tenant = try global.tenantID()
            let proposals = try await global.withRuntime(tenant: tenant) { try await $0.useCases.contactProposals(tenant: tenant) }
            say(
                proposals.isEmpty
                    ? "no contact proposals"
                    : Listing.table(
                        header: ["ID", "DEBTOR", "CONTACT", "ADDRESS", "WHY"],
                        rows: proposals.map {
                            [String($0.id), $0.debtorID, $0.contact.name, $0.contact.email ?? $0.contact.phone ?? "", $0.reason.message]
                        }))
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a proposed contact to its debtor; the case is planned again.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The proposal id (see `overdue contacts proposals` or the inbox).") var id: Int64
        @Option(help: "Who approves it.") var by: String = ProcessInfo.processInfo.environment["USER"] ?? "a person"

        func run() async throws {
            let tenant = try global.tenantID()
            let (i, who) = (id, by)
            let added = try await global.withRuntime(tenant: tenant) { runtime in
                try await CLIError.presenting(["id": "proposal"]) { try await runtime.useCases.approveContactProposal(tenant: tenant, id: i, by: "cli:\(who)") }
            }
            say("contact \(added.name) added to \(added.debtorID)")
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a proposed contact: nothing is added.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The proposal id.") var id: Int64
        @Option(help: "Who rejects it.") var by: String = ProcessInfo.processInfo.environment["USER"] ?? "a person"

        func run() async throws {
            let tenant = try global.tenantID()
            let (i, who) = (id, by)
            try await global.withRuntime(tenant: tenant) { runtime in
                try await CLIError.presenting(["id": "proposal"]) { try await runtime.useCases.rejectContactProposal(tenant: tenant, id: i, by: "cli:\(who)") }
            }
            say("proposal \(id) rejected")
        }
    }
}
