import ArgumentParser
import Foundation
import OverdueAgents
import OverdueCore
import OverdueUseCases

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Execute, on a virtual clock, everything that falls due in [--from, --until], in time order.",
        discussion: "Deterministic: the same data gives byte-identical output. The clock only moves forward: a later run continues where the last one stopped.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Start of the window (ISO 8601, e.g. 2026-01-05T00:00:00Z).") var from: String
    @Option(help: "End of the window (ISO 8601).") var until: String

    func run() async throws {
        let start = try parseInstant(from, flag: "--from"), end = try parseInstant(until, flag: "--until")
        guard start <= end else { throw CLIError.badInput("--from \(from) is after --until \(until)") }
        let tenant = try global.tenantID()
        let report = try await global.withRuntime(tenant: tenant) { runtime in
            var onProgress: (@Sendable (Date, RunReport) -> Void)?
            if stderrIsTerminal {
                onProgress = { at, r in note("virtual clock at \(Timestamp.format(at)): \(r.processed) plannings, \(r.totalSent) sent") }
            }
            return try await CLIError.presenting { try await runtime.simulate(tenant: tenant, from: start, until: end, progress: onProgress) }
        }
        let byChannel = Channel.allCases.map { "\($0.rawValue) \(report.sent[$0, default: 0])" }.joined(separator: ", ")
        say(
            "ran \(Timestamp.format(start)) → \(Timestamp.format(end)) for tenant \(tenant): \(report.processed) planning(s), \(report.totalSent) message(s) sent (\(byChannel)), \(report.resolved) resolved, \(report.handoffs) handed off"
        )
    }
}

struct ReplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reply",
        abstract: "Receive an inbound message (sandbox): thread it onto its case, understand it, decide and answer.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "email, sms or voice.") var channel: String
    @Option(help: "The sender's email address or phone number.") var from: String
    @Option(help: "The message text (or call transcript).") var text: String
    @Option(help: "Email subject (it may name the invoice or load).") var subject: String?
    @Option(help: "When it arrived (ISO 8601; default now).") var at: String?
    @Option(help: "text (default) or json.") var format: String = "text"

    func run() async throws {
        guard let ch = Channel(rawValue: channel.lowercased()) else { throw CLIError.badInput("--channel '\(channel)' must be email, sms or voice") }
        guard ["text", "json"].contains(format) else { throw CLIError.badInput("--format '\(format)' must be text or json") }
        let when = try at.map { try parseInstant($0, flag: "--at") } ?? wallClock.now()
        let tenant = try global.tenantID()
        let (from, text, subject) = (self.from, self.text, self.subject)
        let result = try await global.withRuntime(tenant: tenant) { runtime in
            try await CLIError.presenting {
                try await runtime.useCases.receive(tenant: tenant, channel: ch, from: from, text: text, subject: subject, at: when)
            }
        }
        if format == "json" {
            say(Listing.jsonLine(ConversationReport(result)))
            return
        }
        guard let contact = result.contact else {
            note("warning: no contact has the address \(result.message.from ?? from); the message is stored unmatched and waits in the inbox")
            say("stored \(ch.rawValue) message \(result.message.id) (unmatched)")
            return
        }
        guard result.isNew else {
            say("\(ch.rawValue) message \(result.message.id) from \(contact.name) was already received; nothing done again")
            return
        }
        say("stored \(ch.rawValue) message \(result.message.id) from \(contact.name) on case \(contact.debtorID)")
        if let u = result.understanding {
            say("understood: \(u.intent.rawValue) (confidence \(String(format: "%.2f", u.confidence)), \(u.sentiment.rawValue))")
        }
        for step in result.steps { say("  - \(ConversationReport.name(step.action)): \(step.reason.message)") }
        for answer in result.responses {
            let files = answer.attachments.isEmpty ? "" : " with \(answer.attachments.map(\.filename).joined(separator: ", "))"
            say(
                "answer \(answer.id): \(answer.kind) by \(answer.channel.rawValue) to \(answer.to ?? "?")\(files) — \(answer.status.rawValue)\(answer.status == .scheduled ? " for \(Timestamp.format(answer.at))" : "")"
            )
        }
    }
}

