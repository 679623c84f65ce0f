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

    /// Checks that `text` parses as a Mustache template and keeps within `TemplateLimits`; the error
    /// names the line and column, or the limit.
    public static func validate(_ text: String, what: String) throws(TemplateError) {
        do { try TemplateLimits.check(text) } catch { throw TemplateError(description: "\(what): \(error.description)") }
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
            let output: String
            do {
                output = try ParsedTemplates.shared.template("{{% CONTENT_TYPE: TEXT}}" + text).render(context)
            } catch {
                throw TemplateError(description: "template \(name) (\(r.channel.rawValue)) \(part): \(Self.describe(error))")
            }
            guard output.utf8.count <= TemplateLimits.maxOutputBytes else {
                throw TemplateError(
                    description:
                        "template \(name) (\(r.channel.rawValue)) \(part): renders \(output.utf8.count) bytes, more than \(TemplateLimits.maxOutputBytes)")
            }
            return output
        }
        var body = try render(t.body, "body").trimmedWhitespace
        var subject = try t.subject.map { try render($0, "subject").trimmedWhitespace }
        var warnings: [String] = []
        switch r.channel {
        case .email:
            if subject?.isEmpty ?? true { subject = "\(r.settings.companyName): \(r.debtor.name)" }
            if !body.containsASCII("unsubscribe", ignoringCase: true) {
                body += "\n\nTo stop receiving these emails, reply \"unsubscribe\"."
            }
            return ComposedMessage(subject: subject, body: body + "\n", html: Self.html(body), warnings: warnings)
        case .sms:
            body = Self.oneLine(body)
            if r.kind != .optOutConfirmation && !body.containsASCII("STOP") { body += " Reply STOP to opt out." }
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

    /// The HTML part of an email: its text, escaped, in paragraphs (what blank lines separate);
    /// aligned blocks (every line holding a run of two spaces) become tables and web addresses links.
    /// Worked on UTF-8 bytes: every email of a ladder goes through here.
    static func html(_ text: String) -> String {
        // CR LF counts as a line break like LF.
        let bytes = text.utf8.contains(13) ? normalisedLines(text) : Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2 + 400)
        out += "<!DOCTYPE html>\n<html><body style=\"font-family: Arial, Helvetica, sans-serif; font-size: 14px; color: #1a1a1a; line-height: 1.45\">\n".utf8
        let lf = UInt8(ascii: "\n")
        let twoSpaces: [UInt8] = [32, 32]
        for para in split(bytes[...], on: [lf, lf]) where !isBlank(para) {
            let rows = split(para, on: [lf]).filter { !$0.isEmpty }
            if rows.count >= 2 && rows.allSatisfy({ range(of: twoSpaces, in: $0) != nil }) {
                out += "<table style=\"border-collapse: collapse\">\n".utf8
                for (i, row) in rows.enumerated() {
                    let tag = (i == 0 ? "th" : "td").utf8
                    out += "<tr>".utf8
                    for cell in split(row, on: twoSpaces) {
                        let text = String(decoding: cell, as: UTF8.self).trimmedWhitespace
                        guard !text.isEmpty else { continue }
                        out += "<".utf8
                        out += tag
                        out += " style=\"padding: 2px 10px; text-align: left; border-bottom: 1px solid #ddd\">".utf8
                        Markup.escape(text.utf8, into: &out)
                        out += "</".utf8
                        out += tag
                        out += ">".utf8
                    }
                    out += "</tr>\n".utf8
                }
                out += "</table>\n".utf8
            } else {
                out += "<p>".utf8
                for (i, row) in rows.enumerated() {
                    if i > 0 { out += "<br>\n".utf8 }
                    // One pass: text is escaped as it goes; a word that is a web address becomes a link.
                    var at = row.startIndex
                    while at < row.endIndex {
                        if row[at] == 32 {
                            out.append(32)
                            at += 1
                            continue
                        }
                        let end = row[at...].firstIndex(of: 32) ?? row.endIndex
                        let word = row[at..<end]
                        if word.starts(with: "https://".utf8) || word.starts(with: "http://".utf8) {
                            out += "<a href=\"".utf8
                            Markup.escape(word, into: &out)
                            out += "\">".utf8
                            Markup.escape(word, into: &out)
                            out += "</a>".utf8
                        } else {
                            Markup.escape(word, into: &out)
                        }
                        at = end
                    }
                }
                out += "</p>\n".utf8
            }
        }
        out += "</body></html>\n".utf8
        return String(decoding: out, as: UTF8.self)
    }

    /// `text` with each CR LF made LF (a lone CR stays).
    private static func normalisedLines(_ text: String) -> [UInt8] {
        let utf8 = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        for (i, b) in utf8.enumerated() where !(b == 13 && i + 1 < utf8.count && utf8[i + 1] == 10) { out.append(b) }
        return out
    }

    /// Whether a paragraph holds only white space (ASCII, or any Unicode white space when it has other bytes).
    private static func isBlank(_ bytes: ArraySlice<UInt8>) -> Bool {
        if bytes.allSatisfy({ $0 == 32 || (9...13).contains($0) }) { return true }
        if bytes.contains(where: { $0 > 32 && $0 < 128 }) { return false }
        return String(decoding: bytes, as: UTF8.self).allSatisfy(\.isWhitespace)
    }

    /// Where `separator` first occurs in `bytes`.
    private static func range(of separator: [UInt8], in bytes: ArraySlice<UInt8>) -> Range<Int>? {
        guard !separator.isEmpty, bytes.count >= separator.count else { return nil }
        var i = bytes.startIndex
        while i + separator.count <= bytes.endIndex {
            if bytes[i] == separator[0] && bytes[i..<(i + separator.count)].elementsEqual(separator) { return i..<(i + separator.count) }
            i += 1
        }
        return nil
    }

    /// `bytes` cut at every (non-overlapping) `separator`, empty pieces kept.
    private static func split(_ bytes: ArraySlice<UInt8>, on separator: [UInt8]) -> [ArraySlice<UInt8>] {
        var pieces: [ArraySlice<UInt8>] = []
        var rest = bytes
        while let r = range(of: separator, in: rest) {
            pieces.append(rest[rest.startIndex..<r.lowerBound])
            rest = rest[r.upperBound...]
        }
        pieces.append(rest)
        return pieces
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
        // A template saved before the limits existed (or written into the database) is held to them too.
        try TemplateLimits.check(text)
        let template = try MustacheTemplate(string: text)
        parsed.withLockedValue { cache in
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[text] = template
        }
        return template
    }
}

