/// OverdueServer — the HTTP face of Overdue: health, the JSON API, the dashboard, the provider
/// webhooks (SMS, voice, inbound email) and the debtor's links. Handlers parse a request, call one
/// entry of the application layer (`UseCases`) and present its answer; they never see the store
/// and make no collection decisions. Each API route is registered with the permission it needs and
/// checks it itself (`Routes.swift`); `AuthMiddleware` only says who is calling.
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OverdueAgents
import OverdueChannels
import OverdueCore
import OverdueUseCases
import ServiceLifecycle

/// What the server needs, built once at start-up.
public struct ServerConfiguration: Sendable {
    /// Address to bind.
    public var host: String
    /// Port to bind (0 picks a free one).
    public var port: Int
    /// The tenant served when a request names none.
    public var defaultTenant: String
    /// Whether to run the wall-clock scheduler in this process.
    public var runScheduler: Bool
    /// API requests a minute per key in this process (`OVERDUE_API_RATE`, default 600); bursts of a tenth.
    public var apiRatePerMinute = Int(ProcessInfo.processInfo.environment["OVERDUE_API_RATE"] ?? "") ?? 600
    /// Sign-in attempts a minute per client address (`OVERDUE_LOGIN_RATE`, default 10).
    public var loginsPerMinute = Int(ProcessInfo.processInfo.environment["OVERDUE_LOGIN_RATE"] ?? "") ?? 10
    /// Sign-in attempts allowed at once before the rate applies (default 10).
    public var loginBurst = 10
    /// Whether URLs a tenant sets (webhooks) may reach private, loopback or link-local addresses
    /// (`OVERDUE_ALLOW_PRIVATE_TARGETS=1`; see `OutboundTarget`).
    public var allowPrivateTargets = OutboundTarget.privateAllowedByEnvironment
    /// Failed API authentications (no, unknown or expired credentials) a minute per client address
    /// that each get an audit entry (`OVERDUE_AUTH_FAILURE_RATE`, default 30, bursts of 10); beyond,
    /// 429 and only a count.
    public var authFailuresPerMinute = Int(ProcessInfo.processInfo.environment["OVERDUE_AUTH_FAILURE_RATE"] ?? "") ?? 30
    /// Whether the session cookie is Secure (`OVERDUE_COOKIE_SECURE=0` turns it off for plain-http development).
    public var secureCookie = ServerConfiguration.secureByEnvironment
    /// Whether the environment leaves cookies Secure (`OVERDUE_COOKIE_SECURE` is not `0`).
    static let secureByEnvironment = ProcessInfo.processInfo.environment["OVERDUE_COOKIE_SECURE"] != "0"
    /// Whether webhook subscriptions may use plain http:// beyond localhost (`OVERDUE_WEBHOOK_ALLOW_HTTP=1`).
    public var allowHTTPWebhooks = ProcessInfo.processInfo.environment["OVERDUE_WEBHOOK_ALLOW_HTTP"] == "1"

    /// Creates a configuration.
    public init(host: String = "127.0.0.1", port: Int = 8080, defaultTenant: String = "default", runScheduler: Bool = true) {
        self.host = host
        self.port = port
        self.defaultTenant = defaultTenant
        self.runScheduler = runScheduler
    }
}

/// Builds the application over `runtime` (the process's composition root): used by `overdue
/// serve`, `overdue demo` and the tests. With `runScheduler`, the process also works due cases,
/// reads mailboxes and delivers webhooks (`runtime.workerServices`).
public func buildApplication(
    configuration: ServerConfiguration, runtime: Runtime, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let useCases = runtime.useCases
    let router = Router(context: OverdueRequestContext.self)
    router.add(middleware: ProblemMiddleware())
    if configuration.secureCookie { router.add(middleware: StrictTransportMiddleware()) }
    router.add(
        middleware: AuthMiddleware(
            useCases: useCases, limiter: .init(perMinute: configuration.apiRatePerMinute),
            failures: .init(perMinute: configuration.authFailuresPerMinute, burst: 10)))
    router.add(middleware: IdempotencyMiddleware(useCases: useCases))
    let api = APIController(defaultTenant: configuration.defaultTenant, useCases: useCases)
    api.register(on: router)
    ConversationController(api: api).register(on: router)
    LinkController(useCases: useCases).register(on: router)
    let webhooks = WebhookController(api: api, allowHTTP: configuration.allowHTTPWebhooks, allowPrivateTargets: configuration.allowPrivateTargets)
    webhooks.register(on: router)
    LedgerController(api: api).register(on: router)
    ConfigController(api: api).register(on: router)
    let accounts = AccountsController(
        api: api, loginLimiter: .init(perMinute: configuration.loginsPerMinute, burst: configuration.loginBurst),
        secureCookie: configuration.secureCookie)
    accounts.register(on: router)
    DashboardController(api: api, accounts: accounts, webhooks: webhooks).register(on: router)
    ProviderWebhookController(useCases: useCases, voice: runtime.voiceAgent()).register(on: router)
    var services: [any Service] = []
    if configuration.runScheduler {
        services.append(contentsOf: runtime.workerServices(scheduler: runtime.scheduler(), mail: runtime.mailReader()))
    }
    let logger = runtime.logger
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "overdue"),
        services: services,
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}

/// An RFC 9457 problem: every API error leaves the server in this shape.
struct Problem: Error, Encodable {
    let type: String
    let title: String
    let status: Int
    let detail: String
    /// Every bad field of a request (validation problems only).
    var errors: [FieldError]? = nil
    /// Seconds to wait (429 only; sent as `Retry-After`, not in the body).
    var retryAfter: Int? = nil

    enum CodingKeys: String, CodingKey { case type, title, status, detail, errors }

    func response() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: Listing.jsonLine(self))))
    }
}

/// Maps thrown errors to problem+json responses in one place.
/// Served over HTTPS (cookies are Secure): browsers are told to use nothing else for a year
/// (`Strict-Transport-Security`), so a first plain-http visit cannot be intercepted.
struct StrictTransportMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[HTTPField.Name("Strict-Transport-Security")!] = "max-age=31536000"
        return response
    }
}

struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return problem.response()
        } catch let refused as UseCaseError {
            return Problem(refused).response()
        } catch let error as HTTPError where error.status == .notFound {
            if let allowed = OpenAPIDocument.methods(for: request.uri.path), !allowed.contains(request.method.rawValue) {
                var response = Problem.methodNotAllowed(
                    "\(request.uri.path) answers \(allowed.joined(separator: ", ")), not \(request.method)"
                ).response()
                response.headers[.allow] = allowed.joined(separator: ", ")
                return response
            }
            return Problem.notFound("no route \(request.method) \(request.uri.path)").response()
        } catch let error as HTTPError {
            return Problem(
                type: Problem.base + "http", title: error.status.reasonPhrase, status: Int(error.status.code),
                detail: error.body ?? error.status.reasonPhrase
            ).response()
        } catch let error as NIOTooManyBytesError {
            // A body longer than the route reads is the caller's mistake, not the server's.
            return Problem(
                type: Problem.base + "too-large", title: "Content too large", status: 413,
                detail: "the body is larger than this route accepts (\(error.maxBytes.map { "\($0 >> 10) KiB" } ?? "its limit"))"
            ).response()
        } catch {
            context.logger.error("request failed: \(error)")
            return Problem(
                type: Problem.base + "internal", title: "Internal error", status: 500,
                detail: "the request failed; the server log has the details"
            ).response()
        }
    }
}
