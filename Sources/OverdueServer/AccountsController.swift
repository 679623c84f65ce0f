import Foundation
import HTTPTypes
import Hummingbird
import OverdueAgents
import OverdueChannels
import OverdueCore
import OverdueUseCases

/// Sign-in for people (`/auth/login|logout|session`), their own account (`/api/v1/users/me…`: password,
/// TOTP second factor), and administration of a tenant's users and API keys (`/api/v1/users`,
/// `/api/v1/keys`).
struct AccountsController: Sendable {
    let api: APIController
    /// Sign-in attempts per client address.
    let loginLimiter: AuthMiddleware.RateLimiter
    /// Whether the session cookie is marked Secure (`OVERDUE_COOKIE_SECURE=0` only for plain-http development).
    let secureCookie: Bool

    static let cookieName = "overdue_session"

    func register(on router: Router<OverdueRequestContext>) {
        router.post("/auth/login", use: login)
        router.post("/auth/logout", use: logout)
        router.get("/auth/session", use: session)
        router.api(.get, "/api/v1/users/me", .read, use: me)
        router.api(.post, "/api/v1/users/me/password", .read, use: changePassword)
        router.api(.post, "/api/v1/users/me/totp", .read, use: beginTOTP)
        router.api(.post, "/api/v1/users/me/totp/confirm", .read, use: confirmTOTP)
        router.api(.delete, "/api/v1/users/me/totp", .read, use: removeTOTP)
        router.api(.get, "/api/v1/users", .administer, use: listUsers)
        router.api(.post, "/api/v1/users", .administer, use: createUser)
        router.api(.get, "/api/v1/users/:id", .administer, use: oneUser)
        router.api(.patch, "/api/v1/users/:id", .administer, use: updateUser)
        router.api(.delete, "/api/v1/users/:id", .administer, use: disableUser)
        router.api(.get, "/api/v1/keys", .administer, use: listKeys)
        router.api(.post, "/api/v1/keys", .administer, use: createKey)
        router.api(.delete, "/api/v1/keys/:prefix", .administer, use: revokeKey)
    }

    struct UserLine: Encodable {
        let id: String
        let email: String
        let name: String
        let role: String
        let totp_enabled: Bool
        let created_at: String
        let disabled_at: String?
        let last_login_at: String?

        init(_ u: User) {
            id = u.id
            email = u.email
            name = u.name
            role = u.role.rawValue
            totp_enabled = u.totpSecret != nil
            created_at = Timestamp.format(u.createdAt)
            disabled_at = u.disabledAt.map(Timestamp.format)
            last_login_at = u.lastLoginAt.map(Timestamp.format)
        }
    }

    struct SessionLine: Encodable {
        let user: UserLine
        let tenant: String
        let csrf_token: String
        let expires_at: String
    }

    func audit(tenant: String?, actor: String, action: String, object: String, outcome: String, ip: String?, detail: String) async throws {
        try await api.useCases.recordAccess(tenant: tenant, actor: actor, action: action, object: object, outcome: outcome, ip: ip, detail: detail)
    }

    // MARK: Sign-in

    /// `POST /auth/login` `{email, password, totp?}` (JSON or a form): sets the session cookie.
    @Sendable func login(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard !CrossSite.isCrossSite(request) else { throw CrossSite.refusal }
        let ip = context.clientIP(request)
        var f = try await Self.credentials(request)
        let email = f.string("email", maxLength: 320)?.lowercased()
        let password = f.string("password", maxLength: 1024)
        let code = f.string("totp", required: false, maxLength: 12)
        try f.done()
        let (token, session) = try await authenticate(email: email!, password: password!, totp: code, ip: ip)
        var response = APIController.json(
            Listing.jsonLine(
                SessionLine(
                    user: UserLine(session.user), tenant: session.user.tenant, csrf_token: session.csrfToken,
                    expires_at: Timestamp.format(session.expiresAt))))
        response.setCookie(cookie(token))
        return response
    }