struct HoldCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hold", abstract: "Pause a debtor (or one invoice) until an instant.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "The debtor id.") var debtor: String
    @Option(help: "Hold only this invoice.") var invoice: String?
    @Option(help: "When the hold ends (ISO 8601).") var until: String
    @Option(help: "Why (shown in the case's reasons).") var reason: String
    @Option(help: "When the hold is placed (ISO 8601; default now).") var at: String?

    func run() async throws {
        let end = try parseInstant(until, flag: "--until")
        let placed = try at.map { try parseInstant($0, flag: "--at") }
        let tenant = try global.tenantID()
        let (d, inv, why) = (debtor, invoice, reason)
        try await global.withRuntime(tenant: tenant) { runtime in
            try await CLIError.presenting(["debtor_id": "--debtor", "invoice_number": "--invoice", "reason": "--reason", "until": "--until"]) {
                try await runtime.useCases.placeHold(tenant: tenant, debtor: d, invoice: inv, reason: why, until: end, at: placed)
            }
        }
        say("hold placed on \(invoice.map { "invoice \($0) of " } ?? "")\(debtor) until \(Timestamp.format(end)): \(reason)")
    }
}

struct OptOutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "optout", abstract: "Suppress a contact on a channel (or all channels).")
    @OptionGroup var global: GlobalOptions
    @Option(help: "The contact's email address or phone number.") var address: String
    @Option(help: "email, sms, voice or all.") var channel: String = "all"
    @Option(help: "Why.") var reason: String = "opted out"

    func run() async throws {
        let ch: Channel?
        if channel.lowercased() == "all" {
            ch = nil
        } else {
            guard let c = Channel(rawValue: channel.lowercased()) else { throw CLIError.badInput("--channel '\(channel)' must be email, sms, voice or all") }
            ch = c
        }
        let tenant = try global.tenantID()
        let (addr, why) = (address, reason)
        let names = try await global.withRuntime(tenant: tenant) { runtime in
            try await CLIError.presenting(["address": "--address '\(addr)'"]) {
                try await runtime.useCases.optOut(tenant: tenant, address: addr, channel: ch, reason: why, by: cliActor)
            }
        }
        say("suppressed \(ch?.rawValue ?? "all channels") for \(names.joined(separator: ", "))")
    }
}

struct OutboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "outbox", abstract: "List outbound messages in time order.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "jsonl or table (default: table on a terminal, else jsonl).") var format: OutputFormat?
    @Option(help: "Only this debtor.") var debtor: String?

    func run() async throws {
        let tenant = try global.tenantID()
        let d = debtor
        let messages = try await global.withRuntime(tenant: tenant) { try await $0.useCases.messages(tenant: tenant, direction: .outbound, debtor: d) }
        switch format ?? .automatic {
        case .jsonl: for m in messages { say(Listing.jsonLine(OutboxLine(m))) }
        case .table: say(Listing.outboxTable(messages))
        }
    }
}

