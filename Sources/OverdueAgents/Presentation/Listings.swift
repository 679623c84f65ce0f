import Foundation
import OverdueCore
import OverdueStore

/// One line of `overdue outbox --format jsonl` and of `GET /api/v1/outbox`.
public struct OutboxLine: Encodable, Sendable {
    let m: MessageRecord

    /// Wraps a stored message.
    public init(_ message: MessageRecord) { m = message }

    enum Keys: String, CodingKey {
        case id, at, channel, to, from, debtor_id, contact_name, invoice_numbers, stage, attempt, kind, subject, body, status, provider_id, direction
        case has_html, attachments, in_reply_to, intent, confidence, error, opened_at, opens, clicked_at, clicks, delivery_status, delivered_at, recording_url
    }

    struct Attachment: Encodable { let document_id: String; let kind: String; let invoice: String; let filename: String; let bytes: Int64; let sha256: String }

    /// Writes its JSON form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(m.id, forKey: .id)
        try c.encode(Timestamp.format(m.at), forKey: .at)
        try c.encode(m.channel.rawValue, forKey: .channel)
        try c.encode(m.direction == .outbound ? "out" : "in", forKey: .direction)
        try c.encode(m.to, forKey: .to)
        try c.encode(m.from, forKey: .from)
        try c.encode(m.debtorID, forKey: .debtor_id)
        try c.encode(m.contactName, forKey: .contact_name)
        try c.encode(m.invoiceNumbers, forKey: .invoice_numbers)
        try c.encode(m.stage, forKey: .stage)
        try c.encode(m.attempt, forKey: .attempt)
        try c.encode(m.kind, forKey: .kind)
        try c.encode(m.subject, forKey: .subject)
        try c.encode(m.body, forKey: .body)
        try c.encode(m.status.rawValue, forKey: .status)
        try c.encode(m.html != nil, forKey: .has_html)
        try c.encode(
            m.attachments.map {
                Attachment(document_id: $0.id, kind: $0.kind.rawValue, invoice: $0.invoiceNumber, filename: $0.filename, bytes: $0.size, sha256: $0.sha256)
            },
            forKey: .attachments)
        try c.encodeIfPresent(m.inReplyTo, forKey: .in_reply_to)
        try c.encodeIfPresent(m.understanding?.intent.rawValue, forKey: .intent)
        try c.encodeIfPresent(m.understanding.map { ($0.confidence * 100).rounded() / 100 }, forKey: .confidence)
        try c.encodeIfPresent(m.error, forKey: .error)
        try c.encodeIfPresent(m.deliveryStatus, forKey: .delivery_status)
        try c.encodeIfPresent(m.deliveredAt.map(Timestamp.format), forKey: .delivered_at)
        try c.encodeIfPresent(m.recordingURL, forKey: .recording_url)
        // Only tracked email has these (tracking is off by default).
        if m.opens > 0 || m.clicks > 0 {
            try c.encodeIfPresent(m.openedAt.map(Timestamp.format), forKey: .opened_at)
            try c.encode(m.opens, forKey: .opens)
            try c.encodeIfPresent(m.clickedAt.map(Timestamp.format), forKey: .clicked_at)
            try c.encode(m.clicks, forKey: .clicks)
        }
    }
}

/// One contact proposal in `GET /api/v1/contact-proposals`.
public struct ContactProposalLine: Encodable, Sendable {
    let proposal: ContactProposal

    /// Wraps a proposal.
    public init(_ proposal: ContactProposal) { self.proposal = proposal }

    enum Keys: String, CodingKey { case id, debtor_id, name, email, phone, reason_code, reason, message_id, created_at }

    /// Writes its JSON form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(proposal.id, forKey: .id)
        try c.encode(proposal.debtorID, forKey: .debtor_id)
        try c.encode(proposal.contact.name, forKey: .name)
        try c.encode(proposal.contact.email, forKey: .email)
        try c.encode(proposal.contact.phone, forKey: .phone)
        try c.encode(proposal.reason.code.rawValue, forKey: .reason_code)
        try c.encode(proposal.reason.message, forKey: .reason)
        try c.encode(proposal.messageID, forKey: .message_id)
        try c.encode(Timestamp.format(proposal.createdAt), forKey: .created_at)
    }
}

