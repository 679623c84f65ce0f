import Foundation
import OverdueCore
import OverdueStore

/// Settling a dispute: resolved from the API (`POST /api/v1/disputes/{id}/resolve`), the case
/// page and `overdue disputes resolve`.
extension UseCases {
    /// Resolves open dispute `id` with `resolution` (how it was settled), as `who`, and re-plans its
    /// case at once: the invoice is chased again if it is still owed. `debtor`, when the door knows
    /// the case (the case page), must be the dispute's. Refused — nothing written — when there is no
    /// such dispute (`notFound`), it is already resolved, or the resolution is empty (`invalid`).
    /// Returns the dispute's debtor.
    @discardableResult
    public func resolveDispute(
        tenant: String, id: String, resolution: String, by who: String, debtor expected: String? = nil,
        at: Date? = nil
    ) async throws -> String {
        let now = at ?? clock.now()
        return try await store.write { s in
            guard let debtor = try await s.disputeDebtor(tenant, id: id), expected == nil || expected == debtor else {
                throw UseCaseError.notFound("dispute", "no dispute '\(id)'")
            }
            let disputes = try await s.disputes(tenant, debtor: debtor)
            let why = try UseCaseError.checked { () throws(ManualRecord.Refused) in
                try ManualRecord.resolution(id: id, resolution: resolution, by: who, disputes: disputes)
            }
            _ = try await s.resolveDispute(tenant, id: id, resolution: resolution.trimmingCharacters(in: .whitespacesAndNewlines), at: now)
            try await s.recordDecision(tenant, debtor: debtor, at: now, action: .wait, reasons: [why])
            try await s.schedule(tenant, subjects: [debtor], at: now, mode: .earliest)
            return debtor
        }
    }
}