struct CasesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cases", abstract: "List one case per debtor with status, balance, next action and reasons.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "jsonl or table (default: table on a terminal, else jsonl).") var format: OutputFormat?
    @Option(help: "Only cases with this status (idle, current, active, paused, handoff, resolved).") var status: String?

    func run() async throws {
        var filter: CaseStatus?
        if let status {
            guard let s = CaseStatus(rawValue: status) else {
                throw CLIError.badInput("--status '\(status)' must be one of \(CaseStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter = s
        }
        let tenant = try global.tenantID()
        let f = filter
        let cases = try await global.withRuntime(tenant: tenant) { try await $0.useCases.cases(tenant: tenant, status: f) }
        switch format ?? .automatic {
        case .jsonl: for c in cases { say(Listing.jsonLine(CaseLine(c))) }
        case .table: say(Listing.casesTable(cases))
        }
    }
}

struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Play the debtor on the case's latest call (sandbox): the agent's lines are printed, yours are typed (or given with --say).",
        discussion: "The same voice-turn code answers Twilio's webhooks. An empty line is silence; \"0\" asks for a person.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The debtor id.") var debtor: String
    @Option(help: "Who answers: human (default) or machine.") var answeredBy: String = "human"
    @Option(name: .customLong("say"), help: "A line the debtor says (repeat for each turn; default: read lines from standard input).") var spoken: [String] = []
    @Option(help: "When the call happens (ISO 8601; default now).") var at: String?

    func run() async throws {
        guard ["human", "machine"].contains(answeredBy) else { throw CLIError.badInput("--answered-by '\(answeredBy)' must be human or machine") }
        let when = try at.map { try parseInstant($0, flag: "--at") } ?? wallClock.now()
        let tenant = try global.tenantID()
        let (debtor, who, scripted) = (self.debtor, answeredBy == "machine" ? "machine_end_beep" : "human", spoken)
        try await global.withRuntime(tenant: tenant) { runtime in
            guard try await runtime.useCases.debtor(tenant: tenant, id: debtor) != nil else {
                throw CLIError.badInput("no debtor '\(debtor)' in tenant \(tenant)")
            }
            guard
                let call = try await runtime.useCases.messages(tenant: tenant, debtor: debtor).last(where: {
                    $0.channel == .voice && $0.direction == .outbound && ($0.inReplyTo == nil || $0.kind == "callback")
                })
            else {
                throw CLIError.badInput("no call to \(debtor) yet: the ladder has not reached a voice stage (see `overdue outbox --channel voice`)")
            }
            let agent = runtime.voiceAgent()
            let links = VoiceAgent.Links(base: "sandbox:", tenant: tenant, message: call.id)
            say("calling \(call.contactName ?? "?") at \(call.to ?? "?") (message \(call.id))")
            var twiml = try await agent.answered(tenant: tenant, messageID: call.id, answeredBy: who, links: links, at: when)
            var lines = scripted.makeIterator()
            var turn = 1, silent = 0, asked = 0
            var expect: String?
            while true {
                for line in twiml.heardFirst { say("agent: \(line)") }
                if let number = twiml.transfer { say("[transferred to \(number)]"); break }
                guard twiml.listens else { say("[call ended]"); break }
                let heard: String?
                if scripted.isEmpty {
                    if isatty(STDIN_FILENO) != 0 { FileHandle.standardError.write(Data("you: ".utf8)) }
                    heard = readLine()
                    if heard == nil { say("[you hung up]"); break }
                } else {
                    heard = lines.next()
                    guard let h = heard else { say("[you hung up]"); break }
                    say("you: \(h)")
                }
                let words = heard ?? ""
                let digits =
                    words.trimmingCharacters(in: .whitespaces).allSatisfy(\.isNumber) && !words.trimmingCharacters(in: .whitespaces).isEmpty
                    ? words.trimmingCharacters(in: .whitespaces) : nil
                twiml = try await agent.heard(
                    tenant: tenant, messageID: call.id, callID: "sandbox:\(call.id):\(Int(when.timeIntervalSince1970))", turn: turn, silent: silent,
                    asked: asked, expect: expect, speech: digits == nil ? words : nil, digits: digits, links: links, at: when)
                // The sandbox follows the Gather's action like Twilio does: its turn, silence and re-ask counts.
                guard let action = twiml.gatherAction, let query = URLComponents(string: action)?.queryItems else { continue }
                func number(_ name: String) -> Int { query.first { $0.name == name }?.value.flatMap { Int($0) } ?? 0 }
                (turn, silent, asked) = (max(1, number("turn")), number("silent"), number("asked"))
                expect = query.first { $0.name == "expect" }?.value
            }
        }
    }
}
