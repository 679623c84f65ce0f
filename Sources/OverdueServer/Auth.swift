import Foundation
import HTTPTypes
import Hummingbird
import OverdueAgents
import OverdueCore
import OverdueStore

/// Who is calling: the tenant and role an API key carries.
struct Principal: Sendable, Hashable {
    /// The tenant every request of this caller is scoped to.
    let tenant: String
    /// What it may do.
    let role: Role
    /// Who, for the audit log (`key:od_…`).
    let actor: String
}

/// The request context of Overdue's server: Hummingbird's, plus the authenticated caller.
struct OverdueRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware` on `/api/v1` requests.
    var principal: Principal?

    init(source: Source) {
        coreContext = .init(source: source)
        principal = nil
    }

    /// The caller, or 401 when there is none (only `/api/v1` routes ask).
    func caller() throws -> Principal {
        guard let principal else { throw AuthMiddleware.unauthorized("no API key") }
        return principal
    }
}

/// Every `/api/v1` request needs `Authorization: Bearer od_…` (a live key): it is then scoped to the
/// key's tenant (whatever it asks for — another tenant's objects are simply not found) and its
/// role must allow the route's permission (`AuthMiddleware.permission`). Failures get 401/403 and
/// an audit entry; the key itself is never logged. Other paths (health, provider webhooks with
/// their own signatures, private links) pass through.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = OverdueRequestContext
    let store: Store
    /// Requests per key in this server process.
    let limiter: RateLimiter

    /// The buckets of the keys seen by this process.
    actor RateLimiter {
        let rate: Double
        let burst: Int
        var buckets: [String: TokenBucket] = [:]

        init(perMinute: Int) {
            rate = Double(max(1, perMinute)) / 60
            burst = max(1, perMinute / 10)
        }

        /// Nil when the request may go, else seconds to wait.
        func take(_ key: String, now: Date) -> TimeInterval? {
            let (after, wait) = (buckets[key] ?? .full(burst: burst, at: now)).take(now: now, rate: rate, burst: burst)
            buckets[key] = after
            return wait
        }
    }

    static func unauthorized(_ why: String) -> Problem {
        Problem(type: "https://overdue.dev/problems/unauthorized", title: "Unauthorized", status: 401,
                detail: "\(why): send Authorization: Bearer KEY (make one with `overdue keys create --role ROLE`)")
    }

    /// The permission a route needs: reading is `read`; approving or discarding drafts is `manage`;
    /// every other change is `work`.
    static func permission(method: HTTPRequest.Method, path: String) -> Permission {
        if method == .get || method == .head { return .read }
        if path.hasSuffix("/approve") || path.hasSuffix("/discard") { return .manage }
        return .work
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix("/api/v1/") || path == "/api/v1" else { return try await next(request, context) }
        let ip = request.headers[HTTPField.Name("X-Forwarded-For")!]?.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) }
        let given = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)).trimmingCharacters(in: .whitespaces) : nil }
        guard let given, !given.isEmpty else {
            try await audit(tenant: nil, actor: "anonymous", action: "auth.failed", object: "\(request.method) \(path)", ip: ip, detail: "no API key")
            throw Self.unauthorized("no API key")
        }
        guard let key = try await store.read({ try await $0.apiKey(matching: given) }) else {
            // Only the prefix of what was sent is named: the rest may be a real secret mistyped.
            let shown = APIKey.prefix(of: given) ?? "a malformed key"
            try await audit(tenant: nil, actor: "anonymous", action: "auth.failed", object: "\(request.method) \(path)", ip: ip, detail: "unknown or revoked key \(shown)")
            throw Self.unauthorized("unknown or revoked API key")
        }
        if let wait = await limiter.take(key.prefix, now: Date()) {
            var headers = HTTPFields()
            headers[.contentType] = "application/problem+json"
            headers[.retryAfter] = String(Int(wait.rounded(.up)))
            let problem = Problem(type: "https://overdue.dev/problems/rate-limited", title: "Too many requests", status: 429,
                                  detail: "this key sent too many requests; retry after \(Int(wait.rounded(.up))) s")
            return Response(status: .tooManyRequests, headers: headers, body: .init(byteBuffer: ByteBuffer(string: Listing.jsonLine(problem))))
        }
        let needed = Self.permission(method: request.method, path: path)
        guard key.role.allows(needed) else {
            try await audit(tenant: key.tenant, actor: "key:\(key.prefix)", action: "authz.denied", object: "\(request.method) \(path)", ip: ip,
                            detail: "role \(key.role.rawValue) may not \(needed.rawValue)")
            throw Problem(type: "https://overdue.dev/problems/forbidden", title: "Forbidden", status: 403,
                          detail: "this key's role (\(key.role.rawValue)) may not \(needed.rawValue); ask an owner or admin for a key with more rights")
        }
        // "Last used" to the minute: not a write on every request.
        if key.lastUsedAt.map({ Date().timeIntervalSince($0) > 60 }) ?? true {
            try await store.write { try await $0.touchAPIKey(key.prefix, at: Date()) }
        }
        var context = context
        context.principal = Principal(tenant: key.tenant, role: key.role, actor: "key:\(key.prefix)")
        guard needed != .read else { return try await next(request, context) }
        // Every change made through the API is in the audit log, with who, from where and how it ended.
        let action = "api.\(request.method.rawValue.lowercased())"
        do {
            let response = try await next(request, context)
            try await store.write { s in
                try await s.appendAudit(tenant: key.tenant, actor: "key:\(key.prefix)", action: action, object: path,
                                        outcome: response.status.code < 400 ? "ok" : "failed", ip: ip, detail: "HTTP \(response.status.code)", at: Date())
            }
            return response
        } catch let problem as Problem {
            try await store.write { s in
                try await s.appendAudit(tenant: key.tenant, actor: "key:\(key.prefix)", action: action, object: path, outcome: "failed", ip: ip,
                                        detail: "HTTP \(problem.status): \(problem.title)", at: Date())
            }
            throw problem
        }
    }

    func audit(tenant: String?, actor: String, action: String, object: String, ip: String?, detail: String) async throws {
        try await store.write { s in
            try await s.appendAudit(tenant: tenant, actor: actor, action: action, object: object, outcome: "denied", ip: ip, detail: detail, at: Date())
        }
    }
}
