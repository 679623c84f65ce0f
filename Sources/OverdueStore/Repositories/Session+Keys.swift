import Crypto
import Foundation
import OverdueCore

extension Session {
    /// Makes a key for `tenant`; returns it whole — the only time it is ever seen.
    public func createAPIKey(_ tenant: String, name: String, role: Role, now: Date) async throws -> (key: String, record: APIKey) {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")
        var rng = SystemRandomNumberGenerator()
        let id = String((0..<10).map { _ in alphabet.randomElement(using: &rng)! })
        let key = "od_\(id)_\(SecretToken.make(bytes: 30))"
        let record = APIKey(prefix: "od_\(id)", tenant: tenant, name: name, role: role, createdAt: now)
        try await exec(
            "INSERT INTO api_keys (prefix, tenant_id, name, role, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            [.text(record.prefix), .text(tenant), .text(name), .text(role.rawValue), .text(APIKey.hash(key)), .time(now)])
        return (key, record)
    }

    /// The live key matching `key` (constant-time hash comparison), nil when unknown or revoked.
    public func apiKey(matching key: String) async throws -> APIKey? {
        guard let prefix = APIKey.prefix(of: key), let r = try await row("SELECT * FROM api_keys WHERE prefix = ?", [.text(prefix)]) else { return nil }
        guard ConstantTime.equal(try r.string("hash"), APIKey.hash(key)), try r.optString("revoked_at") == nil else { return nil }
        return try Self.apiKey(r)
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
        return APIKey(
            prefix: try r.string("prefix"), tenant: try r.string("tenant_id"), name: try r.string("name"), role: role,
            createdAt: try r.time("created_at"), revokedAt: try r.optTime("revoked_at"), lastUsedAt: try r.optTime("last_used_at"))
    }
}

extension APIKey {
    /// SHA-256 of a key, hex.
    public static func hash(_ key: String) -> String { Hex.string(SHA256.hash(data: Data(key.utf8))) }
}
