import Foundation

/// A person who signs in to the dashboard or API.
public struct User: Hashable, Sendable {
    /// `usr_…`.
    public var id: String
    /// The tenant they work for.
    public var tenant: String
    /// Their sign-in name, lower-cased.
    public var email: String
    /// Their name.
    public var name: String
    /// What they may do.
    public var role: Role
    /// The bcrypt hash of their password.
    public var passwordHash: String
    /// Their confirmed TOTP secret (second factor on).
    public var totpSecret: String?
    /// A TOTP secret being enrolled, not yet confirmed.
    public var totpPending: String?
    /// When the account was made.
    public var createdAt: Date
    /// When it was switched off.
    public var disabledAt: Date?
    /// When they last signed in.
    public var lastLoginAt: Date?
    /// Failed sign-ins since the last good one (or the last lock).
    public var failedSignIns = 0
    /// Until when sign-in is refused after too many failures.
    public var lockedUntil: Date?
    /// The 30-second step of the last second-factor code accepted: a code is good once.
    public var totpLastStep: Int64?

    /// A value with these fields.
    public init(
        id: String, tenant: String, email: String, name: String, role: Role, passwordHash: String, totpSecret: String? = nil, totpPending: String? = nil,
        createdAt: Date, disabledAt: Date? = nil, lastLoginAt: Date? = nil
    ) {
        self.id = id
        self.tenant = tenant
        self.email = email
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
        self.totpSecret = totpSecret
        self.totpPending = totpPending
        self.createdAt = createdAt
        self.disabledAt = disabledAt
        self.lastLoginAt = lastLoginAt
    }
}

/// A signed-in browser: found by the hash of its cookie.
public struct UserSession: Hashable, Sendable {
    /// Its user.
    public var user: User
    /// The token state-changing requests must echo (`X-CSRF-Token` or a form's `_csrf`).
    public var csrfToken: String
    /// When it ends regardless of use.
    public var expiresAt: Date
    /// When it was last used.
    public var lastSeenAt: Date

    /// A value with these fields.
    public init(user: User, csrfToken: String, expiresAt: Date, lastSeenAt: Date) {
        self.user = user
        self.csrfToken = csrfToken
        self.expiresAt = expiresAt
        self.lastSeenAt = lastSeenAt
    }
}
