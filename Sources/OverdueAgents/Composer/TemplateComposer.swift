import Foundation
import NIOConcurrencyHelpers
import Mustache
import OverdueCore
import OverdueStore

/// The text of one outbound message.
public struct ComposedMessage: Hashable, Sendable {
    /// Email subject (nil for SMS and voice).
    public var subject: String?
    /// Body text, SMS text or call script.
    public var body: String
    /// HTML part (email only).
    public var html: String?
    /// Problems worth a person's attention (an SMS longer than two segments, say).
    public var warnings: [String] = []
    /// Who wrote it and at what cost (nil: the template composer, nothing to report).
    public var composition: CompositionNote?

    /// Creates a message.
    public init(subject: String?, body: String, html: String? = nil, warnings: [String] = []) {
        self.subject = subject
        self.body = body
        self.html = html
        self.warnings = warnings
    }
}

/// Everything a composer may say in one message.
public struct CompositionRequest: Sendable {
    /// What the message is.
    public var kind: MessageKind
    /// Over which channel.
    public var channel: Channel
    /// For reminders: how firm.
    public var tone: TemplateComposer.Tone
    /// The debtor.
    public var debtor: Debtor
    /// The contact addressed.
    public var contactName: String
    /// The invoices the message is about, oldest first.
    public var invoices: [InvoiceLine]
    /// Tenant settings (sender identity, remit-to, pay link).
    public var settings: TenantSettings
    /// Facts from the decider (`promise_date`, `amount`, `dispute_reason`, `callback_time`…).
    public var details: [String: String]
    /// Lines from the decider (evidence checklist, instalment schedule).
    public var lines: [String]
    /// Documents attached or linked, with their links (SMS) when there are any.
    public var documents: [(ref: DocumentRef, link: String?)]
    /// The conversation so far, cleaned, newest last ("2026-02-10 in email: …"), for a model's `get_history`.
    public var history: [String] = []
    /// When the message is written (the run's clock; nil: now).
    public var now: Date?

    /// Creates a request.
    public init(
        kind: MessageKind, channel: Channel, tone: TemplateComposer.Tone = .friendly, debtor: Debtor, contactName: String, invoices: [InvoiceLine],
        settings: TenantSettings, details: [String: String] = [:], lines: [String] = [], documents: [(ref: DocumentRef, link: String?)] = []
    ) {
        self.kind = kind
        self.channel = channel
        self.tone = tone
        self.debtor = debtor
        self.contactName = contactName
        self.invoices = invoices
        self.settings = settings
        self.details = details
        self.lines = lines
        self.documents = documents
    }

    /// The template's name: the kind, with the tone for reminders.
    public var templateName: String { kind == .reminder ? "reminder.\(tone.rawValue)" : kind.rawValue }
}

/// Writes messages. The template composer is the offline default; a model-backed one can take its place.
public protocol Composer: Sendable {
    /// Writes the message for `request`.
    func compose(_ request: CompositionRequest) async throws -> ComposedMessage
}

/// Why a template could not be used.
public struct TemplateError: Error, CustomStringConvertible, Sendable {
    /// What is wrong, naming the template, channel and position.
    public var description: String
}

/// Writes messages from Mustache templates: built-in ones per message kind × channel, overridden
/// per tenant. Every email and SMS ends with an opt-out line, whatever the template says.
public struct TemplateComposer: Composer {
    /// How firm a reminder is.
    public enum Tone: String, Sendable { case friendly, firm, final }

    /// One template: an email subject (email only) and a body.
    public struct Template: Sendable {
        /// Subject template (email).
        public var subject: String?
        /// Body template.
        public var body: String
    }

    let overrides: [String: Template]

    /// Creates the composer with a tenant's overrides.
    public init(overrides: [TemplateOverride] = []) {
        var o: [String: Template] = [:]
        for t in overrides { o["\(t.name)/\(t.channel.rawValue)"] = Template(subject: t.subject, body: t.body) }
        self.overrides = o
    }

    /// Every template name, in a stable order.
    public static var templateNames: [String] {
        ["reminder.friendly", "reminder.firm", "reminder.final"] + MessageKind.allCases.filter { $0 != .reminder }.map(\.rawValue)
    }

    /// The tone for a step of a ladder with `totalSteps` steps.
    public static func tone(position: Int, totalSteps: Int) -> Tone {
        guard totalSteps > 1 else { return .friendly }
        if position >= totalSteps - 1 || position * 3 >= totalSteps * 2 { return .final }
        return position * 3 < totalSteps ? .friendly : .firm
    }

    /// The template in force for `name` on `channel` (the tenant's, else the built-in one).
    public func template(_ name: String, channel: Channel) -> Template? {
        overrides["\(name)/\(channel.rawValue)"] ?? Self.builtIn(name, channel: channel)
    }

