import Crypto
import Foundation
import OverdueCore

/// What rotating the master key changed (`Store.rotateMasterKey`).
public struct MasterKeyRotation: Sendable {
    /// Secrets opened with the old key and sealed with the new one.
    public var secretsResealed: Int
    /// Audit entries whose hash was recomputed under the new key (every keyed one).
    public var auditEntriesRekeyed: Int
    /// The chain's new head (`ID:HASH`): an anchor kept from before no longer matches.
    public var auditHead: String?
}

extension Session {
    /// This session with the keys of `key` (and no transaction notes: what it writes is written at
    /// once, in the transaction the session belongs to).
    func with(_ key: MasterKey) -> Session {
        Session(
            db: db, dialect: dialect, sqlite: sqlite, postgres: postgres, statementTimeout: postgresStatementTimeout, clock: clock,
            auditKey: key.derived(MasterKey.Purpose.auditChain), secretsKey: key.derived(MasterKey.Purpose.secrets), counter: counter, notes: nil,
            rulesCache: rulesCache)
    }

    /// Moves everything the master key protects to `next`, in this transaction: every sealed
    /// secret is opened and sealed again, every keyed audit entry's hash is recomputed (the chain
    /// must hold under the current key first: a rotation must never launder a forged entry), the
    /// seal of the entries from before the chain was keyed and the key's check are made again,
    /// and the rotation is audited under the new key.
    func rotateMasterKey(to next: MasterKey, at: Date) async throws -> MasterKeyRotation {
        if let broken = try await brokenAuditLink() {
            throw StoreError.corrupt(
                "the audit chain does not hold under the current master key at entry \(broken.id): rotating would hide it; the key is unchanged")
        }
        let fresh = with(next)
        var resealed = 0
        for r in try await rows("SELECT id, settings FROM tenants") {
            let tenant = try r.string("id")
            var values = Self.storedValues(try r.string("settings"))
            var changed = false
            for (key, value) in values where value.hasPrefix(Self.sealedPrefix) {
                values[key] = try fresh.seal(try open(value, for: "setting:\(tenant):\(key)"), for: "setting:\(tenant):\(key)")
                changed = true
                resealed += 1
            }
            if changed { try await exec("UPDATE tenants SET settings = ? WHERE id = ?", [.text(Session.json(values)), .text(tenant)]) }
        }
        for r in try await rows("SELECT id, totp_secret, totp_pending FROM users WHERE totp_secret IS NOT NULL OR totp_pending IS NOT NULL") {
            let id = try r.string("id")
            for column in ["totp_secret", "totp_pending"] {
                guard let value = try r.optString(column), value.hasPrefix(Self.sealedPrefix) else { continue }
                let place = "user:\(id):\(column)"
                try await exec("UPDATE users SET \(column) = ? WHERE id = ?", [.text(try fresh.seal(try open(value, for: place), for: place)), .text(id)])
                resealed += 1
            }
        }
        // The chain again, each keyed entry hashed under the new key over its (new) predecessor.
        let sealedUntil = try await unkeyedAuditLimit()
        var prev = String(repeating: "0", count: 64)
        var rekeyed = 0
        for e in try await auditLog() {
            let hash =
                e.keyed
                ? AuditEntry.digest(
                    prev: prev, tenant: e.tenant, at: e.at, actor: e.actor, action: e.action, object: e.object, outcome: e.outcome, ip: e.ip,
                    detail: e.detail, key: fresh.auditKey) : e.hash
            if hash != e.hash || prev != e.prevHash {
                try await exec("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", [.text(prev), .text(hash), .int(e.id)])
            }
            if e.keyed { rekeyed += 1 }
            prev = hash
        }
        try await exec(
            "UPDATE store_facts SET value = ? WHERE name = 'unkeyed_audit_until'", [.text(fresh.sealUnkeyedAudit(until: sealedUntil))])
        try await exec("UPDATE store_facts SET value = ? WHERE name = 'master_key_check'", [.text(next.check)])
        try await fresh.appendAudits([
            AuditDraft(
                tenant: nil, actor: "operator", action: "master_key.rotated", object: nil, outcome: "ok", ip: nil,
                detail: "\(resealed) secret(s) sealed again, \(rekeyed) audit entries hashed again under the new key", at: at)
        ])
        let head = try await auditHead().map { "\($0.id):\($0.hash)" }
        return MasterKeyRotation(secretsResealed: resealed, auditEntriesRekeyed: rekeyed, auditHead: head)
    }
}
