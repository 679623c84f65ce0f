import Foundation
import HummingbirdBcrypt
import HummingbirdOTP
import NIOPosix
import OverdueCore
import OverdueStore

/// Password hashing (bcrypt, off the event loop).
public enum Passwords {
    /// bcrypt's work factor (`OVERDUE_BCRYPT_COST`, 10…15; default 12).
    public static let cost: UInt8 = UInt8(min(15, max(10, Int(ProcessInfo.processInfo.environment["OVERDUE_BCRYPT_COST"] ?? "") ?? 12)))

    /// The bcrypt hash of `password`.
    public static func hash(_ password: String) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Whether `password` matches `hash`.
    public static func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// A hash no password matches, verified against for unknown emails so that a missing account
    /// takes as long to refuse as a wrong password.
    static let decoy = Bcrypt.hash("decoy-\(UUID().uuidString)", cost: cost)
}

/// The second factor: TOTP codes (RFC 6238, 30-second steps, 6 digits) as authenticator apps show them.
public enum SecondFactor {
    /// The `otpauth://` URL an authenticator app reads (as a QR code or typed in).
    public static func url(secret: String, email: String) -> String { TOTP(secret: secret).createAuthenticatorURL(label: email, issuer: "Overdue") }

    /// Whether `code` is the code for `now`'s step or the one either side (clock drift).
    public static func matches(_ code: String, secret: String, now: Date) -> Bool { step(of: code, secret: secret, now: now) != nil }

    /// The 30-second step whose code `code` is (`now`'s or the one either side), nil when none.
    public static func step(of code: String, secret: String, now: Date) -> Int64? {
        let digits = code.filter(\.isNumber)
        guard digits.count == 6, let given = Int(digits) else { return nil }
        let totp = TOTP(secret: secret)
        for offset in [-30.0, 0, 30] where totp.compute(date: now.addingTimeInterval(offset)) == given {
            return Int64((now.timeIntervalSince1970 + offset) / 30)
        }
        return nil
    }
}

/// People's accounts: signing in and out, sessions, one's own password and second factor, and a
/// tenant's users — from the API (`/auth/…`, `/api/v1/users…`), the dashboard's sign-in and
/// account pages, and `overdue users`. Every change is audited here, once.
extension UseCases {
    /// A session ends after 12 hours without use…
    public static let sessionIdleTimeout: TimeInterval = 12 * 3600
    /// …and after 7 days in any case.
    public static let sessionLifetime: TimeInterval = 7 * 24 * 3600

    /// Whether `s` has the shape of an email address (one `@`, a dot in the domain, no spaces).
    public static func looksLikeEmail(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !s.contains(" ")
    }

    // MARK: Signing in

