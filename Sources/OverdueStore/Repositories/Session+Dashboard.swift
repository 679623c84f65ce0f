import Foundation
import OverdueCore

/// Aggregates the dashboard's overview reads in one pass each.
extension Session {
    /// Payments dated on or after `since`, summed per currency (minor units).
    public func collected(_ tenant: String, since: LocalDate) async throws -> [String: Int64] {
        var out: [String: Int64] = [:]
        for r in try await rows(
            "SELECT currency, CAST(SUM(amount_minor) AS BIGINT) AS total FROM payments WHERE tenant_id = ? AND date >= ? GROUP BY currency",
            [.text(tenant), .text(since.description)])
        {
            out[try r.string("currency")] = try r.int("total")
        }
        return out
    }

    /// Every promise of the tenant (not payment claims), for due-this-week and kept-rate figures.
    public func promises(_ tenant: String) async throws -> [(debtor: String, promise: Commitment)] {
        try await rows("SELECT * FROM commitments WHERE tenant_id = ? AND kind = 'promise' ORDER BY date, id", [.text(tenant)]).map { r in
            (try r.string("debtor_id"), try Self.commitment(r))
        }
    }

    /// Attempts sent since `since` per channel and ladder stage (nil: a person's own messages), with
    /// how many a reply and a payment followed (credited at write time, last touch).
    public func effectiveness(_ tenant: String, since: Date) async throws -> [ChannelEffectiveness] {
        try await rows(
            """
            SELECT channel, stage, COUNT(*) AS sent, COUNT(replied_at) AS replied, COUNT(paid_at) AS paid FROM messages
            WHERE tenant_id = ? AND direction = 'out' AND status = 'sent' AND at >= ? GROUP BY channel, stage
            """, [.text(tenant), .time(since)]
        ).compactMap { r in
            guard let ch = Channel(rawValue: try r.string("channel")) else { return nil }
            return ChannelEffectiveness(
                channel: ch, stage: try r.optInt("stage").map(Int.init), sent: Int(try r.int("sent")),
                replied: Int(try r.int("replied")), paid: Int(try r.int("paid")))
        }
    }

    /// Invoiced (by issue month) and collected (by payment month) in `currency`, as "YYYY-MM" →
    /// minor units; factored invoices are not the tenant's receivables.
    public func monthlyFlows(_ tenant: String, currency: Currency) async throws -> (invoiced: [String: Int64], collected: [String: Int64]) {
        var invoiced: [String: Int64] = [:]
        var collected: [String: Int64] = [:]
        for r in try await rows(
            """
            SELECT substr(issue_date, 1, 7) AS month, CAST(SUM(amount_minor) AS BIGINT) AS total FROM invoices
            WHERE tenant_id = ? AND currency = ? AND factored = 0 GROUP BY substr(issue_date, 1, 7)
            """, [.text(tenant), .text(currency.code)])
        {
            invoiced[try r.string("month")] = try r.int("total")
        }
        for r in try await rows(
            """
            SELECT substr(date, 1, 7) AS month, CAST(SUM(amount_minor) AS BIGINT) AS total FROM payments WHERE tenant_id = ? AND currency = ? GROUP BY substr(date, 1, 7)
            """, [.text(tenant), .text(currency.code)])
        {
            collected[try r.string("month")] = try r.int("total")
        }
        return (invoiced, collected)
    }
}
