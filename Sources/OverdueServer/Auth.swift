import Foundation
import HTTPTypes
import NIOConcurrencyHelpers
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

    /// Where the request came from. Behind `trustedProxies` proxies (`OVERDUE_TRUSTED_PROXIES`, 0 by
    /// default) it is the address the outermost trusted proxy saw: the entry that many places from
    /// the right of `X-Forwarded-For` followed by the peer. Entries further left are the client's
    /// own words (a client can send any `X-Forwarded-For`; each proxy appends what it saw), so a
    /// client cannot pick its address to dodge a per-address limit or forge the audit log.
    func clientIP(_ request: Request) -> String? {
        Self.clientAddress(forwardedFor: request.headers[values: HTTPField.Name("X-Forwarded-For")!], peer: peerIP, trustedProxies: Self.trustedProxies)
    }

    /// The client's address, from the `X-Forwarded-For` header lines (in order), the peer and how
    /// many proxies in front are trusted (see `clientIP`).
    static func clientAddress(forwardedFor lines: [String], peer: String?, trustedProxies: Int) -> String? {
        guard trustedProxies > 0 else { return peer }
        let chain = lines.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let hops = chain + [peer ?? ""]
        // The peer is the nearest trusted proxy; each trusted proxy vouches for the entry left of it.
        let index = hops.count - 1 - trustedProxies
        return index >= 0 ? hops[index] : hops.first
    }

    /// Proxies in front of the server whose `X-Forwarded-For` entries are trusted
    /// (`OVERDUE_TRUSTED_PROXIES=N`; the older `OVERDUE_TRUST_PROXY=1` means one).
    static let trustedProxies: Int = {
        let env = ProcessInfo.processInfo.environment
        if let n = env["OVERDUE_TRUSTED_PROXIES"].flatMap(Int.init), n >= 0 { return n }
        return env["OVERDUE_TRUST_PROXY"] == "1" ? 1 : 0
    }()

    /// The caller, or 401 when there is none (only `/api/v1` routes ask).
    func caller() throws -> Principal {
        guard let principal else { throw AuthMiddleware.unauthorized("no API key") }
        return principal
    }
}

/// Requests a page of another site made a browser send (a sign-in form posted from elsewhere signs
/// the victim in as the attacker: login CSRF). Browsers say where a request comes from in
/// `Sec-Fetch-Site` (a proxy in front changes nothing there); a page with no origin of its own (a
/// sandboxed frame, a data: URL) sends `Origin: null`. Tools that send neither are not browsers.
enum CrossSite {
    /// Whether `request` came from another site (or a sibling one).
    static func isCrossSite(_ request: Request) -> Bool {
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!] { return site == "cross-site" || site == "same-site" }
        return request.headers[HTTPField.Name("Origin")!] == "null"
    }

    /// The refusal.
    static let refusal = Problem.forbidden("a sign-in may only be posted from this server's own pages")
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
    /// Failed authentications per client address: each within the limit gets its own audit entry;
    /// beyond it the caller is told to wait and only counted, so a flood of bad credentials can
    /// neither grow the audit log nor hold the chain's lock.
    let failures: RateLimiter
    /// Failures refused without an entry since the address's last entry (told in its next one).
    let unlogged = FailureCounts()

    /// Counts per address (bounded: an address not seen again is forgotten with the rest).
    final class FailureCounts: Sendable {
        private let counts = NIOLockedValueBox<[String: Int]>([:])
        func add(_ address: String) {
            counts.withLockedValue { counts in
                if counts.count > 10_000 { counts.removeAll() }
                counts[address, default: 0] += 1
            }
        }
        func take(_ address: String) -> Int { counts.withLockedValue { $0.removeValue(forKey: address) ?? 0 } }
    }

    /// Refuses an anonymous request: audited while its address stays within `failures`, else 429
    /// and counted for the address's next entry.
    func refuse(_ request: Request, ip: String?, detail: String, answer: String) async throws -> Never {
        let address = ip ?? "unknown"
        if let wait = await failures.take(address, now: clock.now()) {
            unlogged.add(address)
            let seconds = Int(wait.rounded(.up))
            throw Problem.rateLimited("too many failed authentications from this address; retry after \(seconds) s", retryAfter: seconds)
        }
        let skipped = unlogged.take(address)
        try await audit(
            tenant: nil, actor: "anonymous", action: "auth.failed", object: "\(request.method) \(request.uri.path)", ip: ip,
            detail: detail + (skipped > 0 ? " (and \(skipped) more from this address refused since the last entry)" : ""))
        throw Self.unauthorized(answer)
    }

    /// The buckets of the keys seen by this process.
    actor RateLimiter {
        let rate: Double
        let burst: Int
        var buckets: [String: TokenBucket] = [:]
        /// When the buckets may next be swept: at most once per refill time, so a flood of new
        /// callers costs one pass over them per refill, not one per request.
        var nextSweep = Date.distantPast

        init(perMinute: Int, burst: Int? = nil) {
            rate = Double(max(1, perMinute)) / 60
            self.burst = burst ?? max(1, perMinute / 10)
        }

        /// Nil when the request may go, else seconds to wait.
        func take(_ key: String, now: Date) -> TimeInterval? {
            // Many distinct callers (addresses, say) must not grow memory without end: a bucket that
            // has refilled is the same as no bucket.
            if buckets.count > 10_000, now >= nextSweep {
                let refill = Double(burst) / rate
                buckets = buckets.filter { now.timeIntervalSince($0.value.at) < refill }
                nextSweep = now.addingTimeInterval(refill)
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
            try await refuse(request, ip: ip, detail: "no API key or session", answer: "no API key or session")
        }
        guard let key = try await useCases.apiKey(matching: given) else {
            // Only the prefix of what was sent is named: the rest may be a real secret mistyped.
            let shown = APIKey.prefix(of: given) ?? "a malformed key"
            try await refuse(request, ip: ip, detail: "unknown or revoked key \(shown)", answer: "unknown or revoked API key")
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
            try await refuse(request, ip: ip, detail: "expired or unknown session", answer: "the session has expired; sign in again")
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
