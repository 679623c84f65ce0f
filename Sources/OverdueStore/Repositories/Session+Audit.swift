import Crypto
import Foundation
import OverdueCore

extension Session {
    static let auditLockKey: Int64 = 0x0_0E_D0E_0A0D

    /// Appends an entry, chained to the last one.
    public func appendAudit(tenant: String?, actor: String, action: String, object: String?, outcome: String, ip: String?, detail: String?, at: Date)
        async throws
    {
        try await appendAudits([
            AuditDraft(tenant: tenant, actor: actor, action: action, object: object, outcome: outcome, ip: ip, detail: detail, at: at)
        ])
    }

    /// Appends entries to the audit chain in their order: one lock, one read of the last hash and
    /// one insert however many there are. Inside a transaction they are written when it is about to
    /// commit, with the rest of its entries: the chain's lock (every writer's) is then held for the
    /// last statements of a transaction, not for all of it.
    public func appendAudits(_ drafts: [AuditDraft]) async throws {
        guard !drafts.isEmpty else { return }
        if let notes {
            notes.deferAudits(drafts)
            return
        }
        try await writeAudits(drafts)
    }

    /// Writes the audit entries the transaction deferred (`Store` calls it before COMMIT).
    func writeDeferredAudits() async throws {
        guard let notes else { return }
        try await writeAudits(notes.takeAudits())
    }

    private func writeAudits(_ drafts: [AuditDraft]) async throws {
        guard !drafts.isEmpty else { return }
        // One writer at a time reads the last hash: PostgreSQL needs a lock for it (SQLite's
        // BEGIN IMMEDIATE already serialises writers).
        if dialect == .postgres { try await exec("SELECT pg_advisory_xact_lock(\(Self.auditLockKey))") }
        var prev = try await row("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1", []).map { try $0.string("hash") } ?? String(repeating: "0", count: 64)
        var rows: [[SQLValue]] = []
        rows.reserveCapacity(drafts.count)
        for d in drafts {
            // A debtor's words may be quoted in a detail: card and bank numbers and secrets never are.
            let object = d.object.map(Redaction.redact)
            let detail = d.detail.map(Redaction.redact)
            let hash = AuditEntry.digest(
                prev: prev, tenant: d.tenant, at: d.at, actor: d.actor, action: d.action, object: object, outcome: d.outcome, ip: d.ip, detail: detail,
                key: auditKey)
            rows.append([
                .opt(d.tenant), .time(d.at), .text(d.actor), .text(d.action), .opt(object), .text(d.outcome), .opt(d.ip), .opt(detail), .text(prev),
                .text(hash), .int(1),
            ])
            prev = hash
        }
        try await insertMany(
            "audit_log", columns: ["tenant_id", "at", "actor", "action", "object", "outcome", "ip", "detail", "prev_hash", "hash", "keyed"], rows: rows)
    }

    /// The audit log, oldest first (optionally one tenant's).
    public func auditLog(tenant: String? = nil) async throws -> [AuditEntry] {
        var sql = "SELECT * FROM audit_log"
        var binds: [SQLValue] = []
        if let tenant { sql += " WHERE tenant_id = ?"; binds.append(.text(tenant)) }
        return try await rows(sql + " ORDER BY id", binds).map(Self.auditEntry)
    }

    /// The tenant's latest `limit` entries, newest first.
    public func latestAudit(tenant: String, limit: Int) async throws -> [AuditEntry] {
        try await rows("SELECT * FROM audit_log WHERE tenant_id = ? ORDER BY id DESC LIMIT \(max(1, limit))", [.text(tenant)]).map(Self.auditEntry)
    }

    static func auditEntry(_ r: any StoredRow) throws -> AuditEntry {
        AuditEntry(
            id: try r.int("id"), tenant: try r.optString("tenant_id"), at: try r.time("at"), actor: try r.string("actor"),
            action: try r.string("action"), object: try r.optString("object"), outcome: try r.string("outcome"), ip: try r.optString("ip"),
            detail: try r.optString("detail"), prevHash: try r.string("prev_hash"), hash: try r.string("hash"), keyed: try r.bool("keyed"))
    }

    /// Whether `entry`'s hash is what its fields and its predecessor's hash give: an HMAC under the
    /// audit key for a keyed entry, plain SHA-256 for one written before the chain was keyed.
    public func holds(_ entry: AuditEntry) -> Bool {
        entry.hash
            == AuditEntry.digest(
                prev: entry.prevHash, tenant: entry.tenant, at: entry.at, actor: entry.actor, action: entry.action, object: entry.object,
                outcome: entry.outcome, ip: entry.ip, detail: entry.detail, key: entry.keyed ? auditKey : nil)
    }