/// One line of `overdue inbox --format jsonl` and of `GET /api/v1/inbox`.
public struct InboxLine: Encodable, Sendable {
    let item: InboxItem

    /// Wraps an inbox item.
    public init(_ item: InboxItem) { self.item = item }

    enum Keys: String, CodingKey { case id, debtor_id, kind, code, reason, message_id, draft_id, created_at, resolved_at, resolution }

    /// Writes its JSON form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(item.id, forKey: .id)
        try c.encode(item.debtorID, forKey: .debtor_id)
        try c.encode(item.kind.rawValue, forKey: .kind)
        try c.encode(item.code, forKey: .code)
        try c.encode(item.reason, forKey: .reason)
        try c.encode(item.messageID, forKey: .message_id)
        try c.encode(item.draftID, forKey: .draft_id)
        try c.encode(Timestamp.format(item.createdAt), forKey: .created_at)
        try c.encodeIfPresent(item.resolvedAt.map(Timestamp.format), forKey: .resolved_at)
        try c.encodeIfPresent(item.resolution, forKey: .resolution)
    }
}

/// What handling one inbound message did, as `overdue reply --format json` and the API report it.
public struct ConversationReport: Encodable, Sendable {
    let outcome: ConversationEngine.Outcome

    /// Wraps an outcome.
    public init(_ outcome: ConversationEngine.Outcome) { self.outcome = outcome }

    struct Step: Encodable { let action: String; let code: String; let reason: String }
    struct Answer: Encodable {
        let id: String; let kind: String; let channel: String; let to: String?; let status: String; let at: String; let attachments: [String]
    }

    enum Keys: String, CodingKey { case message_id, debtor_id, contact_name, new, intent, confidence, sentiment, entities, steps, answers }

    /// Writes its JSON form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(outcome.message.id, forKey: .message_id)
        try c.encode(outcome.contact?.debtorID, forKey: .debtor_id)
        try c.encode(outcome.contact?.name, forKey: .contact_name)
        try c.encode(outcome.isNew, forKey: .new)
        if let u = outcome.understanding {
            try c.encode(u.intent.rawValue, forKey: .intent)
            try c.encode((u.confidence * 100).rounded() / 100, forKey: .confidence)
            try c.encode(u.sentiment.rawValue, forKey: .sentiment)
            var e: [String: String] = [:]
            e["promise_date"] = u.promiseDate?.description
            e["amount"] = u.amount?.decimalString
            e["currency"] = u.amount?.currency.code
            e["invoice_refs"] = u.invoiceRefs.isEmpty ? nil : u.invoiceRefs.joined(separator: ",")
            e["dispute_reason"] = u.disputeReason?.rawValue
            e["document"] = u.document?.rawValue
            e["redirect"] = u.redirect
            e["return_date"] = u.returnDate?.description
            e["opt_out_channel"] = u.optOutAll ? "all" : u.optOutChannel?.rawValue
            e["keyword"] = u.keyword
            try c.encode(e, forKey: .entities)
        }
        try c.encode(
            outcome.steps.map { Step(action: ConversationReport.name($0.action), code: $0.reason.code.rawValue, reason: $0.reason.message) }, forKey: .steps)
        try c.encode(
            outcome.responses.map {
                Answer(
                    id: $0.id, kind: $0.kind, channel: $0.channel.rawValue, to: $0.to, status: $0.status.rawValue,
                    at: Timestamp.format($0.at), attachments: $0.attachments.map(\.filename))
            }, forKey: .answers)
    }

    /// The action's name as reports show it.
    public static func name(_ a: ConversationAction) -> String {
        switch a {
        case .recordCommitment(let c): return c.kind == .promise ? "record_promise" : "record_payment_claim"
        case .hold: return "pause"
        case .openDispute: return "open_dispute"
        case .suppress: return "suppress"
        case .resubscribe: return "resubscribe"
        case .retireContact: return "retire_contact"
        case .proposeContact: return "propose_contact"
        case .respond(let r): return "answer_\(r.kind.rawValue)"
        case .handoff: return "handoff"
        case .flag: return "flag"
        }
    }
}

/// One line of `overdue cases --format jsonl` and of `GET /api/v1/cases`.
public struct CaseLine: Encodable, Sendable {
    let r: CaseRecord

    /// Wraps a stored case.
    public init(_ record: CaseRecord) { r = record }

