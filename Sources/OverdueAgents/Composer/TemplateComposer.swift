import Foundation
import OverdueCore

/// The text of one outbound message.
public struct ComposedMessage: Hashable, Sendable {
    /// Email subject (nil for SMS and voice).
    public var subject: String?
    /// Body text, SMS text or call script.
    public var body: String
}

/// Writes ladder messages from built-in templates: one message per attempt covering every overdue
/// invoice of the debtor, firmer as the ladder climbs. Pure and offline.
public struct TemplateComposer: Sendable {
    /// How firm a message is.
    public enum Tone: String, Sendable { case friendly, firm, final }

    /// Creates the composer.
    public init() {}

    /// The tone for a step of a ladder with `totalSteps` steps.
    public static func tone(position: Int, totalSteps: Int) -> Tone {
        guard totalSteps > 1 else { return .friendly }
        if position >= totalSteps - 1 || position * 3 >= totalSteps * 2 { return .final }
        return position * 3 < totalSteps ? .friendly : .firm
    }

    /// Composes the message for `attempt` to `debtor`.
    public func compose(_ attempt: PlannedAttempt, debtor: Debtor, settings: TenantSettings, totalSteps: Int) -> ComposedMessage {
        let tone = Self.tone(position: attempt.position, totalSteps: totalSteps)
        let lines = attempt.invoices
        let totals = Self.totals(lines)
        let company = settings.companyName
        let signer = settings.senderName
        let greeting = Self.greeting(attempt.contact.name)
        let oldest = lines.map(\.daysPastDue).max() ?? 0
        let count = lines.count
        let invoiceWord = count == 1 ? "invoice" : "invoices"
        let callback = settings.value("sender.phone").map { PhoneNumber.display($0) }
        switch attempt.channel {
        case .email:
            let subject: String
            switch tone {
            case .friendly: subject = "Reminder: \(count) past-due \(invoiceWord) from \(company), \(totals)"
            case .firm: subject = "Second notice: \(count) past-due \(invoiceWord), \(totals) – \(debtor.name)"
            case .final: subject = "Final notice: \(count) past-due \(invoiceWord), \(totals) – \(debtor.name)"
            }
            var body = "\(greeting),\n\n"
            switch tone {
            case .friendly:
                body += "This is a friendly reminder from \(company) that the following \(invoiceWord) for \(debtor.name) \(count == 1 ? "is" : "are") past due:\n\n"
            case .firm:
                body += "We have not yet received payment for the following \(invoiceWord) for \(debtor.name), now up to \(oldest) days past due:\n\n"
            case .final:
                body += "This is our final automated notice about the following \(invoiceWord) for \(debtor.name), up to \(oldest) days past due. Please arrange payment or contact us this week:\n\n"
            }
            body += Self.table(lines) + "\n\nTotal past due: \(totals)\n\n"
            body += "If you have already paid, reply with the payment date and reference (check or ACH trace number) and we will match it. "
            body += "If you need the POD, BOL or rate confirmation for any load, reply and we will send it.\n\n"
            body += "Thank you,\n\(signer)\nAccounts Receivable, \(company)\n"
            if let e = settings.value("sender.email") { body += "\(e)\n" }
            if let callback { body += "\(callback)\n" }
            body += "\nTo stop receiving these reminders by email, reply \"unsubscribe\".\n"
            return ComposedMessage(subject: subject, body: body)
        case .sms:
            let lead: String
            switch tone {
            case .friendly: lead = "reminder:"
            case .firm: lead = "2nd notice:"
            case .final: lead = "FINAL notice:"
            }
            let ref = lines.first.map { " (oldest \($0.invoice.number), \($0.daysPastDue)d)" } ?? ""
            var text = "\(company) \(lead) \(count) past-due \(invoiceWord) for \(debtor.name), total \(totals)\(ref). Reply PAID if paid"
            if let callback { text += " or call \(callback)" }
            text += ". Reply STOP to opt out."
            return ComposedMessage(subject: nil, body: text)
        case .voice:
            var script = "Hello, this is an automated call from \(company) for \(attempt.contact.name) about past-due freight \(invoiceWord) for \(debtor.name). "
            script += "This call may be recorded. "
            script += "Our records show \(count) \(invoiceWord) totalling \(Self.spoken(totals)), the oldest \(oldest) days past due"
            if let first = lines.first { script += ", invoice \(first.invoice.number)" }
            script += ". "
            switch tone {
            case .friendly, .firm: script += "Press 1 to tell us when you will pay, 2 if you have already paid, or 3 to speak with our team. "
            case .final: script += "This is our final automated call. Press 1 to arrange payment now, or 3 to speak with our team. "
            }
            if let callback { script += "You can also call us back at \(callback). " }
            script += "To stop these calls, press 9."
            return ComposedMessage(subject: nil, body: script)
        }
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
        totals.replacingOccurrences(of: "USD", with: "US dollars").replacingOccurrences(of: "CAD", with: "Canadian dollars")
            .replacingOccurrences(of: "MXN", with: "Mexican pesos")
    }

    /// A plain-text table of the invoices.
    static func table(_ lines: [InvoiceLine]) -> String {
        let header = ["Invoice", "Load", "PRO", "BOL", "Due", "Days late", "Balance"]
        let rows = lines.map { l in
            [l.invoice.number, l.invoice.loadNumber ?? "-", l.invoice.proNumber ?? "-", l.invoice.bolNumber ?? "-",
             l.invoice.dueDate.description, String(l.daysPastDue), l.balance.description]
        }
        let widths = header.indices.map { i in ([header[i]] + rows.map { $0[i] }).map(\.count).max()! }
        func render(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                i == cells.count - 1 ? String(repeating: " ", count: widths[i] - c.count) + c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([render(header)] + rows.map(render)).joined(separator: "\n")
    }
}