    /// Checks that `text` parses as a Mustache template; the error names the line and column.
    public static func validate(_ text: String, what: String) throws(TemplateError) {
        do { _ = try MustacheTemplate(string: text) } catch {
            throw TemplateError(description: "\(what): not a valid Mustache template: \(describe(error))")
        }
    }

    static func describe(_ error: any Error) -> String {
        if let p = error as? MustacheTemplate.ParserError {
            return "\(p.error) at line \(p.context.lineNumber), column \(p.context.columnNumber)"
        }
        return "\(error)"
    }

    /// Writes the message for `r` (`Composer`).
    public func compose(_ r: CompositionRequest) throws -> ComposedMessage {
        let name = r.templateName
        guard let t = template(name, channel: r.channel) else {
            throw TemplateError(description: "no \(r.channel.rawValue) template named \(name)")
        }
        let context = Self.context(r)
        func render(_ text: String, _ part: String) throws -> String {
            do {
                return try ParsedTemplates.shared.template("{{% CONTENT_TYPE: TEXT}}" + text).render(context)
            } catch {
                throw TemplateError(description: "template \(name) (\(r.channel.rawValue)) \(part): \(Self.describe(error))")
            }
        }
        var body = try render(t.body, "body").trimmedWhitespace
        var subject = try t.subject.map { try render($0, "subject").trimmedWhitespace }
        var warnings: [String] = []
        switch r.channel {
        case .email:
            if subject?.isEmpty ?? true { subject = "\(r.settings.companyName): \(r.debtor.name)" }
            if !body.lowercased().contains("unsubscribe") {
                body += "\n\nTo stop receiving these emails, reply \"unsubscribe\"."
            }
            return ComposedMessage(subject: subject, body: body + "\n", html: Self.html(body), warnings: warnings)
        case .sms:
            body = Self.oneLine(body)
            if r.kind != .optOutConfirmation && !body.contains("STOP") { body += " Reply STOP to opt out." }
            let m = SMSText.measure(body)
            if m.segments > 2 {
                warnings.append(
                    "SMS is \(m.segments) segments (\(m.units) \(m.encoding == .gsm7 ? "GSM-7 characters" : "UCS-2 characters")); templates should fit 2")
            }
            return ComposedMessage(subject: nil, body: body, warnings: warnings)
        case .voice:
            return ComposedMessage(subject: nil, body: Self.oneLine(body), warnings: warnings)
        }
    }

    /// The variables a template can use (documented in the README).
    static func context(_ r: CompositionRequest) -> [String: Any] {
        let lines = r.invoices
        let totals = Self.totals(lines)
        let s = r.settings
        var c: [String: Any] = [
            "company": s.companyName, "sender_name": s.senderName, "debtor": r.debtor.name, "contact": r.contactName,
            "greeting": greeting(r.contactName), "invoice_count": lines.count, "invoices_word": lines.count == 1 ? "invoice" : "invoices",
            "is_are": lines.count == 1 ? "is" : "are", "total": totals, "total_spoken": spoken(totals),
            "oldest_days": lines.map(\.daysPastDue).max() ?? 0, "oldest_invoice": lines.first?.invoice.number ?? "",
            "invoice_table": table(lines), "has_invoices": !lines.isEmpty,
            "invoices": lines.map { l -> [String: Any] in
                [
                    "number": l.invoice.number, "load": l.invoice.loadNumber ?? "", "pro": l.invoice.proNumber ?? "", "bol": l.invoice.bolNumber ?? "",
                    "po": l.invoice.poNumber ?? "", "due": l.invoice.dueDate.description, "days_overdue": l.daysPastDue, "balance": l.balance.description,
                ]
            },
            "lines": r.lines, "has_lines": !r.lines.isEmpty,
            "documents": r.documents.map { d -> [String: Any] in
                ["filename": d.ref.filename, "label": d.ref.kind.label, "invoice": d.ref.invoiceNumber, "link": d.link ?? ""]
            },
        ]
        if let v = s.value("sender.email") { c["sender_email"] = v }
        if let v = s.value("sender.phone") { c["sender_phone"] = PhoneNumber.display(v) }
        if let v = s.value("remit.to") { c["remit_to"] = v }
        if let v = s.value("pay.url") { c["pay_url"] = v }
        for (k, v) in r.details where !v.isEmpty { c[k] = v }
        return c
    }

    /// "Hello Dana" for a person, "Hello Accounts Payable team" for a shared mailbox.
    static func greeting(_ name: String) -> String {
        let mailboxWords: Set<String> = ["accounts", "payable", "billing", "ap", "finance", "team", "department", "office", "remittance"]
        let words = name.lowercased().split(separator: " ").map(String.init)
        if words.contains(where: mailboxWords.contains) { return "Hello \(name) team" }
        return "Hello \(words.isEmpty ? name : String(name.split(separator: " ").first!))"
    }

