import ArgumentParser
import Foundation
import Logging
import OverdueAgents
import OverdueCore
import OverdueLanguage
import OverdueChannels
import OverdueMail
import OverdueUseCases

struct MailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail", abstract: "Email: read the tenant's mailbox now, or inspect a message file.",
        subcommands: [Fetch.self, Inspect.self, ThreadsCommand.self])

    struct Fetch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Read new mail from the tenant's IMAP mailbox now (workers do it every minute).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The time the mail counts as received (ISO 8601; default now — give the virtual clock's time with `overdue run`).") var at: String?

        func run() async throws {
            let tenant = try global.tenantID()
            let when = try at.map { try parseInstant($0, flag: "--at") } ?? wallClock.now()
            let report = try await global.withRuntime(tenant: tenant, logger: Logger(label: "overdue.mail")) { runtime in
                do { return try await runtime.mailReader().read(tenant: tenant, at: when) } catch let e as EmailAccountError {
                    throw CLIError.badInput(e.description)
                } catch {
                    throw CLIError.failure("reading the mailbox of \(tenant) failed: \(error)")
                }
            }
            guard let report else { throw CLIError.badInput("tenant \(tenant) reads no mailbox: set email.provider smtp and email.imap.host/user/password") }
            say(
                "read \(report.read) message(s): \(report.conversations) conversation(s), \(report.bounces) bounce(s), \(report.complaints) complaint(s)"
                    + (report.setAside > 0 ? ", \(report.setAside) set aside for a person (see the inbox)" : ""))
        }
    }

    struct Inspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Parse a message file (.eml) and say what it is: reply, auto_reply, bounce or feedback.")
        @Argument(help: "The message file.") var file: String
        @Option(help: "json (default) or text.") var format: String = "json"
        @Option(help: "Date relative return dates are read against (YYYY-MM-DD; default today).") var referenceDate: String?

        struct Output: Encodable {
            struct Recipient: Encodable { let address: String; let status: String?; let hard: Bool; let reason: String?; let diagnostic: String? }
            let kind: String
            let message_id: String?
            let in_reply_to: [String]
            let references: [String]
            let subject: String?
            let from: String?
            let text: String
            let return_date: String?
            let recipients: [Recipient]
            let problems: [String]
        }

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else { throw CLIError.badInput("\(file): cannot read the file") }
            let reference =
                try referenceDate.map { d -> LocalDate in
                    guard let v = LocalDate.parse(d) else { throw CLIError.badInput("--reference-date '\(d)' is not a date YYYY-MM-DD") }
                    return v
                } ?? LocalDate(wallClock.now(), in: TimeZone(identifier: "UTC")!)
            let mail = MIMEParser.parse([UInt8](data))
            let kind = MailClassifier.classify(mail)
            let own = ReplyCleaner.split(mail.textBody).own
            var recipients: [Output.Recipient] = []
            if case .bounce(let list) = kind {
                recipients = list.map { .init(address: $0.address, status: $0.status, hard: $0.hard, reason: $0.reason.rawValue, diagnostic: $0.diagnostic) }
            }
            if case .feedback(_, let list) = kind { recipients = list.map { .init(address: $0, status: nil, hard: false, reason: nil, diagnostic: nil) } }
            let back = kind == .autoReply ? ReplyReader.read("Out of office. " + own, channel: .email, reference: reference).returnDate : nil
            let out = Output(
                kind: kind.name, message_id: mail.messageID, in_reply_to: mail.inReplyTo, references: mail.references, subject: mail.subject,
                from: mail.fromAddress, text: own, return_date: back?.description, recipients: recipients, problems: mail.problems)
            if format == "json" {
                say(Listing.jsonLine(out))
            } else {
                say("\(out.kind): \(out.subject ?? "(no subject)") from \(out.from ?? "?")")
                for r in out.recipients { say("  \(r.address) \(r.status ?? "-") \(r.hard ? "hard" : "soft") \(r.reason ?? "")") }
            }
        }
    }
}

struct ThreadsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "threads", abstract: "Group the messages of an mbox on standard input into conversations.")
    @Option(help: "jsonl (the only format).") var format: String = "jsonl"

    struct Line: Encodable { let index: Int; let message_id: String?; let thread_id: String }

    func run() throws {
        guard format == "jsonl" else { throw CLIError.badInput("--format '\(format)' must be jsonl") }
        let data = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        let messages = Threads.splitMbox(data).map { MIMEParser.parse($0) }
        let ids = Threads.assign(messages.map(Threads.Item.init))
        for (i, m) in messages.enumerated() { say(Listing.jsonLine(Line(index: i, message_id: m.messageID, thread_id: ids[i]))) }
    }
}

typealias EmailAccountError = OverdueChannels.EmailAccount.AccountError
