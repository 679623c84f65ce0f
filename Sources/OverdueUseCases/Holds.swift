import Foundation
import OverdueCore
import OverdueStore

/// Pausing a debtor, or one of its invoices, for a while: placed from the API (`POST
/// /api/v1/holds`), the case page's hold form and `overdue hold`.
extension UseCases {
    /// Longest reason a hold keeps.
    public static let holdReasonLimit = 500

    /// Pauses `debtor` (or only its invoice `invoice`) until `until`, for `reason`, and re-plans the
    /// case at once. `at` is when it is placed (the clock's now unless a caller replays history, as
    /// `overdue hold --at` does). Refused — nothing written — when the debtor or the invoice is not
    /// the tenant's, the reason is empty or too long, or the end is not after the start.
    @discardableResult
    public func placeHold(tenant: String, debtor: String, invoice: String?, reason: String, until: Date, at: Date? = nil) async throws -> Hold {
        let now = at ?? clock.now()
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems: [UseCaseError.Problem] = []
        if reason.isEmpty { problems.append(.init("reason", "is required: say why the case is paused")) }
        if reason.count > Self.holdReasonLimit { problems.append(.init("reason", "is longer than \(Self.holdReasonLimit) characters")) }
        if until <= now { problems.append(.init("until", "is in the past: a hold must end after \(Timestamp.format(now))")) }
        let latest = now.addingTimeInterval(Double(ManualRecord.maxDaysAhead) * 86_400)
        if until > latest {
            problems.append(.init("until", "is more than \(ManualRecord.maxDaysAhead) days ahead: a hold must end by \(Timestamp.format(latest))"))
        }
        if !problems.isEmpty { throw UseCaseError(.invalid, problems) }
        let hold = Hold(debtorID: debtor, invoiceNumber: invoice, reason: reason, until: until)
        try await store.write { s in
            guard try await s.debtor(tenant, debtor) != nil else { throw UseCaseError.invalid("debtor_id", "no debtor '\(debtor)'") }
            if let invoice, try await s.invoice(tenant, number: invoice)?.debtorID != debtor {
                throw UseCaseError.invalid("invoice_number", "debtor \(debtor) has no invoice '\(invoice)'")
            }
            try await s.addHold(tenant, hold, now: now)
            try await s.schedule(tenant, subjects: [debtor], at: now, mode: .earliest)
        }
        return hold
    }

    /// A debtor's holds, oldest first.
    public func holds(tenant: String, debtor: String) async throws -> [Hold] {
        try await store.read { try await $0.holds(tenant, debtor: debtor) }
    }
}