    /// Checks `email` and `password` (and the second-factor `code` when the account has one),
    /// audits the attempt either way, and starts a session. Refused `unauthorized` — code
    /// `login_failed` (the same answer whether the email exists or not, after the same bcrypt
    /// work) or `totp_required`.
    public func signIn(email rawEmail: String, password: String, totp code: String?, ip: String?, object: String = "/auth/login") async throws
        -> (token: String, session: UserSession)
    {
        let now = clock.now()
        let email = rawEmail.trimmingCharacters(in: .whitespaces).lowercased()
        let user = try await store.read { try await $0.user(email: email) }
        // Always one bcrypt verification, so that timing does not tell which emails have accounts.
        let matches = try await Passwords.verify(password, hash: user?.passwordHash ?? Passwords.decoy)
        let locked = user?.lockedUntil.map { $0 > now } ?? false
        guard let user, matches, user.disabledAt == nil, !locked else {
            let why =
                user == nil
                ? "no such user" : user?.disabledAt != nil ? "account disabled" : locked ? "account locked after failed sign-ins" : "wrong password"
            if let user, !matches, user.disabledAt == nil, !locked { try await failedSignIn(user, ip: ip, object: object, now: now) }
            try await recordAccess(
                tenant: user?.tenant, actor: "user:\(email)", action: "auth.login_failed", object: object, outcome: "denied", ip: ip, detail: why)
            // The same answer whatever the reason, so it tells nobody which emails have accounts.
            throw UseCaseError(.unauthorized, [Problem("email", "the email or password is wrong")], code: "login_failed")
        }
        var step: Int64?
        if let secret = user.totpSecret {
            guard let code else {
                throw UseCaseError(
                    .unauthorized, [Problem("totp", "this account has a second factor: send the 6-digit code from the authenticator app as `totp`")],
                    code: "totp_required")
            }
            step = SecondFactor.step(of: code, secret: secret, now: now)
            let replayed = step.map { used in user.totpLastStep.map { used <= $0 } ?? false } ?? false
            guard step != nil, !replayed else {
                try await failedSignIn(user, ip: ip, object: object, now: now)
                try await recordAccess(
                    tenant: user.tenant, actor: "user:\(email)", action: "auth.login_failed", object: object, outcome: "denied", ip: ip,
                    detail: replayed ? "second-factor code used before" : "wrong second-factor code")
                throw UseCaseError(.unauthorized, [Problem("totp", "the second-factor code is wrong, expired or used already")], code: "login_failed")
            }
        }
        let usedStep = step
        return try await store.write { s in
            guard try await s.recordGoodSignIn(id: user.id, totpStep: usedStep) else {
                // Another sign-in took the same code a moment ago.
                throw UseCaseError(.unauthorized, [Problem("totp", "the second-factor code is wrong, expired or used already")], code: "login_failed")
            }
            let made = try await s.createUserSession(user, ttl: Self.sessionLifetime, ip: ip, now: now)
            try await s.appendAudit(
                tenant: user.tenant, actor: "user:\(email)", action: "auth.login", object: object, outcome: "ok", ip: ip,
                detail: user.totpSecret == nil ? "password" : "password + TOTP", at: now)
            return made
        }
    }

    /// Failed sign-ins (wrong password or second-factor code, from anywhere) that lock an account…
    public static let signInFailureLimit = 10
    /// …for this long. The per-address limit stops one guesser; this stops many addresses guessing
    /// one password.
    public static let signInLockout: TimeInterval = 15 * 60

    /// Counts a failed sign-in of `user`; the one that reaches the limit locks the account, and is
    /// audited and put in the tenant's inbox for a person to see.
    func failedSignIn(_ user: User, ip: String?, object: String, now: Date) async throws {
        let until = now.addingTimeInterval(Self.signInLockout)
        try await store.write { s in
            guard try await s.recordFailedSignIn(id: user.id, limit: Self.signInFailureLimit, lockUntil: until) else { return }
            let what =
                "\(Self.signInFailureLimit) failed sign-ins for \(user.email) (the last from \(ip ?? "an unknown address")): locked until \(Timestamp.format(until))"
            try await s.appendAudit(
                tenant: user.tenant, actor: "user:\(user.email)", action: "auth.locked", object: object, outcome: "denied", ip: ip, detail: what, at: now)
            try await s.addInboxItem(
                user.tenant, debtor: nil, kind: .flag,
                reason: Reason("account_locked", what + "; if it was not them, someone is guessing the password"), messageID: nil, at: now)
        }
    }

    /// The live session `token` opens (nil: unknown, expired or idle too long).
    public func session(token: String) async throws -> UserSession? {
        let now = clock.now()
        return try await store.read { try await $0.userSession(token: token, idle: Self.sessionIdleTimeout, now: now) }
    }

    /// Notes that `session` was used now (to the minute: not a write on every request).
    public func touch(_ session: UserSession, token: String) async throws {
        let now = clock.now()
        guard now.timeIntervalSince(session.lastSeenAt) > 60 else { return }
        try await store.write { try await $0.touchUserSession(token: token, now: now) }
    }

    /// Ends session `token` of `session`'s user, audited with `object` (the door it came through).
    public func signOut(token: String, session: UserSession, object: String, ip: String?) async throws {
        let now = clock.now()
        try await store.write { s in
            try await s.deleteUserSession(token: token)
            try await s.appendAudit(
                tenant: session.user.tenant, actor: "user:\(session.user.email)", action: "auth.logout", object: object, outcome: "ok",
                ip: ip, detail: "", at: now)
        }
    }