    /// The session cookie carrying `token` (empty: one that deletes it).
    func cookie(_ token: String) -> Cookie {
        Cookie(
            name: Self.cookieName, value: token, maxAge: token.isEmpty ? 0 : Int(UseCases.sessionLifetime), path: "/", secure: secureCookie, httpOnly: true,
            sameSite: .strict)
    }

    /// Checks a sign-in (per-address limit, password, second factor), audits it, and starts a session.
    func authenticate(email rawEmail: String, password: String, totp code: String?, ip: String?) async throws -> (token: String, session: UserSession) {
        if let wait = await loginLimiter.take(ip ?? "unknown", now: api.clock.now()) {
            try await audit(
                tenant: nil, actor: "anonymous", action: "auth.login_throttled", object: "/auth/login", outcome: "denied", ip: ip,
                detail: "too many sign-in attempts from this address")
            throw Problem.rateLimited(
                "too many sign-in attempts from this address; retry after \(Int(wait.rounded(.up))) s", retryAfter: Int(wait.rounded(.up)))
        }
        return try await Problem.presenting { try await api.useCases.signIn(email: rawEmail, password: password, totp: code, ip: ip) }
    }

    /// A login body: JSON, or a form post from the sign-in page.
    static func credentials(_ request: Request) async throws -> Fields {
        if request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true {
            let buffer = try await request.body.collect(upTo: 1 << 16)
            var object: [String: JSONValue] = [:]
            for (k, v) in Form.decode(String(buffer: buffer)) { object[k] = .string(v) }
            return Fields(object)
        }
        return try await Fields.body(request, limit: 1 << 16)
    }

    /// `POST /auth/logout`: ends the session (needs its CSRF token).
    @Sendable func logout(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let token = request.cookies[Self.cookieName]?.value,
            let session = try await api.useCases.session(token: token)
        else {
            return Response(status: .noContent)
        }
        let sent = request.headers[HTTPField.Name("X-CSRF-Token")!] ?? ""
        guard ConstantTime.equal(sent, session.csrfToken) else {
            throw Problem.csrf("sign-out must carry the session's CSRF token in X-CSRF-Token")
        }
        try await api.useCases.signOut(token: token, session: session, object: "/auth/logout", ip: context.clientIP(request))
        var response = Response(status: .noContent)
        response.setCookie(cookie(""))
        return response
    }

    /// `GET /auth/session`: who is signed in, and the CSRF token for changes.
    @Sendable func session(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let token = request.cookies[Self.cookieName]?.value,
            let session = try await api.useCases.session(token: token)
        else {
            throw AuthMiddleware.unauthorized("not signed in")
        }
        return APIController.json(
            Listing.jsonLine(
                SessionLine(
                    user: UserLine(session.user), tenant: session.user.tenant, csrf_token: session.csrfToken,
                    expires_at: Timestamp.format(session.expiresAt))))
    }

    // MARK: One's own account

    func currentUser(_ context: OverdueRequestContext) async throws -> User {
        let caller = try context.caller()
        guard let id = caller.userID, let user = try await api.useCases.user(tenant: caller.tenant, id: id) else {
            throw Problem(
                type: Problem.base + "not-a-user", title: "Not a user", status: 400,
                detail: "this is for signed-in users; an API key has no account of its own")
        }
        return user
    }

    @Sendable func me(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        APIController.json(Listing.jsonLine(UserLine(try await currentUser(context))))
    }

    /// `{current, new}`: every session of the user ends (a stolen session dies with the old password); sign in again.
    @Sendable func changePassword(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let user = try await currentUser(context)
        var f = try await Fields.body(request, limit: 1 << 16)
        try await changePassword(&f, user: user, ip: context.clientIP(request))
        return Response(status: .noContent)
    }

