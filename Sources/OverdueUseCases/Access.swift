import Foundation
import OverdueAgents
import OverdueCore
import OverdueStore

/// What a door does around a request rather than in it: `Idempotency-Key` bookkeeping (the API),
/// a debtor's links (an email's tracking pixel and link clicks, the document links of the
/// portal), and the audit log's reading and verification.
extension UseCases {
    // MARK: Idempotency

    /// Claims `key` for a request with `fingerprint` (method, path, body digest): new, a replay
    /// of the kept answer, a mismatch (the key was used for another request) or in flight.
    public func beginIdempotent(tenant: String, key: String, fingerprint: String) async throws -> IdempotentRequest {
        let now = clock.now()
        return try await store.write { try await $0.beginIdempotent(tenant, key: key, fingerprint: fingerprint, now: now) }
    }

    /// Keeps the answer to `key` for replays.
    public func finishIdempotent(tenant: String, key: String, status: Int, contentType: String?, body: String) async throws {
        try await store.write { try await $0.finishIdempotent(tenant, key: key, status: status, contentType: contentType, body: body) }
    }

    /// Forgets `key` (its request failed on our side: a retry runs again).
    public func dropIdempotent(tenant: String, key: String) async throws {
        try await store.write { try await $0.dropIdempotent(tenant, key: key) }
    }

    // MARK: Links

    /// The message whose link token is `token`, with its tenant (nil: not a token of ours).
    public func message(linkToken token: String) async throws -> (tenant: String, message: MessageRecord)? {
        guard token.count >= 20, token.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else { return nil }
        return try await store.read { try await $0.message(linkToken: token) }
    }

    /// Records that the debtor opened message `id` (`click` false: the pixel loaded) or followed one of its links.
    public func recordEngagement(tenant: String, message id: String, click: Bool) async throws {
        let now = clock.now()
        try await store.write { try await $0.recordEngagement(tenant, message: id, click: click, at: now) }
    }

    // MARK: Audit log

    /// The audit log, oldest first: the tenant's entries, or every entry when `tenant` is nil.
    public func auditLog(tenant: String?) async throws -> [AuditEntry] {
        try await store.read { try await $0.auditLog(tenant: tenant) }
    }

    /// The tenant's latest `limit` entries, newest first, and the first of them whose own hash
    /// does not hold (altered after it was written). The links between all entries (the whole
    /// log, every tenant) are what `verifyAudit` walks.
    public func latestAudit(tenant: String, limit: Int) async throws -> (entries: [AuditEntry], altered: AuditEntry?) {
        try await store.read { s in
            let entries = try await s.latestAudit(tenant: tenant, limit: limit)
            return (entries, entries.first { !s.holds($0) })
        }
    }

    /// Walks the whole chain (every tenant): the first entry whose hash or link does not hold
    /// (nil: the chain is whole) and how many entries there are.
    public func verifyAudit() async throws -> (broken: AuditEntry?, count: Int) {
        try await store.read { s in (try await s.brokenAuditLink(), try await s.auditLog().count) }
    }

    /// The chain's head (`ID:HASH`), for an operator to keep outside the database; nil while the
    /// log is empty.
    public func auditAnchor() async throws -> String? {
        try await store.read { try await $0.auditHead() }.map { "\($0.id):\($0.hash)" }
    }

    /// Whether the entry `anchor` (`ID:HASH`, from `auditAnchor`) names is still in the log
    /// unchanged: a log truncated or rewritten since fails. Refused (`invalid`) when `anchor` is not
    /// of that form.
    public func auditAnchorHolds(_ anchor: String) async throws -> Bool {
        let parts = anchor.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let id = Int64(parts[0]), parts[1].count == 64, parts[1].allSatisfy(\.isHexDigit) else {
            throw UseCaseError.invalid("anchor", "'\(anchor)' is not an anchor: give ID:HASH as `overdue audit anchor` printed it")
        }
        return try await store.read { try await $0.auditAnchorHolds(id: id, hash: String(parts[1])) }
    }
}

extension UseCases {
    /// The debtor followed the unsubscribe link of `message` (RFC 8058): its contact is opted out
    /// of email, and the case re-planned.
    public func unsubscribe(tenant: String, message: MessageRecord) async throws {
        try await sender().unsubscribe(tenant: tenant, message: message, now: clock.now())
    }
}

extension UseCases {
    /// What `rotateMasterKey` did.
    public struct KeyRotation: Sendable {
        /// Secrets sealed again under the new key.
        public var secretsResealed: Int
        /// Audit entries hashed again under the new key.
        public var auditEntriesRekeyed: Int
        /// The audit chain's new head (`ID:HASH`): an anchor kept from before no longer matches.
        public var auditHead: String?
        /// Where the new key is.
        public var keyFile: String
        /// Where the old key was moved (nil when the new key went to a file of its own): keep it
        /// while backups made with it may be restored, then delete it.
        public var oldKeyFile: String?
    }

    /// Replaces the master key with a new random one (issue 20, finding 7): the new key is written
    /// first (to `newKeyFile`, or beside the current key file as `FILE.new`), then the database is
    /// moved to it in one transaction, then — when it replaces the current file — the old file
    /// becomes `FILE.old-TIMESTAMP` and the new one takes its name. Refused (`invalid`) when the
    /// current key is not a file and no `newKeyFile` is given. The use cases' store keeps the old
    /// key: close it afterwards.
    public func rotateMasterKey(newKeyFile: String?) async throws -> KeyRotation {
        let current = store.masterKeyFile
        guard let target = newKeyFile ?? current else {
            throw UseCaseError.invalid(
                "new_key_file",
                "the master key comes from \(store.masterKeySource), not a file: give a new file for the new key, then give that file to every process (OVERDUE_MASTER_KEY_FILE)"
            )
        }
        let replacing = target == current
        let staged = replacing ? target + ".new" : target
        let next: MasterKey
        do { next = try MasterKey.made(at: staged) } catch {
            throw UseCaseError.invalid(
                "new_key_file", "\(error)" + (replacing ? " (an earlier rotation may have stopped half-way: see whether the database opens with it)" : ""))
        }
        let rotation: MasterKeyRotation
        do { rotation = try await store.rotateMasterKey(to: next) } catch {
            // Nothing changed in the database: the new key is no use.
            try? FileManager.default.removeItem(atPath: staged)
            throw error
        }
        func report(old: String?) -> KeyRotation {
            KeyRotation(
                secretsResealed: rotation.secretsResealed, auditEntriesRekeyed: rotation.auditEntriesRekeyed, auditHead: rotation.auditHead,
                keyFile: target, oldKeyFile: old)
        }
        guard replacing else { return report(old: nil) }
        let old = target + ".old-" + Timestamp.format(clock.now()).replacingOccurrences(of: ":", with: "")
        try FileManager.default.moveItem(atPath: target, toPath: old)
        try FileManager.default.moveItem(atPath: staged, toPath: target)
        return report(old: old)
    }
}