    /// The live API key `given` is (nil: unknown or revoked).
    public func apiKey(matching given: String) async throws -> APIKey? {
        let now = clock.now()
        return try await store.read { try await $0.apiKey(matching: given, now: now) }
    }

    /// Notes that `key` was used now (to the minute).
    public func touch(_ key: APIKey) async throws {
        let now = clock.now()
        guard key.lastUsedAt.map({ now.timeIntervalSince($0) > 60 }) ?? true else { return }
        try await store.write { try await $0.touchAPIKey(key.prefix, at: now) }
    }

    /// Appends an access entry to the audit log: a sign-in, a refusal, a change made through a door.
    public func recordAccess(tenant: String?, actor: String, action: String, object: String, outcome: String, ip: String?, detail: String) async throws {
        let now = clock.now()
        try await store.write {
            try await $0.appendAudit(tenant: tenant, actor: actor, action: action, object: object, outcome: outcome, ip: ip, detail: detail, at: now)
        }
    }

    /// The tenant's API keys, revoked ones included.
    public func apiKeys(tenant: String) async throws -> [APIKey] {
        try await store.read { try await $0.apiKeys(tenant) }
    }

    // MARK: One's own account

    /// Sets `user`'s password to `new` once `current` is verified (and `again`, when a form asks
    /// twice, equals `new`); every session of the user ends — and when `keepSignedIn`, a fresh one
    /// starts for the browser that asked (returned). Audited as `user.password_changed`.
    @discardableResult
    public func changePassword(user: User, current: String, new: String, again: String? = nil, ip: String?, keepSignedIn: Bool = false) async throws
        -> (token: String, session: UserSession)?
    {
        var problems: [Problem] = []
        if let again, again != new { problems.append(Problem("again", "the two new passwords differ")) }
        for p in PasswordPolicy.problems(new, email: user.email, name: user.name) { problems.append(Problem("new", p)) }
        if !(try await Passwords.verify(current, hash: user.passwordHash)) { problems.append(Problem("current", "is not your current password")) }
        guard problems.isEmpty else { throw UseCaseError(.invalid, problems) }
        let hash = try await Passwords.hash(new)
        let now = clock.now()
        return try await store.write { s in
            try await s.updateUser(user.tenant, id: user.id, passwordHash: hash)
            try await s.appendAudit(
                tenant: user.tenant, actor: "user:\(user.email)", action: "user.password_changed", object: user.id, outcome: "ok",
                ip: ip, detail: "every session ended", at: now)
            guard keepSignedIn, let fresh = try await s.user(user.tenant, id: user.id) else { return nil }
            return try await s.createUserSession(fresh, ttl: Self.sessionLifetime, ip: ip, now: now)
        }
    }

    /// Starts enrolling a second factor for `user`: a new secret and its `otpauth://` URL.
    /// Refused (`conflict`) when one is already on.
    public func beginSecondFactor(user: User) async throws -> (secret: String, url: String) {
        guard user.totpSecret == nil else { throw UseCaseError(.conflict, [Problem("totp", "a second factor is already on; remove it first")]) }
        let secret = SecretToken.make(bytes: 15)
        try await store.write { try await $0.updateUser(user.tenant, id: user.id, totpPending: .some(secret)) }
        return (secret, SecondFactor.url(secret: secret, email: user.email))
    }

    /// Turns the enrolment on when `code` is what the app shows. Audited as `user.totp_enabled`.
    public func confirmSecondFactor(user: User, code: String, ip: String?) async throws {
        let now = clock.now()
        guard let pending = user.totpPending else { throw UseCaseError.invalid("code", "there is no enrolment to confirm; start one first") }
        guard SecondFactor.matches(code, secret: pending, now: now) else {
            throw UseCaseError.invalid("code", "does not match; check the phone's clock and try the next one")
        }
        try await store.write { s in
            try await s.updateUser(user.tenant, id: user.id, totpSecret: .some(pending), totpPending: .some(nil))
            try await s.appendAudit(
                tenant: user.tenant, actor: "user:\(user.email)", action: "user.totp_enabled", object: user.id, outcome: "ok",
                ip: ip, detail: "", at: now)
        }
    }

