import Foundation
import OverdueCore
import OverdueStore

/// Reads a case as a decision about it needs it: its snapshot as of an instant (one statement, two
/// when messages are booked) and the planner's facts from it. The one place the dispatcher and the
/// conversation engine load a case from (the tenant's rules come from `Store.rules`).
struct CaseLoader: Sendable {
    /// How far back attempts count for the contact rules (caps per day and per 7 days).
    static let sentWindow: TimeInterval = 8 * 86_400
    /// How far back replies count (a fresh reply holds the ladder).
    static let replyWindow: TimeInterval = 2 * 86_400

    /// `debtorID`'s case as stored, and the planner's facts as of `now`; nil when there is no such debtor.
    func load(_ s: Session, tenant: String, debtorID: String, now: Date) async throws -> (snapshot: CaseSnapshot, facts: CaseFacts)? {
        try await load(s, [(tenant, debtorID, now)])[0].get()
    }

    /// Many cases read together (one statement for them all), each as of its own instant; each
    /// comes back on its own (nil when there is no such debtor, an error when its rows are corrupt).
    func load(_ s: Session, _ cases: [(tenant: String, debtorID: String, now: Date)]) async throws -> [Result<
        (snapshot: CaseSnapshot, facts: CaseFacts)?, any Error
    >] {
        let snapshots = try await s.caseSnapshots(
            cases.map { SnapshotRequest(tenant: $0.tenant, debtor: $0.debtorID, repliesSince: $0.now.addingTimeInterval(-Self.replyWindow), until: $0.now) })
        return zip(snapshots, cases).map { snapshot, c in
            snapshot.map { $0.map { ($0, Self.facts($0, now: c.now)) } }
        }
    }

    /// The facts the planner needs as of `now` (nothing after `now` is visible).
    static func facts(_ s: CaseSnapshot, now: Date) -> CaseFacts {
        let since = now.addingTimeInterval(-sentWindow)
        return CaseFacts(
            debtor: s.debtor, contacts: s.contacts, invoices: s.invoices, payments: s.payments, holds: s.holds, suppressions: s.suppressions,
            sent: s.outbound.compactMap { a in
                guard a.status == .sent || a.status == .pending, a.at > since, a.at <= now, let cid = a.contactID else { return nil }
                return SentAttempt(at: a.at, channel: a.channel, contactID: cid)
            },
            replies: s.replies.filter { $0.at <= now },
            commitments: s.commitments.filter { $0.madeAt <= now },
            disputes: s.disputes.filter { $0.openedAt <= now })
    }
}

extension CaseProcessor {
    /// A tenant's rules (the type is `OverdueStore.TenantRules`).
    public typealias TenantRules = OverdueStore.TenantRules
}