    /// Starts enrolling a second factor: a new secret and its `otpauth://` URL (for a QR code).
    @Sendable func beginTOTP(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let (secret, url) = try await api.useCases.beginSecondFactor(user: try await currentUser(context))
        struct Enrol: Encodable { let secret: String; let otpauth_url: String }
        return APIController.json(Listing.jsonLine(Enrol(secret: secret, otpauth_url: url)), status: .created)
    }

    /// `{code}`: the app shows the right code → the second factor is on.
    @Sendable func confirmTOTP(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let user = try await currentUser(context)
        var f = try await Fields.body(request)
        try await confirmTOTP(&f, user: user, ip: context.clientIP(request))
        return Response(status: .noContent)
    }

    /// `{code}`: turns the second factor off (needs a current code).
    @Sendable func removeTOTP(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let user = try await currentUser(context)
        var f = try await Fields.body(request)
        let code = f.string("code", maxLength: 12)
        try f.done()
        try await api.useCases.removeSecondFactor(user: user, code: code!, ip: context.clientIP(request))
        return Response(status: .noContent)
    }

    // MARK: Administration

    @Sendable func listUsers(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        let users = try await api.useCases.users(tenant: tenant)
        return APIController.json(Listing.jsonLine(PageOf(items: users.map(UserLine.init), next: nil)))
    }

    /// `{email, name, role, password}`.
    @Sendable func createUser(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        var f = try await Fields.body(request, limit: 1 << 16)
        let user = try await createUser(&f, caller: try context.caller(), ip: context.clientIP(request))
        return APIController.json(Listing.jsonLine(UserLine(user)), status: .created)
    }

    func targetUser(_ context: OverdueRequestContext) async throws -> User {
        let tenant = try api.tenant(context)
        let id = try context.parameters.require("id")
        return try await api.useCases.requireUser(tenant: tenant, id: id)
    }

    @Sendable func oneUser(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        APIController.json(Listing.jsonLine(UserLine(try await targetUser(context))))
    }

    /// `{role?, name?, disabled?}`.
    @Sendable func updateUser(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let user = try await targetUser(context)
        var f = try await Fields.body(request)
        try await updateUser(&f, user: user, caller: try context.caller(), ip: context.clientIP(request))
        return APIController.json(Listing.jsonLine(UserLine(try await targetUser(context))))
    }

    @Sendable func disableUser(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let caller = try context.caller()
        let user = try await targetUser(context)
        try await api.useCases.disableUser(user, by: caller.actor, callerID: caller.userID, grantor: caller.role, ip: context.clientIP(request))
        return Response(status: .noContent)
    }

    struct KeyLine: Encodable {
        let prefix: String
        let name: String
        let role: String
        let created_at: String
        let revoked_at: String?
        let last_used_at: String?
        let expires_at: String?
        /// Only in the answer to the POST that made it.
        let key: String?

        init(_ k: APIKey, key: String? = nil) {
            prefix = k.prefix
            name = k.name
            role = k.role.rawValue
            created_at = Timestamp.format(k.createdAt)
            revoked_at = k.revokedAt.map(Timestamp.format)
            last_used_at = k.lastUsedAt.map(Timestamp.format)
            expires_at = k.expiresAt.map(Timestamp.format)
            self.key = key
        }
    }

    @Sendable func listKeys(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        let keys = try await api.useCases.apiKeys(tenant: tenant)
        return APIController.json(Listing.jsonLine(PageOf(items: keys.map { KeyLine($0) }, next: nil)))
    }

    /// `{name, role}`: the key is in this answer only.
    @Sendable func createKey(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        var f = try await Fields.body(request)
        let made = try await createKey(&f, caller: try context.caller())
        return APIController.json(Listing.jsonLine(KeyLine(made.record, key: made.key)), status: .created)
    }

    @Sendable func revokeKey(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        let prefix = try context.parameters.require("prefix")
        let caller = try context.caller()
        try await Problem.presenting {
            try await api.useCases.revokeAPIKey(tenant: tenant, prefix: prefix, by: caller.actor, revoker: caller.role, ip: context.clientIP(request))
        }
        return Response(status: .noContent)
    }
}