    /// Turns `user`'s second factor off, given a current `code`. Audited as `user.totp_removed`.
    public func removeSecondFactor(user: User, code: String, ip: String?) async throws {
        let now = clock.now()
        if let secret = user.totpSecret, !SecondFactor.matches(code, secret: secret, now: now) { throw UseCaseError.invalid("code", "does not match") }
        try await store.write { s in
            try await s.updateUser(user.tenant, id: user.id, totpSecret: .some(nil), totpPending: .some(nil))
            try await s.appendAudit(
                tenant: user.tenant, actor: "user:\(user.email)", action: "user.totp_removed", object: user.id, outcome: "ok",
                ip: ip, detail: "", at: now)
        }
    }

    // MARK: A tenant's users

    /// The tenant's users.
    public func users(tenant: String) async throws -> [User] {
        try await store.read { try await $0.users(tenant) }
    }

    /// User `id` of the tenant, if there is one.
    public func user(tenant: String, id: String) async throws -> User? {
        try await store.read { try await $0.user(tenant, id: id) }
    }

    /// User `id` of the tenant; refused (`notFound`) when there is none.
    public func requireUser(tenant: String, id: String) async throws -> User {
        guard let user = try await user(tenant: tenant, id: id) else { throw UseCaseError.notFound("id", "no user '\(id)'") }
        return user
    }

    /// A new user of the tenant, made by `actor` (whose role, when a person's, limits the roles
    /// they may grant). Refused `invalid` for a malformed email or a weak password (each problem
    /// named), `forbidden` for the owner role from a non-owner, `conflict` when the email is taken.
    /// Audited as `user.created`.
    public func createUser(
        tenant: String, email rawEmail: String, name: String?, role: Role, password: String, by actor: String, grantor: Role?,
        ip: String? = nil
    ) async throws -> User {
        let email = rawEmail.trimmingCharacters(in: .whitespaces).lowercased()
        let problems = Self.newUserProblems(email: email, name: name, password: password)
        guard problems.isEmpty else { throw UseCaseError(.invalid, problems) }
        if let grantor, !grantor.mayGrant(role) { throw Self.ownerOnly }
        let hash = try await Passwords.hash(password)
        let now = clock.now()
        return try await store.write { s in
            guard let user = try await s.createUser(tenant, email: email, name: name ?? email, role: role, passwordHash: hash, now: now) else {
                throw UseCaseError(.conflict, [Problem("email", "a user with email \(email) exists")])
            }
            try await s.appendAudit(
                tenant: tenant, actor: actor, action: "user.created", object: user.id, outcome: "ok", ip: ip,
                detail: "\(email), role \(role.rawValue)", at: now)
            return user
        }
    }

    /// Changes `user`'s role, name or status as `actor` (the person `callerID` with role
    /// `grantor`, nil for the operator). Nobody demotes or disables themselves; only an owner
    /// touches an owner. A new role or status ends the user's sessions. Audited as `user.updated`.
    public func updateUser(
        _ user: User, role: Role?, name: String?, disabled: Bool?, by actor: String, callerID: String?, grantor: Role?,
        ip: String? = nil
    ) async throws {
        if user.id == callerID && (role.map { $0 != user.role } ?? false || disabled == true) {
            throw UseCaseError.invalid(
                role != nil && role != user.role ? "role" : "disabled", "you cannot demote or disable yourself; ask another owner or admin")
        }
        if let grantor, !grantor.mayGrant(role) || !grantor.mayGrant(user.role) { throw Self.ownerOnly }
        let now = clock.now()
        // Only what changes is written.
        var status: Date?? = nil
        if let disabled, disabled != (user.disabledAt != nil) { status = .some(disabled ? now : nil) }
        let newRole = role == user.role ? nil : role
        guard newRole != nil || name != nil || status != nil else { return }
        try await store.write { s in
            try await s.updateUser(user.tenant, id: user.id, role: newRole, name: name, disabledAt: status)
            // Keys the user made do not outlive their access: all go when they are disabled, those
            // beyond a lower role when they are demoted.
            var revoked: [String] = []
            if status.map({ $0 != nil }) == true {
                revoked = try await s.revokeAPIKeys(madeBy: user.id, beyond: nil, now: now)
            } else if let newRole {
                revoked = try await s.revokeAPIKeys(madeBy: user.id, beyond: newRole, now: now)
            }
            var what = [newRole.map { "role \($0.rawValue)" }, name.map { _ in "name" }, status.map { $0 == nil ? "enabled" : "disabled" }].compactMap { $0 }
            if !revoked.isEmpty { what.append("their keys revoked: \(revoked.joined(separator: ", "))") }
            try await s.appendAudit(
                tenant: user.tenant, actor: actor, action: "user.updated", object: user.id, outcome: "ok", ip: ip,
                detail: what.joined(separator: ", "), at: now)
        }
    }

