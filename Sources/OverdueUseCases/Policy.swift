import Foundation
import OverdueCore
import OverdueStore

/// Setting the escalation policy: from the API (`PUT /api/v1/policy`), the cadence page and
/// `overdue policy set`. Each door parses its own form of the policy (JSON body, form fields, a
/// file) with `Policy.parse`; this records it.
extension UseCases {
    /// Puts `policy` in force for `tenant` as `actor` (`source`, e.g. the file, goes in the audit
    /// entry), and re-plans every case at once.
    public func changePolicy(tenant: String, _ policy: Policy, by actor: String, source: String? = nil, ip: String? = nil, at: Date? = nil) async throws {
        let now = at ?? clock.now()
        try await store.write { s in
            try await s.savePolicy(tenant, policy)
            try await s.scheduleAll(tenant, at: Session.asap, mode: .earliest)
            try await s.appendAudit(tenant: tenant, actor: actor, action: "policy.set", object: policy.name, outcome: "ok", ip: ip, detail: source, at: now)
        }
    }
}
