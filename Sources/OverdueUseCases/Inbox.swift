import Foundation
import OverdueCore
import OverdueStore

/// What needs a person, dealt with: an inbox item resolved from the API
/// (`POST /api/v1/inbox/{id}/resolve`), the inbox page and `overdue resolve`.
extension UseCases {
    /// Marks open inbox item `id` dealt with by `who`, with `note` (what was done; "resolved by
    /// WHO" when empty). A reply that paused its case for a person ends that pause, and the case is
    /// re-planned. Refused when the tenant has no such open item (`notFound`).
    public func resolveInboxItem(tenant: String, id: Int64, note: String?, by who: String, at: Date? = nil) async throws {
        let now = at ?? clock.now()
        let text = note?.trimmingCharacters(in: .whitespacesAndNewlines)
        let resolution = text.flatMap { $0.isEmpty ? nil : $0 } ?? "resolved by \(who)"
        try await store.write { s in
            guard try await s.hasOpenInboxItem(tenant, id: id) else { throw UseCaseError.notFound("id", "no open inbox item \(id)") }
            try await s.resolveInbox(tenant, id: id, resolution: resolution, at: now)
        }
    }
}
