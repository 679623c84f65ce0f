import Crypto
import Foundation
import OverdueCore

extension Session {
    /// Makes a key for `tenant`; returns it whole — the only time it is ever seen. `createdBy` is
    /// the user (or actor) who made it; `expiresAt` nil: it does not expire.
    public func createAPIKey(
        _ tenant: String, name: String, role: Role, now: Date, createdBy: String? = nil, expiresAt: Date? = nil
    ) async throws -> (key: String, record: APIKey) {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")
        var rng = SystemRandomNumberGenerator()
        let id = String((0..<10).map { _ in alphabet.randomElement(using: &rng)! })
        let key = "od_\(id)_\(SecretToken.make(bytes: 30))"
        var record = APIKey(prefix: "od_\(id)", tenant: tenant, name: name, role: role, createdAt: now)
        record.createdBy = createdBy
        record.expiresAt = expiresAt
        try await exec(
            "INSERT INTO api_keys (prefix, tenant_id, name, role, hash, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                .text(record.prefix), .text(tenant), .text(name), .text(role.rawValue), .text(APIKey.hash(key)), .time(now), .opt(createdBy),
                .time(expiresAt),
            ])
        return (key, record)
    }

    /// The live key matching `key` (constant-time hash comparison) at `now` (the store's clock when
    /// nil): nil when unknown, revoked, expired, or made by a user who is disabled or whose role no
    /// longer covers it.
    public func apiKey(matching key: String, now given: Date? = nil) async throws -> APIKey? {
        let now = given ?? clock.now()
        guard let prefix = APIKey.prefix(of: key),
            let r = try await row(
                "SELECT k.*, u.role AS maker_role, u.disabled_at AS maker_disabled FROM api_keys k LEFT JOIN users u ON u.id = k.created_by WHERE k.prefix = ?",
                [.text(prefix)])
        else { return nil }
        guard ConstantTime.equal(try r.string("hash"), APIKey.hash(key)), try r.optString("revoked_at") == nil else { return nil }
        let found = try Self.apiKey(r)
        if let expires = found.expiresAt, expires <= now { return nil }
        if try r.optString("maker_disabled") != nil { return nil }
        if let maker = try r.optString("maker_role").flatMap(Role.init(rawValue:)), !maker.covers(found.role) { return nil }
        return found
    }

    /// Revokes the keys user `id` made that its role `role` no longer covers (every one when
    /// `role` is nil: the user was disabled); returns their prefixes.
    public func revokeAPIKeys(madeBy id: String, beyond role: Role?, now: Date) async throws -> [String] {
        let keys = try await rows("SELECT prefix, role FROM api_keys WHERE created_by = ? AND revoked_at IS NULL", [.text(id)])
        var revoked: [String] = []
        for k in keys {
            let keyRole = Role(rawValue: try k.string("role")) ?? .owner
            guard role.map({ !$0.covers(keyRole) }) ?? true else { continue }
            let prefix = try k.string("prefix")
            try await exec("UPDATE api_keys SET revoked_at = ? WHERE prefix = ?", [.time(now), .text(prefix)])
            revoked.append(prefix)
        }
        return revoked
    }

    /// The tenant's key with `prefix` (revoked or not), nil when it has none.
    public func apiKey(_ tenant: String, prefix: String) async throws -> APIKey? {
        try await row("SELECT * FROM api_keys WHERE tenant_id = ? AND prefix = ?", [.text(tenant), .text(prefix)]).map(Self.apiKey)
    }

    /// The tenant's keys, newest first.
    public func apiKeys(_ tenant: String) async throws -> [APIKey] {
        try await rows("SELECT * FROM api_keys WHERE tenant_id = ? ORDER BY created_at DESC, prefix", [.text(tenant)]).map(Self.apiKey)
    }

    /// Revokes the tenant's key with `prefix`; false when there is none (or it is another tenant's).
    public func revokeAPIKey(_ tenant: String, prefix: String, now: Date) async throws -> Bool {
        try await !rows(
            "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE tenant_id = ? AND prefix = ? RETURNING prefix",
            [.time(now), .text(tenant), .text(prefix)]
        ).isEmpty
    }

    /// Notes that a key was used.
    public func touchAPIKey(_ prefix: String, at: Date) async throws {
        try await exec("UPDATE api_keys SET last_used_at = ? WHERE prefix = ?", [.time(at), .text(prefix)])
    }

    static func apiKey(_ r: any StoredRow) throws -> APIKey {
        guard let role = Role(rawValue: try r.string("role")) else { throw StoreError.corrupt("api key role") }
        var key = APIKey(
            prefix: try r.string("prefix"), tenant: try r.string("tenant_id"), name: try r.string("name"), role: role,
            createdAt: try r.time("created_at"), revokedAt: try r.optTime("revoked_at"), lastUsedAt: try r.optTime("last_used_at"))
        key.createdBy = try r.optString("created_by")
        key.expiresAt = try r.optTime("expires_at")
        return key
    }
}

extension APIKey {
    /// SHA-256 of a key, hex.
    public static func hash(_ key: String) -> String { Hex.string(SHA256.hash(data: Data(key.utf8))) }
}
