import Foundation
import OverdueCore

/// Aggregates the dashboard's overview reads in one pass each.
extension Session {
    /// Payments dated on or after `since`, summed per currency (minor units).
    public func collected(_ tenant: String, since: LocalDate) async throws -> [String: Int64] {
        var out: [String: Int64] = [:]
        for r in try await rows("SELECT currency, SUM(amount_minor) AS total FROM payments WHERE tenant_id = ? AND date >= ? GROUP BY currency",
                                [.text(tenant), .text(since.description)]) {
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

    /// Messages per channel and direction since `since` (outbound counted once sent).
    public func messageCounts(_ tenant: String, since: Date) async throws -> [(channel: Channel, direction: MessageRecord.Direction, count: Int)] {
        try await rows("""
            SELECT channel, direction, COUNT(*) AS n FROM messages WHERE tenant_id = ? AND at >= ? AND status IN ('sent', 'received')
            GROUP BY channel, direction
            """, [.text(tenant), .time(since)]).compactMap { r in
            guard let ch = Channel(rawValue: try r.string("channel")), let dir = MessageRecord.Direction(rawValue: try r.string("direction")) else { return nil }
            return (ch, dir, Int(try r.int("n")))
        }
    }
}