/// What a template may be, so that no template — saved, previewed or already in the database — can
/// make rendering expensive. Output grows with the template's length times the length of each list
/// it repeats over, so a list section inside another list section (which would repeat once per pair,
/// and per triple one level deeper: 24 nested `{{#lines}}` render 3^24 times) is refused, and so are
/// partials and delimiter changes (which would hide sections from this check).
public enum TemplateLimits {
    /// Longest template, in UTF-8 bytes.
    public static let maxTemplateBytes = 20_000
    /// Deepest nesting of sections.
    public static let maxDepth = 4
    /// Longest rendered text, in UTF-8 bytes.
    public static let maxOutputBytes = 200_000
    /// The variables that hold lists (a section over one repeats).
    public static let listVariables: Set<String> = ["invoices", "lines", "documents"]

    /// Why a template breaks a limit.
    public struct Violation: Error, CustomStringConvertible, Sendable {
        /// What is wrong and where.
        public let description: String
    }

    /// Checks `text` against the limits (not its Mustache syntax: the parser does that).
    public static func check(_ text: String) throws(Violation) {
        let bytes = Array(text.utf8)
        guard bytes.count <= maxTemplateBytes else {
            throw Violation(description: "the template is \(bytes.count) bytes long; at most \(maxTemplateBytes) are allowed")
        }
        var open: [(name: String, repeats: Bool)] = []
        var i = 0
        var line = 1
        while i + 1 < bytes.count {
            if bytes[i] == 10 { line += 1 }
            guard bytes[i] == UInt8(ascii: "{"), bytes[i + 1] == UInt8(ascii: "{") else {
                i += 1
                continue
            }
            var end = i + 2
            while end + 1 < bytes.count && !(bytes[end] == UInt8(ascii: "}") && bytes[end + 1] == UInt8(ascii: "}")) { end += 1 }
            let tag = String(decoding: bytes[(i + 2)..<min(end, bytes.count)], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            i = end + 2
            guard let sigil = tag.first else { continue }
            let name = variable(String(tag.dropFirst()))
            switch sigil {
            case ">", "<", "$":
                throw Violation(description: "line \(line): partials and blocks ({{\(tag)}}) are not allowed in templates")
            case "=":
                throw Violation(description: "line \(line): changing the delimiters ({{\(tag)}}) is not allowed in templates")
            case "#", "^":
                let repeats = sigil == "#" && listVariables.contains(name)
                if repeats, let outer = open.last(where: \.repeats) {
                    throw Violation(
                        description:
                            "line \(line): the list section {{#\(name)}} is inside the list section {{#\(outer.name)}}; it would repeat once per pair")
                }
                open.append((name, repeats))
                guard open.count <= maxDepth else {
                    throw Violation(description: "line \(line): sections are nested \(open.count) deep; at most \(maxDepth) are allowed")
                }
            case "/":
                if !open.isEmpty { open.removeLast() }
            default:
                continue
            }
        }
    }

    /// The variable a section names: `reversed(invoices)` and `invoices.first` both name `invoices`.
    static func variable(_ tag: String) -> String {
        var name = tag.trimmingCharacters(in: .whitespaces)
        if let open = name.lastIndex(of: "(") { name = String(name[name.index(after: open)...]) }
        name = String(name.prefix { $0 != ")" && $0 != "." && $0 != " " })
        return name
    }
}