    /// Switches `user` off as `actor`: their sessions end at once. Refused (`conflict`) for
    /// oneself, `forbidden` for an owner from a non-owner. Audited as `user.disabled`.
    public func disableUser(_ user: User, by actor: String, callerID: String?, grantor: Role?, ip: String? = nil) async throws {
        guard user.id != callerID else { throw UseCaseError(.conflict, [Problem("id", "you cannot disable yourself")]) }
        if let grantor, !grantor.mayGrant(user.role) { throw Self.ownerOnly }
        let now = clock.now()
        try await store.write { s in
            try await s.updateUser(user.tenant, id: user.id, disabledAt: .some(now))
            let revoked = try await s.revokeAPIKeys(madeBy: user.id, beyond: nil, now: now)
            try await s.appendAudit(
                tenant: user.tenant, actor: actor, action: "user.disabled", object: user.id, outcome: "ok", ip: ip,
                detail: user.email + (revoked.isEmpty ? "" : "; their keys revoked: \(revoked.joined(separator: ", "))"), at: now)
        }
    }

    /// Switches off the tenant's user with `email`; refused (`notFound`) when the tenant has none.
    public func disableUser(tenant: String, email: String, by actor: String) async throws {
        let address = email.trimmingCharacters(in: .whitespaces).lowercased()
        guard let user = try await store.read({ try await $0.user(email: address) }), user.tenant == tenant else {
            throw UseCaseError.notFound("email", "no user \(address) in tenant \(tenant)")
        }
        try await disableUser(user, by: actor, callerID: nil, grantor: nil)
    }

    /// Sets (or creates, as a manager) the account `email` with `password`, enabled: the demo's
    /// sign-in. Audited as `user.created` or `user.password_changed`.
    public func provisionUser(tenant: String, email: String, name: String, role: Role, password: String, by actor: String) async throws {
        let hash = try await Passwords.hash(password)
        let now = clock.now()
        try await store.write { s in
            if let existing = try await s.user(email: email) {
                try await s.updateUser(existing.tenant, id: existing.id, passwordHash: hash, disabledAt: .some(nil))
                try await s.appendAudit(
                    tenant: existing.tenant, actor: actor, action: "user.password_changed", object: existing.id, outcome: "ok", ip: nil,
                    detail: "provisioned again", at: now)
            } else if let made = try await s.createUser(tenant, email: email, name: name, role: role, passwordHash: hash, now: now) {
                try await s.appendAudit(
                    tenant: tenant, actor: actor, action: "user.created", object: made.id, outcome: "ok", ip: nil,
                    detail: "\(email), role \(role.rawValue)", at: now)
            }
        }
    }

    /// What is wrong with a new user's `email` and `password` (each checked when given), so that
    /// a door can name them together with the fields it could not read at all.
    public static func newUserProblems(email: String?, name: String?, password: String?) -> [UseCaseError.Problem] {
        var problems: [Problem] = []
        if let email, !looksLikeEmail(email.trimmingCharacters(in: .whitespaces).lowercased()) { problems.append(Problem("email", "is not an email address")) }
        if let password { for p in PasswordPolicy.problems(password, email: email, name: name) { problems.append(Problem("password", p)) } }
        return problems
    }

    static let ownerOnly = UseCaseError(.forbidden, [Problem("role", "only an owner may grant or change the owner role")])
}

private typealias Problem = UseCaseError.Problem
