import Foundation
import OverdueCore
import OverdueStore

/// API keys made and revoked: from the API (`/api/v1/keys`), the keys settings page and
/// `overdue keys create|revoke`.
extension UseCases {
    /// Makes an API key named `name` with `role`, as `actor`; its secret is in the answer only (the
    /// store keeps a hash). `grantor` is the role of the person making it, when a person's role
    /// limits what they may grant (only an owner grants the owner role; refused `forbidden`); nil
    /// for the operator at the command line.
    public func createAPIKey(
        tenant: String, name: String, role: Role, by actor: String, grantor: Role?, ip: String? = nil,
        at: Date? = nil
    ) async throws -> (key: String, record: APIKey) {
        if let grantor, !grantor.mayGrant(role) { throw UseCaseError(.forbidden, [Problem("role", "only an owner may grant the owner role")]) }
        let now = at ?? clock.now()
        return try await store.write { s in
            let made = try await s.createAPIKey(tenant, name: name, role: role, now: now)
            try await s.appendAudit(
                tenant: tenant, actor: actor, action: "key.created", object: made.record.prefix, outcome: "ok", ip: ip,
                detail: "role \(role.rawValue), \(name)", at: now)
            return made
        }
    }

    /// Revokes the key `prefix` (`od_…`) as `actor`: it stops working at once. Refused when the
    /// tenant has no such key (`notFound`).
    public func revokeAPIKey(tenant: String, prefix: String, by actor: String, ip: String? = nil, at: Date? = nil) async throws {
        let now = at ?? clock.now()
        try await store.write { s in
            guard try await s.revokeAPIKey(tenant, prefix: prefix, now: now) else { throw UseCaseError.notFound("prefix", "no API key '\(prefix)'") }
            try await s.appendAudit(tenant: tenant, actor: actor, action: "key.revoked", object: prefix, outcome: "ok", ip: ip, detail: nil, at: now)
        }
    }
}

private typealias Problem = UseCaseError.Problem