    enum Keys: String, CodingKey {
        case debtor_id, debtor_name, status, balance, balance_minor, currency, other_balances, open_invoices, oldest_due, next_action_at,
            next_action_channel, reasons, reason_codes, cycle, attempts_sent
    }

    struct Amount: Encodable { let amount: String; let currency: String }

    /// Writes its JSON form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(r.debtorID, forKey: .debtor_id)
        try c.encode(r.debtorName, forKey: .debtor_name)
        try c.encode(r.status.rawValue, forKey: .status)
        try c.encode(r.balance?.decimalString ?? "0.00", forKey: .balance)
        try c.encode(r.balance?.minorUnits ?? 0, forKey: .balance_minor)
        try c.encode(r.balance?.currency.code, forKey: .currency)
        try c.encode(r.oldestDue?.description, forKey: .oldest_due)
        try c.encode(r.otherBalances.map { Amount(amount: $0.decimalString, currency: $0.currency.code) }, forKey: .other_balances)
        try c.encode(r.openInvoices, forKey: .open_invoices)
        try c.encode(r.nextActionAt.map(Timestamp.format), forKey: .next_action_at)
        try c.encode(r.nextActionChannel?.rawValue, forKey: .next_action_channel)
        try c.encode(r.reasons.map(\.message), forKey: .reasons)
        try c.encode(r.reasons.map(\.code), forKey: .reason_codes)
        try c.encode(r.state.cycle, forKey: .cycle)
        try c.encode(r.state.attemptsSent, forKey: .attempts_sent)
    }
}

/// Text renderings shared by the CLI and the server.
public enum Listing {
    /// A compact, deterministic JSON encoding (sorted keys, one line).
    public static func jsonLine<T: Encodable>(_ value: T) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? e.encode(value)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// Renders rows as an aligned text table (control characters in cells shown as `�`, so a
    /// debtor's text cannot move the cursor or break the alignment).
    public static func table(header: [String], rows: [[String]]) -> String {
        let rows = rows.map { $0.map { TerminalText.safe($0.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")) } }
        let widths = header.indices.map { i in ([header[i]] + rows.map { i < $0.count ? $0[i] : "" }).map(\.count).max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        return ([line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line)).joined(separator: "\n")
    }

    /// The outbox as a table.
    public static func outboxTable(_ messages: [MessageRecord]) -> String {
        table(
            header: ["AT (UTC)", "CHANNEL", "TO", "DEBTOR", "CONTACT", "STAGE", "ATTEMPT", "INVOICES", "SUBJECT / TEXT"],
            rows: messages.map { m in
                let text = (m.subject ?? m.body).replacingOccurrences(of: "\n", with: " ")
                return [
                    Timestamp.format(m.at), m.channel.rawValue, m.to ?? "", m.debtorID ?? "", m.contactName ?? "",
                    m.stage.map(String.init) ?? "", m.attempt.map(String.init) ?? "", String(m.invoiceNumbers.count),
                    text.count > 70 ? String(text.prefix(67)) + "..." : text,
                ]
            })
    }

    /// The inbox as a table.
    public static func inboxTable(_ items: [InboxItem]) -> String {
        table(
            header: ["ID", "RAISED (UTC)", "DEBTOR", "KIND", "DRAFT", "WHY"],
            rows: items.map { i in
                [
                    String(i.id), Timestamp.format(i.createdAt), i.debtorID ?? "-", i.kind.rawValue, i.draftID ?? "-",
                    i.reason.count > 90 ? String(i.reason.prefix(87)) + "..." : i.reason,
                ]
            })
    }

    /// The cases as a table.
    public static func casesTable(_ cases: [CaseRecord]) -> String {
        table(
            header: ["DEBTOR", "NAME", "STATUS", "BALANCE", "OPEN", "NEXT ACTION (UTC)", "CHANNEL", "WHY"],
            rows: cases.map { r in
                let why = r.reasons.first?.message ?? ""
                return [
                    r.debtorID, String(r.debtorName.prefix(28)), r.status.rawValue, r.balance?.description ?? "0",
                    String(r.openInvoices), r.nextActionAt.map(Timestamp.format) ?? "-", r.nextActionChannel?.rawValue ?? "-",
                    why.count > 80 ? String(why.prefix(77)) + "..." : why,
                ]
            })
    }
}
