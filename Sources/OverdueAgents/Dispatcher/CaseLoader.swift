import Foundation
import OverdueCore
import OverdueStore

/// Reads what a decision about a case needs: its facts as of an instant, and its tenant's rules.
/// The one place the dispatcher and the conversation engine load a case from.
struct CaseLoader: Sendable {
    /// Loads the facts the planner needs about `debtor` as of `now` (nothing after `now` is visible).
    func facts(_ s: Session, tenant: String, debtor: Debtor, now: Date) async throws -> CaseFacts {
        CaseFacts(
            debtor: debtor,
            contacts: try await s.contacts(tenant, debtor: debtor.id),
            invoices: try await s.invoices(tenant, debtor: debtor.id),
            payments: try await s.payments(tenant, debtor: debtor.id),
            holds: try await s.holds(tenant, debtor: debtor.id),
            suppressions: try await s.suppressions(tenant, debtor: debtor.id),
            sent: try await s.sentAttempts(tenant, debtor: debtor.id, since: now.addingTimeInterval(-8 * 86_400), until: now),
            replies: try await s.receivedReplies(tenant, debtor: debtor.id, since: now.addingTimeInterval(-2 * 86_400), until: now),
            commitments: try await s.commitments(tenant, debtor: debtor.id).filter { $0.madeAt <= now },
            disputes: try await s.disputes(tenant, debtor: debtor.id).filter { $0.openedAt <= now })
    }

    /// The tenant's settings, policy and template overrides.
    func rules(_ s: Session, tenant: String) async throws -> TenantRules {
        TenantRules(settings: try await s.settings(tenant), policy: try await s.policy(tenant), templates: try await s.templates(tenant))
    }
}

/// A tenant's settings and policy, loaded once for many plannings.
public struct TenantRules: Sendable {
    /// Settings.
    public var settings: TenantSettings
    /// Policy.
    public var policy: Policy
    /// Template overrides.
    public var templates: [TemplateOverride]

}

extension CaseProcessor {
    /// A tenant's rules (the type is `TenantRules`).
    public typealias TenantRules = OverdueAgents.TenantRules
}