    /// `4,250.00 USD` or `1,000.00 CAD + 2,000.00 USD`.
    static func totals(_ lines: [InvoiceLine]) -> String {
        var sums: [Currency: Int64] = [:]
        for l in lines { sums[l.balance.currency, default: 0] += l.balance.minorUnits }
        return sums.keys.sorted().map { Money(minorUnits: sums[$0]!, currency: $0).description }.joined(separator: " + ")
    }

    static func spoken(_ totals: String) -> String {
        let names = ["USD": "US dollars", "CAD": "Canadian dollars", "MXN": "Mexican pesos"]
        return totals.split(separator: " ", omittingEmptySubsequences: false).map { names[String($0)] ?? String($0) }.joined(separator: " ")
    }

    /// The text on one line (texts and calls): line breaks become spaces.
    static func oneLine(_ text: String) -> String { String(text.map { $0 == "\n" || $0 == "\r\n" ? " " : $0 }) }

    /// A plain-text table of the invoices.
    static func table(_ lines: [InvoiceLine]) -> String {
        guard !lines.isEmpty else { return "" }
        let header = ["Invoice", "Load", "PRO", "BOL", "Due", "Days late", "Balance"]
        let rows = lines.map { l in
            [
                l.invoice.number, l.invoice.loadNumber ?? "-", l.invoice.proNumber ?? "-", l.invoice.bolNumber ?? "-",
                l.invoice.dueDate.description, String(l.daysPastDue), l.balance.description,
            ]
        }
        let widths = header.indices.map { i in ([header[i]] + rows.map { $0[i] }).map(\.count).max()! }
        func render(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                let pad = String(repeating: " ", count: max(0, widths[i] - c.count))
                return i == cells.count - 1 ? pad + c : c + pad
            }.joined(separator: "  ").trimmedWhitespace
        }
        return ([render(header)] + rows.map(render)).joined(separator: "\n")
    }

    /// The text's paragraphs (what blank lines separate).
    static func paragraphs(_ text: String) -> [Substring] { text.split(separator: "\n\n" as String, omittingEmptySubsequences: false) }

    /// The HTML part of an email: its text, escaped, in paragraphs; aligned blocks become tables and
    /// web addresses links.
    static func html(_ text: String) -> String {
        let escape = Markup.escape
        func linked(_ s: String) -> String {
            s.split(separator: " ", omittingEmptySubsequences: false).map { w in
                let word = String(w)
                guard word.hasPrefix("https://") || word.hasPrefix("http://") else { return escape(word) }
                return "<a href=\"\(escape(word))\">\(escape(word))</a>"
            }.joined(separator: " ")
        }
        var out = "<!DOCTYPE html>\n<html><body style=\"font-family: Arial, Helvetica, sans-serif; font-size: 14px; color: #1a1a1a; line-height: 1.45\">\n"
        for para in paragraphs(text) where !para.allSatisfy(\.isWhitespace) {
            let rows = para.split(separator: "\n").map(String.init)
            if rows.count >= 2 && rows.allSatisfy({ $0.contains("  ") }) {
                out += "<table style=\"border-collapse: collapse\">\n"
                for (i, row) in rows.enumerated() {
                    // Cells are what two or more spaces separate.
                    let cells = row.split(separator: "  " as String).map(\.trimmedWhitespace).filter { !$0.isEmpty }
                    let tag = i == 0 ? "th" : "td"
                    out +=
                        "<tr>"
                        + cells.map { "<\(tag) style=\"padding: 2px 10px; text-align: left; border-bottom: 1px solid #ddd\">\(escape($0))</\(tag)>" }.joined()
                        + "</tr>\n"
                }
                out += "</table>\n"
            } else {
                out += "<p>" + rows.map(linked).joined(separator: "<br>\n") + "</p>\n"
            }
        }
        return out + "</body></html>\n"
    }
}

/// Parsed templates by their text: a ladder renders the same few templates for every debtor, and
/// parsing costs more than rendering. Bounded (emptied when full: tenants' own templates are few).
final class ParsedTemplates: Sendable {
    static let shared = ParsedTemplates()
    private let parsed = NIOLockedValueBox([String: MustacheTemplate]())
    private let capacity = 512

    /// The template `text` parses to (from the cache when parsed before).
    func template(_ text: String) throws -> MustacheTemplate {
        if let hit = parsed.withLockedValue({ $0[text] }) { return hit }
        let template = try MustacheTemplate(string: text)
        parsed.withLockedValue { cache in
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[text] = template
        }
        return template
    }
}
