import Foundation

/// One entry of the audit log.
public struct AuditEntry: Hashable, Sendable {
    /// Sequence number.
    public var id: Int64
    /// The tenant, if the action concerned one.
    public var tenant: String?
    /// When (UTC).
    public var at: Date
    /// Who: `user:…`, `key:…`, `system`, or a provider (`webhook:twilio`).
    public var actor: String
    /// What (`webhook.rejected`, `message.sent`, …).
    public var action: String
    /// The object's id, if any.
    public var object: String?
    /// `ok`, `denied`, `failed`.
    public var outcome: String
    /// The client's address, if known.
    public var ip: String?
    /// Words (never secrets).
    public var detail: String?
    /// The previous entry's hash (64 zeros for the first).
    public var prevHash: String
    /// This entry's hash over the previous hash and every field: an HMAC-SHA256 under a key kept
    /// outside the database when `keyed`, plain SHA-256 for entries written before that.
    public var hash: String
    /// Whether `hash` is keyed (see `hash`).
    public var keyed: Bool

    /// A value with these fields.
    public init(
        id: Int64, tenant: String? = nil, at: Date, actor: String, action: String, object: String? = nil, outcome: String, ip: String? = nil,
        detail: String? = nil, prevHash: String, hash: String, keyed: Bool = true
    ) {
        self.keyed = keyed
        self.id = id
        self.tenant = tenant
        self.at = at
        self.actor = actor
        self.action = action
        self.object = object
        self.outcome = outcome
        self.ip = ip
        self.detail = detail
        self.prevHash = prevHash
        self.hash = hash
    }
}
