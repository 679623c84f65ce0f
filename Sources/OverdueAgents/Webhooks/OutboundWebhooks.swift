import Crypto
import Foundation
import Logging
import OverdueChannels
import OverdueCore
import OverdueStore
import ServiceLifecycle

/// How Overdue signs what it POSTs to a subscriber, after Stripe: the header
/// `Overdue-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body" under the subscription secret>`.
/// Receivers recompute it over the raw body and reject timestamps older than five minutes.
public enum OutboundSignature {
    /// The header name.
    public static let header = "Overdue-Signature"

    /// The header value for `body` sent at `time`.
    public static func sign(body: [UInt8], secret: String, time: Date) -> String {
        let t = Int64(time.timeIntervalSince1970)
        return "t=\(t),v1=\(hex(body: body, secret: secret, t: t))"
    }

    /// Whether `header` is a valid signature of `body` no older than `tolerance` at `now`.
    public static func verify(header: String, body: [UInt8], secret: String, now: Date, tolerance: TimeInterval = 300) -> Bool {
        var t: Int64?
        var candidates: [String] = []
        for part in header.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2 else { continue }
            if kv[0] == "t" { t = Int64(kv[1]) } else if kv[0] == "v1" { candidates.append(kv[1]) }
        }
        guard let t, abs(now.timeIntervalSince1970 - Double(t)) <= tolerance else { return false }
        let expected = hex(body: body, secret: secret, t: t)
        return candidates.contains { ConstantTime.equal($0, expected) }
    }

    static func hex(body: [UInt8], secret: String, t: Int64) -> String {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: Data(secret.utf8)))
        mac.update(data: Data("\(t).".utf8))
        mac.update(data: body)
        return Hex.string(mac.finalize())
    }
}

/// Where a subscription may point: `https://` anywhere, plain `http://` only to this machine (tests,
/// a local relay) unless `allowHTTP`.
public enum WebhookURL {
    /// The URL, or why it is refused.
    public static func validate(_ text: String, allowHTTP: Bool = false) -> Result<URL, WebhookURLError> {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            return .failure(.init(message: "'\(text)' is not an absolute URL"))
        }
        guard url.user == nil, url.password == nil else { return .failure(.init(message: "the URL must not carry a user name or password")) }
        switch scheme {
        case "https": return .success(url)
        case "http":
            let local = ["localhost", "127.0.0.1", "::1", "[::1]"].contains(host.lowercased())
            return local || allowHTTP ? .success(url) : .failure(.init(message: "use https:// (plain http is allowed only to localhost)"))
        default: return .failure(.init(message: "scheme '\(scheme)' is not http or https"))
        }
    }

    /// A refused URL.
    public struct WebhookURLError: Error, Hashable, Sendable, CustomStringConvertible {
        /// Why.
        public let message: String
        /// Why.
        public var description: String { message }
    }
}

/// Delivers the outbox to subscribers: claims due deliveries (any tenant; leased, so several
/// processes can run it), POSTs each signed payload concurrently with a short timeout — a slow or
/// dead endpoint only costs its own deliveries — and records the outcome with the next try.
public struct WebhookDispatcher: Sendable {
    let store: Store
    let transport: any ProviderTransport
    let timeout: Duration
    let batch: Int
    let logger: Logger
    /// Whether subscriptions may reach private addresses (`OutboundTarget`).
    let allowPrivateTargets: Bool

    /// Creates a dispatcher.
    public init(
        store: Store, transport: any ProviderTransport = HTTPProviderTransport(), timeout: Duration = .seconds(10), batch: Int = 32,
        allowPrivateTargets: Bool = OutboundTarget.privateAllowedByEnvironment, logger: Logger = Logger(label: "overdue.webhooks")
    ) {
        self.allowPrivateTargets = allowPrivateTargets
        self.store = store
        self.transport = transport
        self.timeout = timeout
        self.batch = batch
        self.logger = logger
    }

    /// What a round did.
    public struct Round: Hashable, Sendable {
        /// Deliveries the endpoint took.
        public var delivered = 0
        /// Deliveries that failed and will be tried again.
        public var retrying = 0
        /// Deliveries given up.
        public var failed = 0
        /// All tried.
        public var total: Int { delivered + retrying + failed }
    }

    /// Sends every delivery due at `now` (repeats until none is left or a round sent nothing new).
    @discardableResult
    public func deliverDue(now given: Date? = nil) async throws -> Round {
        let now = given ?? store.clock.now()
        var round = Round()
        while true {
            let due = try await store.write { try await $0.claimDueDeliveries(now: now, limit: batch) }
            if due.isEmpty { return round }
            let outcomes = await withTaskGroup(of: (DueDelivery, Int?, String?).self) { group in
                for d in due {
                    group.addTask { await attempt(d, now: now) }
                }
                var out: [(DueDelivery, Int?, String?)] = []
                for await o in group { out.append(o) }
                return out
            }
            for (d, status, error) in outcomes {
                let ok = status.map { (200..<300).contains($0) } ?? false
                let next = ok ? nil : WebhookRetry.next(afterAttempts: d.delivery.attempts + 1, created: d.delivery.createdAt, now: now)
                let why = ok ? nil : (error ?? "HTTP \(status ?? 0)")
                try await store.write { s in
                    try await s.recordDeliveryAttempt(d.delivery.id, at: now, responseStatus: status, error: why, delivered: ok, nextAttempt: next?.at)
                }
                if ok {
                    round.delivered += 1
                } else if let next, next.at != nil {
                    round.retrying += 1
                    logger.info("webhook \(d.delivery.eventType) to \(d.subscription.id) failed: \(why ?? "?"); \(next.reason.message)")
                } else {
                    round.failed += 1
                    logger.warning("webhook \(d.delivery.eventType) to \(d.subscription.id) given up: \(next?.reason.message ?? "")")
                }
            }
            if due.count < batch { return round }
        }
    }

    func attempt(_ d: DueDelivery, now: Date) async -> (DueDelivery, Int?, String?) {
        let body = Array(d.payload.utf8)
        let request = ProviderRequest(
            method: "POST", url: d.subscription.url,
            headers: [
                "Content-Type": "application/json",
                "User-Agent": "Overdue-Webhooks/\(Overdue.version)",
                OutboundSignature.header: OutboundSignature.sign(body: body, secret: d.subscription.secret, time: store.clock.now()),
                "Overdue-Event-Id": d.delivery.eventID,
                "Overdue-Event-Type": d.delivery.eventType,
                "Overdue-Delivery": String(d.delivery.id),
            ], body: body)
        if let url = URL(string: d.subscription.url) {
            do { try await OutboundTarget.check(url, allowPrivate: allowPrivateTargets) } catch { return (d, nil, "refused: \(error.description)") }
        }
        do {
            let response = try await transport.perform(request, timeout: timeout)
            return (d, response.status, (200..<300).contains(response.status) ? nil : "HTTP \(response.status)")
        } catch {
            // Not which error: "refused" against "timed out" would map the far side's ports.
            return (d, nil, "no answer")
        }
    }
}

/// Runs the dispatcher every few seconds (`OVERDUE_WEBHOOK_INTERVAL`, default 5).
public struct WebhookService: Service {
    let dispatcher: WebhookDispatcher
    let every: Duration

    /// Creates the service.
    public init(dispatcher: WebhookDispatcher, every: Duration = .seconds(5)) {
        self.dispatcher = dispatcher
        self.every = every
    }

    /// Runs until the service group shuts down.
    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do { try await dispatcher.deliverDue() } catch {
                dispatcher.logger.error("webhook round failed: \(describeStoreError(error))")
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: every) }
        }
    }
}
