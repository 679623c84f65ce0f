import Foundation
import OverdueCore
import OverdueStore

/// API keys made and revoked: from the API (`/api/v1/keys`), the keys settings page and
/// `overdue keys create|revoke`.
extension UseCases {
    /// Days a new key works unless asked otherwise…
    public static let keyLifetimeDays = 365
    /// …and at most.
    public static let keyLifetimeMaxDays = 730

    /// Makes an API key named `name` with `role`, as `actor`; its secret is in the answer only (the
    /// store keeps a hash). It expires after `expiresInDays` (default 365, at most 730). `grantor` is
    /// the role of the person making it, when a person's role limits what they may grant: a key is
    /// never more than its maker (refused `forbidden`); nil for the operator at the command line.
    /// `maker` is the user making it (their id): the key stops working when they are disabled or
    /// their role no longer covers it.
    public func createAPIKey(
        tenant: String, name: String, role: Role, by actor: String, grantor: Role?, maker: String? = nil, expiresInDays: Int? = nil,
        ip: String? = nil, at: Date? = nil
    ) async throws -> (key: String, record: APIKey) {
        if let grantor, !grantor.mayGrant(role) { throw UseCaseError(.forbidden, [Problem("role", "only an owner may grant the owner role")]) }
        if let grantor, !grantor.covers(role) {
            throw UseCaseError(.forbidden, [Problem("role", "a key cannot do more than its maker: your role is \(grantor.rawValue)")])
        }
        let days = expiresInDays ?? Self.keyLifetimeDays
        guard (1...Self.keyLifetimeMaxDays).contains(days) else {
            throw UseCaseError.invalid("expires_in_days", "must be between 1 and \(Self.keyLifetimeMaxDays) (got \(days))")
        }
        let now = at ?? clock.now()
        let expires = now.addingTimeInterval(Double(days) * 86_400)
        return try await store.write { s in
            let made = try await s.createAPIKey(tenant, name: name, role: role, now: now, createdBy: maker ?? actor, expiresAt: expires)
            try await s.appendAudit(
                tenant: tenant, actor: actor, action: "key.created", object: made.record.prefix, outcome: "ok", ip: ip,
                detail: "role \(role.rawValue), \(name), expires \(Timestamp.format(expires))", at: now)
            return made
        }
    }

    /// Revokes the key `prefix` (`od_…`) as `actor`: it stops working at once. Refused when the
    /// tenant has no such key (`notFound`), or when `revoker` (the person's role; nil for the operator)
    /// may not touch the key's role: only an owner revokes an owner's key (`forbidden`).
    public func revokeAPIKey(tenant: String, prefix: String, by actor: String, revoker: Role? = nil, ip: String? = nil, at: Date? = nil) async throws {
        let now = at ?? clock.now()
        try await store.write { s in
            if let revoker, let key = try await s.apiKey(tenant, prefix: prefix), !revoker.mayGrant(key.role) {
                throw UseCaseError(.forbidden, [Problem("prefix", "only an owner may revoke a key with the owner role")])
            }
            guard try await s.revokeAPIKey(tenant, prefix: prefix, now: now) else { throw UseCaseError.notFound("prefix", "no API key '\(prefix)'") }
            try await s.appendAudit(tenant: tenant, actor: actor, action: "key.revoked", object: prefix, outcome: "ok", ip: ip, detail: nil, at: now)
        }
    }
}

private typealias Problem = UseCaseError.Problem