    /// The newest entry's id and hash: the anchor an operator keeps outside the database
    /// (`overdue audit anchor`), nil while the log is empty.
    public func auditHead() async throws -> (id: Int64, hash: String)? {
        try await row("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").map { (try $0.int("id"), try $0.string("hash")) }
    }

    /// Whether the entry an anchor names is still in the log, unchanged (a log truncated or
    /// rewritten since the anchor was taken fails this).
    public func auditAnchorHolds(id: Int64, hash: String) async throws -> Bool {
        try await row("SELECT hash FROM audit_log WHERE id = ?", [.int(id)])?.string("hash") == hash
    }

    /// The first entry whose hash or link to its predecessor does not hold, or nil when the chain is
    /// whole. An unkeyed entry (which anyone with the database could compute) holds only among those
    /// written before the chain was keyed, as sealed then (`sealUnkeyedAudit`).
    public func brokenAuditLink() async throws -> AuditEntry? {
        let sealed = try await unkeyedAuditLimit()
        var prev = String(repeating: "0", count: 64)
        for e in try await auditLog() {
            if e.prevHash != prev || !holds(e) || (!e.keyed && e.id > sealed) { return e }
            prev = e.hash
        }
        return nil
    }

    /// `ID:TAG`: the last entry written before the chain was keyed, tagged with the audit key.
    func sealUnkeyedAudit(until id: Int64) -> String {
        "\(id):" + Hex.string(HMAC<SHA256>.authenticationCode(for: Data("unkeyed-audit-until:\(id)".utf8), using: auditKey))
    }

    /// The last entry that may be unkeyed (0 when the seal is missing or forged).
    func unkeyedAuditLimit() async throws -> Int64 {
        guard let value = try await row("SELECT value FROM store_facts WHERE name = 'unkeyed_audit_until'")?.string("value"),
            let id = Int64(value.prefix { $0 != ":" }), sealUnkeyedAudit(until: id) == value
        else { return 0 }
        return id
    }

    /// Reason codes of contact-rule decisions (windows, caps, consent, opt-outs, dead addresses):
    /// each decision naming one is in the audit log.
    public static let complianceCodes: Set<String> = [
        "outside_window", "holiday", "daily_cap", "call_cap", "replied_today", "moved", "never_allowed", "stage_skipped", "unreachable",
        "complaint", "unsubscribed", "bad_number", "hard_bounce",
    ]

    /// An entry for something Overdue itself did (`system`), at the wall-clock time it was recorded.
    public func auditSystem(_ tenant: String, action: String, object: String?, outcome: String = "ok", detail: String?) async throws {
        try await appendAudits([.system(tenant, action: action, object: object, outcome: outcome, detail: detail, at: clock.now())])
    }
}

/// An audit entry to append (the chain's hashes are computed when it is written).
public struct AuditDraft: Sendable {
    /// The tenant (nil for the operator's own actions).
    public var tenant: String?
    /// Who: a user, a key, `system`.
    public var actor: String
    /// What was done.
    public var action: String
    /// What it was done to.
    public var object: String?
    /// `ok`, `denied`, …
    public var outcome: String
    /// The caller's address, when a caller made it.
    public var ip: String?
    /// Detail (redacted when written).
    public var detail: String?
    /// When.
    public var at: Date

    /// An entry.
    public init(tenant: String?, actor: String, action: String, object: String?, outcome: String, ip: String?, detail: String?, at: Date) {
        (self.tenant, self.actor, self.action, self.object, self.outcome, self.ip, self.detail, self.at) =
            (tenant, actor, action, object, outcome, ip, detail, at)
    }

    /// An entry for something Overdue itself did.
    public static func system(_ tenant: String, action: String, object: String?, outcome: String = "ok", detail: String?, at: Date) -> AuditDraft {
        AuditDraft(tenant: tenant, actor: "system", action: action, object: object, outcome: outcome, ip: nil, detail: detail, at: at)
    }
}

extension AuditEntry {
    /// The hash of an entry over the previous hash and every field (hex): HMAC-SHA256 under `key`,
    /// or plain SHA-256 when `key` is nil (entries written before the chain was keyed).
    public static func digest(
        prev: String, tenant: String?, at: Date, actor: String, action: String, object: String?, outcome: String, ip: String?, detail: String?,
        key: SymmetricKey?
    ) -> String {
        let fields = [prev, tenant ?? "", Timestamp.format(at), actor, action, object ?? "", outcome, ip ?? "", detail ?? ""]
        // Length-prefixed, so no two different entries hash the same text.
        let text = Data(fields.map { "\($0.utf8.count):\($0)" }.joined().utf8)
        guard let key else { return Hex.string(SHA256.hash(data: text)) }
        return Hex.string(HMAC<SHA256>.authenticationCode(for: text, using: key))
    }
}
