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
    }

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
    }
}

/// One line of `overdue cases --format jsonl` and of `GET /api/v1/cases`.
public struct CaseLine: Encodable, Sendable {
    let r: CaseRecord

    /// Wraps a stored case.
    public init(_ record: CaseRecord) { r = record }

    enum Keys: String, CodingKey {
        case debtor_id, debtor_name, status, balance, currency, other_balances, open_invoices, next_action_at, next_action_channel,
             reasons, reason_codes, cycle, attempts_sent
    }

    struct Amount: Encodable { let amount: String; let currency: String }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(r.debtorID, forKey: .debtor_id)
        try c.encode(r.debtorName, forKey: .debtor_name)
        try c.encode(r.status.rawValue, forKey: .status)
        try c.encode(r.balance?.decimalString ?? "0.00", forKey: .balance)
        try c.encode(r.balance?.currency.code, forKey: .currency)
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

    /// Renders rows as an aligned text table.
    public static func table(header: [String], rows: [[String]]) -> String {
        let widths = header.indices.map { i in ([header[i]] + rows.map { i < $0.count ? $0[i] : "" }).map(\.count).max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        return ([line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line)).joined(separator: "\n")
    }

    /// The outbox as a table.
    public static func outboxTable(_ messages: [MessageRecord]) -> String {
        table(header: ["AT (UTC)", "CHANNEL", "TO", "DEBTOR", "CONTACT", "STAGE", "ATTEMPT", "INVOICES", "SUBJECT / TEXT"],
              rows: messages.map { m in
                  let text = (m.subject ?? m.body).replacingOccurrences(of: "\n", with: " ")
                  return [Timestamp.format(m.at), m.channel.rawValue, m.to ?? "", m.debtorID ?? "", m.contactName ?? "",
                          m.stage.map(String.init) ?? "", m.attempt.map(String.init) ?? "", String(m.invoiceNumbers.count),
                          text.count > 70 ? String(text.prefix(67)) + "..." : text]
              })
    }

    /// The cases as a table.
    public static func casesTable(_ cases: [CaseRecord]) -> String {
        table(header: ["DEBTOR", "NAME", "STATUS", "BALANCE", "OPEN", "NEXT ACTION (UTC)", "CHANNEL", "WHY"],
              rows: cases.map { r in
                  let why = r.reasons.first?.message ?? ""
                  return [r.debtorID, String(r.debtorName.prefix(28)), r.status.rawValue, r.balance?.description ?? "0",
                          String(r.openInvoices), r.nextActionAt.map(Timestamp.format) ?? "-", r.nextActionChannel?.rawValue ?? "-",
                          why.count > 80 ? String(why.prefix(77)) + "..." : why]
              })
    }
}
