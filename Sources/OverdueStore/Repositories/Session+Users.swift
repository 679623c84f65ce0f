import Foundation
import OverdueCore

extension Session {
    /// Adds a user; nil when the email is taken (by any tenant: it is the sign-in name).
    public func createUser(_ tenant: String, email: String, name: String, role: Role, passwordHash: String, now: Date) async throws -> User? {
        let email = email.lowercased()
        if try await row("SELECT id FROM users WHERE email = ?", [.text(email)]) != nil { return nil }
        let user = User(
            id: "usr_\(SecretToken.make(bytes: 9))", tenant: tenant, email: email, name: name, role: role, passwordHash: passwordHash, createdAt: now)
        try await exec(
            "INSERT INTO users (id, tenant_id, email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [.text(user.id), .text(tenant), .text(email), .text(name), .text(role.rawValue), .text(passwordHash), .time(now)])
        return user
    }

    /// The user signing in as `email` (any tenant).
    public func user(email: String) async throws -> User? {
        try await row("SELECT * FROM users WHERE email = ?", [.text(email.lowercased())]).map(user)
    }

    /// One of the tenant's users.
    public func user(_ tenant: String, id: String) async throws -> User? {
        try await row("SELECT * FROM users WHERE tenant_id = ? AND id = ?", [.text(tenant), .text(id)]).map(user)
    }

    /// The tenant's users, by email.
    public func users(_ tenant: String) async throws -> [User] {
        try await rows("SELECT * FROM users WHERE tenant_id = ? ORDER BY email", [.text(tenant)]).map(user)
    }

    /// Changes a user's role, password, second factor or status (each nil = unchanged).
    public func updateUser(
        _ tenant: String, id: String, role: Role? = nil, name: String? = nil, passwordHash: String? = nil,
        totpSecret: String?? = nil, totpPending: String?? = nil, disabledAt: Date?? = nil
    ) async throws {
        var sets: [String] = []
        var binds: [SQLValue] = []
        if let role { sets.append("role = ?"); binds.append(.text(role.rawValue)) }
        if let name { sets.append("name = ?"); binds.append(.text(name)) }
        if let passwordHash { sets.append("password_hash = ?"); binds.append(.text(passwordHash)) }
        if let totpSecret { sets.append("totp_secret = ?"); binds.append(.opt(try totpSecret.map { try seal($0, for: "user:\(id):totp_secret") })) }
        if let totpPending { sets.append("totp_pending = ?"); binds.append(.opt(try totpPending.map { try seal($0, for: "user:\(id):totp_pending") })) }
        if let disabledAt { sets.append("disabled_at = ?"); binds.append(disabledAt.map { .time($0) } ?? .null) }
        guard !sets.isEmpty else { return }
        try await exec("UPDATE users SET \(sets.joined(separator: ", ")) WHERE tenant_id = ? AND id = ?", binds + [.text(tenant), .text(id)])
        // A changed password, role or status ends the user's sessions.
        if passwordHash != nil || role != nil || disabledAt != nil {
            try await exec("DELETE FROM sessions WHERE user_id = ?", [.text(id)])
        }
    }

    /// Starts a session for `user`; returns the cookie token (only its hash is stored).
    public func createUserSession(_ user: User, ttl: TimeInterval, ip: String?, now: Date) async throws -> (token: String, session: UserSession) {
        let token = SecretToken.make(bytes: 32)
        let csrf = SecretToken.make(bytes: 24)
        try await exec(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, last_seen_at, ip) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [.text(APIKey.hash(token)), .text(user.id), .text(csrf), .time(now), .time(now.addingTimeInterval(ttl)), .time(now), .opt(ip)])
        try await exec("UPDATE users SET last_login_at = ? WHERE id = ?", [.time(now), .text(user.id)])
        return (token, UserSession(user: user, csrfToken: csrf, expiresAt: now.addingTimeInterval(ttl), lastSeenAt: now))
    }

    /// The live session behind a cookie token (not expired, not idle longer than `idle`, user enabled).
    public func userSession(token: String, idle: TimeInterval, now: Date) async throws -> UserSession? {
        guard
            let r = try await row(
                """
                SELECT s.csrf_token, s.expires_at, s.last_seen_at, u.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?
                """, [.text(APIKey.hash(token))])
        else { return nil }
        let session = UserSession(
            user: try user(r), csrfToken: try r.string("csrf_token"), expiresAt: try r.time("expires_at"), lastSeenAt: try r.time("last_seen_at"))
        guard session.user.disabledAt == nil, session.expiresAt > now, now.timeIntervalSince(session.lastSeenAt) < idle else { return nil }
        return session
    }

    /// Notes a session's use.
    public func touchUserSession(token: String, now: Date) async throws {
        try await exec("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", [.time(now), .text(APIKey.hash(token))])
    }

    /// Ends a session.
    public func deleteUserSession(token: String) async throws {
        try await exec("DELETE FROM sessions WHERE token_hash = ?", [.text(APIKey.hash(token))])
    }

    func user(_ r: any StoredRow) throws -> User {
        guard let role = Role(rawValue: try r.string("role")) else { throw StoreError.corrupt("user role") }
        let id = try r.string("id")
        var user = User(
            id: id, tenant: try r.string("tenant_id"), email: try r.string("email"), name: try r.string("name"), role: role,
            passwordHash: try r.string("password_hash"), totpSecret: try r.optString("totp_secret").map { try open($0, for: "user:\(id):totp_secret") },
            totpPending: try r.optString("totp_pending").map { try open($0, for: "user:\(id):totp_pending") },
            createdAt: try r.time("created_at"), disabledAt: try r.optTime("disabled_at"), lastLoginAt: try r.optTime("last_login_at"))
        user.failedSignIns = Int(try r.int("failed_sign_ins"))
        user.lockedUntil = try r.optTime("locked_until")
        user.totpLastStep = try r.optInt("totp_last_step")
        return user
    }

    /// Counts a failed sign-in of `id`; at `limit` failures the account is locked until `lockUntil`
    /// and the count starts again. Returns whether this failure locked it.
    public func recordFailedSignIn(id: String, limit: Int, lockUntil: Date) async throws -> Bool {
        let count =
            try await row("UPDATE users SET failed_sign_ins = failed_sign_ins + 1 WHERE id = ? RETURNING failed_sign_ins", [.text(id)])?.int(
                "failed_sign_ins") ?? 0
        guard count >= limit else { return false }
        try await exec("UPDATE users SET failed_sign_ins = 0, locked_until = ? WHERE id = ?", [.time(lockUntil), .text(id)])
        return true
    }

    /// A good sign-in of `id`: failures forgotten, the second-factor step used (if any) kept, so the
    /// same code is not accepted again. False when `totpStep` is not after the last one used (a
    /// replayed code; nothing is changed then).
    public func recordGoodSignIn(id: String, totpStep: Int64?) async throws -> Bool {
        guard let totpStep else {
            try await exec("UPDATE users SET failed_sign_ins = 0 WHERE id = ?", [.text(id)])
            return true
        }
        // One statement, so two sign-ins racing with the same code cannot both pass.
        return try await row(
            "UPDATE users SET failed_sign_ins = 0, totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?) RETURNING id",
            [.int(totpStep), .text(id), .int(totpStep)]) != nil
    }
}
