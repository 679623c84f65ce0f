import Foundation

/// An API key as stored: never the key itself, only its hash.
public struct APIKey: Hashable, Sendable {
    /// The visible part (`od_XXXXXXXXXX`), unique: lists, logs and revocation use it.
    public var prefix: String
    /// The tenant it acts for.
    public var tenant: String
    /// A name for people.
    public var name: String
    /// What it may do.
    public var role: Role
    /// When it was made.
    public var createdAt: Date
    /// When it was revoked, if it was.
    public var revokedAt: Date?
    /// When it was last used.
    public var lastUsedAt: Date?
    /// Who made it: a user's id (`usr_…`; the key dies with the user's access) or an actor
    /// (`cli:USER`, `key:od_…`); nil for keys made before this was kept.
    public var createdBy: String?
    /// When it stops working (nil: keys made before keys expired).
    public var expiresAt: Date?

    /// The prefix of a presented key (`od_XXXXXXXXXX_SECRET` → `od_XXXXXXXXXX`), if it has the form.
    public static func prefix(of key: String) -> String? {
        // The secret part is base64url and may hold "_" itself.
        let parts = key.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "od", parts[1].count == 10, parts[2].count >= 32 else { return nil }
        return "od_\(parts[1])"
    }

    /// A value with these fields.
    public init(prefix: String, tenant: String, name: String, role: Role, createdAt: Date, revokedAt: Date? = nil, lastUsedAt: Date? = nil) {
        self.prefix = prefix
        self.tenant = tenant
        self.name = name
        self.role = role
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.lastUsedAt = lastUsedAt
    }
}
