import Foundation
import HTTPTypes
import Hummingbird
import OverdueAgents
import OverdueCore
import OverdueUseCases

/// Who is calling: the tenant and role an API key or a signed-in user carries.
struct Principal: Sendable, Hashable {
    /// The tenant every request of this caller is scoped to.
    let tenant: String
    /// What it may do.
    let role: Role
    /// Who, for the audit log (`key:od_…` or `user:EMAIL`).
    let actor: String
    /// The signed-in user (nil for API keys).
    var userID: String? = nil
}

/// The request context of Overdue's server: Hummingbird's, plus the authenticated caller.
struct OverdueRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware` on `/api/v1` requests.
    var principal: Principal?
    /// The peer's address (a proxy's, behind one).
    let peerIP: String?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        principal = nil
        peerIP = source.channel.remoteAddress?.ipAddress
    }

    /// Where the request came from: `X-Forwarded-For`'s first address when the server is told it
    /// sits behind a proxy (`OVERDUE_TRUST_PROXY=1`), else the peer — a client cannot pick its own
    /// address to dodge a per-IP limit.
    func clientIP(_ request: Request) -> String? {
        if Self.trustProxy, let forwarded = request.headers[HTTPField.Name("X-Forwarded-For")!]?.split(separator: ",").first {
            return forwarded.trimmingCharacters(in: .whitespaces)
        }
        return peerIP
    }

    static let trustProxy = ProcessInfo.processInfo.environment["OVERDUE_TRUST_PROXY"] == "1"

    /// The caller, or 401 when there is none (only `/api/v1` routes ask).
    func caller() throws -> Principal {
        guard let principal else { throw AuthMiddleware.unauthorized("no API key") }
        return principal
    }
}

/// Every `/api/v1` request needs `Authorization: Bearer od_…` (a live key): it is then scoped to the
/// key's tenant (whatever it asks for — another tenant's objects are simply not found) and its
/// role must allow the permission the route declared (`Router.api`, checked by the route). Failures get 401/403 and
/// an audit entry; the key itself is never logged. Other paths (health, provider webhooks with
/// their own signatures, private links) pass through.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = OverdueRequestContext
    let useCases: UseCases
    /// Where "now" comes from.
    var clock: any Clock { useCases.clock }
    /// Requests per key in this server process.
    let limiter: RateLimiter

    /// The buckets of the keys seen by this process.
    actor RateLimiter {
        let rate: Double
        let burst: Int
        var buckets: [String: TokenBucket] = [:]

        init(perMinute: Int, burst: Int? = nil) {
            rate = Double(max(1, perMinute)) / 60
            self.burst = burst ?? max(1, perMinute / 10)
        }

        /// Nil when the request may go, else seconds to wait.
        func take(_ key: String, now: Date) -> TimeInterval? {
            // Many distinct callers (addresses, say) must not grow memory without end: a bucket that
            // has refilled is the same as no bucket.
            if buckets.count > 10_000 {
                let refill = Double(burst) / rate
                buckets = buckets.filter { now.timeIntervalSince($0.value.at) < refill }
            }
            let (after, wait) = (buckets[key] ?? .full(burst: burst, at: now)).take(now: now, rate: rate, burst: burst)
            buckets[key] = after
            return wait
        }
    }

    static func unauthorized(_ why: String) -> Problem {
        Problem(
            type: Problem.base + "unauthorized", title: "Unauthorized", status: 401,
            detail: "\(why): send Authorization: Bearer KEY (make one with `overdue keys create --role ROLE`)")
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        // The API's description is public; everything else under /api/v1 needs a caller.
        guard path.hasPrefix("/api/v1/") || path == "/api/v1", path != "/api/v1/openapi.json" else { return try await next(request, context) }
        let ip = context.clientIP(request)
        let given = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)).trimmingCharacters(in: .whitespaces) : nil }
        guard let given, !given.isEmpty else {
            if let cookie = request.cookies[AccountsController.cookieName]?.value {
                return try await viaSession(cookie, request: request, context: context, ip: ip, next: next)
            }
            try await audit(
                tenant: nil, actor: "anonymous", action: "auth.failed", object: "\(request.method) \(path)", ip: ip, detail: "no API key or session")
            throw Self.unauthorized("no API key or session")
        }
        guard let key = try await useCases.apiKey(matching: given) else {
            // Only the prefix of what was sent is named: the rest may be a real secret mistyped.
            let shown = APIKey.prefix(of: given) ?? "a malformed key"
            try await audit(
                tenant: nil, actor: "anonymous", action: "auth.failed", object: "\(request.method) \(path)", ip: ip, detail: "unknown or revoked key \(shown)")
            throw Self.unauthorized("unknown or revoked API key")
        }
        if let wait = await limiter.take(key.prefix, now: clock.now()) {
            return Problem.rateLimited("this key sent too many requests; retry after \(Int(wait.rounded(.up))) s", retryAfter: Int(wait.rounded(.up)))
                .response()
        }
        try await useCases.touch(key)
        return try await authorised(
            Principal(tenant: key.tenant, role: key.role, actor: "key:\(key.prefix)"), request: request, context: context, ip: ip, next: next)
    }

    /// A dashboard session: the cookie names a live session; a change must also carry its CSRF
    /// token (`X-CSRF-Token`), which a page of another site cannot read.
    func viaSession(_ token: String, request: Request, context: Context, ip: String?, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let path = request.uri.path
        guard let session = try await useCases.session(token: token) else {
            try await audit(
                tenant: nil, actor: "anonymous", action: "auth.failed", object: "\(request.method) \(path)", ip: ip, detail: "expired or unknown session")
            throw Self.unauthorized("the session has expired; sign in again")
        }
        let actor = "user:\(session.user.email)"
        if request.method != .get && request.method != .head {
            let sent = request.headers[HTTPField.Name("X-CSRF-Token")!] ?? ""
            guard ConstantTime.equal(sent, session.csrfToken) else {
                try await audit(
                    tenant: session.user.tenant, actor: actor, action: "authz.denied", object: "\(request.method) \(path)", ip: ip,
                    detail: "missing or wrong CSRF token")
                throw Problem.csrf("a change made with a session must carry its CSRF token in X-CSRF-Token (GET /auth/session gives it)")
            }
        }
        try await useCases.touch(session, token: token)
        let principal = Principal(tenant: session.user.tenant, role: session.user.role, actor: actor, userID: session.user.id)
        return try await authorised(principal, request: request, context: context, ip: ip, next: next)
    }

    /// Runs the route as `principal` (the route checks the permission it declared, see
    /// `Router.api`), audits a refusal and every change.
    func authorised(_ principal: Principal, request: Request, context: Context, ip: String?, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let path = request.uri.path
        var context = context
        context.principal = principal
        let isRead = request.method == .get || request.method == .head
        // Every change made through the API is in the audit log, with who, from where and how it ended.
        let action = "api.\(request.method.rawValue.lowercased())"
        let response: Response
        do {
            response = try await next(request, context)
        } catch let denied as PermissionDenied {
            try await audit(
                tenant: principal.tenant, actor: principal.actor, action: "authz.denied", object: "\(request.method) \(path)", ip: ip,
                detail: "role \(denied.role.rawValue) may not \(denied.needed.rawValue)")
            throw Problem.forbidden("your role (\(denied.role.rawValue)) may not \(denied.needed.rawValue); ask an owner or admin for more rights")
        } catch let problem as Problem {
            if !isRead {
                try await useCases.recordAccess(
                    tenant: principal.tenant, actor: principal.actor, action: action, object: path, outcome: "failed", ip: ip,
                    detail: "HTTP \(problem.status): \(problem.title)")
            }
            throw problem
        }
        guard !isRead else { return response }
        try await useCases.recordAccess(
            tenant: principal.tenant, actor: principal.actor, action: action, object: path,
            outcome: response.status.code < 400 ? "ok" : "failed", ip: ip, detail: "HTTP \(response.status.code)")
        return response
    }

    func audit(tenant: String?, actor: String, action: String, object: String, ip: String?, detail: String) async throws {
        try await useCases.recordAccess(tenant: tenant, actor: actor, action: action, object: object, outcome: "denied", ip: ip, detail: detail)
    }
}
