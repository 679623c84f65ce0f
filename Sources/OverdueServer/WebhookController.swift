import Foundation
import Hummingbird
import OverdueAgents
import OverdueChannels
import OverdueCore
import OverdueUseCases

/// `/api/v1/webhooks` (subscriptions and their delivery log) and `/api/v1/events` (the event
/// history subscribers are sent).
struct WebhookController: Sendable {
    let api: APIController
    /// Whether subscriptions may use plain http:// to hosts other than localhost.
    let allowHTTP: Bool
    /// Whether subscriptions may point at private addresses (`OutboundTarget`).
    var allowPrivateTargets = OutboundTarget.privateAllowedByEnvironment

    func register(on router: Router<OverdueRequestContext>) {
        router.api(.get, "/api/v1/events", .read, use: events)
        router.api(.get, "/api/v1/webhooks", .administer, use: list)
        router.api(.post, "/api/v1/webhooks", .administer, use: create)
        router.api(.get, "/api/v1/webhooks/:id", .administer, use: one)
        router.api(.delete, "/api/v1/webhooks/:id", .administer, use: disable)
        router.api(.get, "/api/v1/webhooks/:id/deliveries", .administer, use: deliveries)
        router.api(.post, "/api/v1/webhooks/:id/deliveries/:delivery/retry", .administer, use: retry)
    }

    struct SubscriptionLine: Encodable {
        let id: String
        let url: String
        let events: [String]
        let description: String?
        let created_at: String
        let disabled_at: String?
        /// Only in the answer to the POST that made it.
        let secret: String?

        init(_ s: WebhookSubscription, showSecret: Bool = false) {
            id = s.id
            url = s.url
            events = s.events
            description = s.description
            created_at = Timestamp.format(s.createdAt)
            disabled_at = s.disabledAt.map(Timestamp.format)
            secret = showSecret ? s.secret : nil
        }
    }

    struct DeliveryLine: Encodable {
        let id: Int64
        let event_id: String
        let event_type: String
        let status: String
        let attempts: Int
        let next_attempt_at: String?
        let last_attempt_at: String?
        let response_status: Int?
        let error: String?
        let created_at: String
        let delivered_at: String?

        init(_ d: WebhookDelivery) {
            id = d.id
            event_id = d.eventID
            event_type = d.eventType
            status = d.status.rawValue
            attempts = d.attempts
            next_attempt_at = d.nextAttemptAt.map(Timestamp.format)
            last_attempt_at = d.lastAttemptAt.map(Timestamp.format)
            response_status = d.responseStatus
            error = d.error
            created_at = Timestamp.format(d.createdAt)
            delivered_at = d.deliveredAt.map(Timestamp.format)
        }
    }

    @Sendable func list(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        let subs = try await api.useCases.webhookSubscriptions(tenant: tenant)
        return APIController.json(Listing.jsonLine(PageOf(items: subs.map { SubscriptionLine($0) }, next: nil)))
    }

    @Sendable func create(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        var f = try await Fields.body(request)
        let sub = try await subscribe(&f, tenant: try api.tenant(context), by: try context.caller().actor, ip: context.clientIP(request))
        return APIController.json(Listing.jsonLine(SubscriptionLine(sub, showSecret: true)), status: .created)
    }

    /// `{url, events?, description?}`: a new subscription (the API's POST and the dashboard's form).
    func subscribe(_ f: inout Fields, tenant: String, by actor: String, ip: String?) async throws -> WebhookSubscription {
        let url = f.string("url", maxLength: 2000)
        let names = f.strings("events")
        let description = f.string("description", required: false)
        for p in UseCases.subscriptionProblems(url: url, events: names, allowHTTP: allowHTTP).problems { f.fail(p.field, p.message) }
        try f.done()
        return try await Problem.presenting {
            try await api.useCases.subscribeWebhook(
                tenant: tenant, url: url!, events: names ?? [], description: description, allowHTTP: allowHTTP, by: actor, ip: ip,
                allowPrivateTargets: allowPrivateTargets)
        }
    }

    func subscription(_ tenant: String, _ context: OverdueRequestContext) async throws -> WebhookSubscription {
        let id = try context.parameters.require("id")
        return try await api.useCases.webhookSubscription(tenant: tenant, id: id)
    }

    @Sendable func one(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        return APIController.json(Listing.jsonLine(SubscriptionLine(try await subscription(tenant, context))))
    }

    @Sendable func disable(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        try await api.useCases.unsubscribeWebhook(
            tenant: tenant, id: try context.parameters.require("id"), by: try context.caller().actor, ip: context.clientIP(request))
        return Response(status: .noContent)
    }

    @Sendable func deliveries(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        var q = Query(request)
        let status = q.choice("status", WebhookDelivery.Status.self)
        let limit = q.limit()
        let cursor = q.cursor()
        try q.done()
        let rows = try await api.useCases.webhookDeliveries(
            tenant: tenant, subscription: try context.parameters.require("id"), status: status,
            before: cursor.flatMap { Int64($0.id) }, limit: limit + 1)
        return APIController.json(Listing.jsonLine(PageOf(rows.map(DeliveryLine.init), limit: limit) { Cursor(key: "", id: String($0.id)) }))
    }

    @Sendable func retry(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        let sub = try await subscription(tenant, context)
        let raw = try context.parameters.require("delivery")
        guard let id = Int64(raw) else { throw Problem.notFound("no delivery '\(raw)'") }
        try await api.useCases.redeliverWebhook(tenant: tenant, subscription: sub.id, delivery: id)
        return APIController.json(#"{"status":"pending"}"#, status: .accepted)
    }

    struct EventLine: Encodable {
        let id: String
        let type: String
        let debtor: String?
        let created_at: String
        let payload: JSONText
    }

    @Sendable func events(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        var q = Query(request)
        let types = q.choices("type", EventType.self)
        let limit = q.limit()
        let cursor = q.cursor()
        let debtor = q.value("debtor")
        try q.done()
        let rows = try await api.useCases.events(tenant: tenant, after: cursor.flatMap { Int64($0.id) }, types: types, debtor: debtor, limit: limit + 1)
        let shown = rows.prefix(limit)
        let lines = shown.map {
            EventLine(id: $0.id, type: $0.type.rawValue, debtor: $0.debtorID, created_at: Timestamp.format($0.createdAt), payload: JSONText($0.payload))
        }
        let next = rows.count > limit ? shown.last.map { Cursor(key: "", id: String($0.seq)).token } : nil
        return APIController.json(Listing.jsonLine(PageOf(items: Array(lines), next: next)))
    }
}

/// JSON already serialised, embedded as is.
struct JSONText: Encodable {
    let text: String
    init(_ text: String) { self.text = text }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode((try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .null)
    }
}
