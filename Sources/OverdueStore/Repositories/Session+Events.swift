import Foundation
import OverdueCore

/// A delivery due now, with what is needed to send it.
public struct DueDelivery: Sendable {
    /// The delivery.
    public var delivery: WebhookDelivery
    /// Its endpoint.
    public var subscription: WebhookSubscription
    /// The event's JSON payload.
    public var payload: String
}

/// What a subscriber receives: `{"id", "type", "created" (unix seconds), "tenant", "data"}`.
struct EventEnvelope<D: Encodable>: Encodable {
    let id: String
    let type: String
    let created: Int64
    let tenant: String
    let data: D
}

extension Session {
    /// Records that something happened (in the caller's transaction, with the change it reports) and
    /// queues a delivery for every live subscription of the tenant that wants it.
    @discardableResult
    public func emit<T: Encodable & Sendable>(_ tenant: String, _ type: EventType, debtor: String?, data: T, at: Date? = nil) async throws -> String {
        try await emit(tenant, type, [(debtor, data)], at: at)[0]
    }

    /// Records many events of one type at once (an import's payments): one statement per table.
    @discardableResult
    public func emit<T: Encodable & Sendable>(_ tenant: String, _ type: EventType, _ items: [(debtor: String?, data: T)], at given: Date? = nil) async throws
        -> [String]
    {
        guard !items.isEmpty else { return [] }
        let at = given ?? clock.now()
        let ids = items.map { _ in "evt_\(SecretToken.make(bytes: 15))" }
        try await insertMany(
            "events", columns: ["id", "tenant_id", "type", "debtor_id", "data", "created_at"],
            rows: zip(ids, items).map { id, item in
                let envelope = EventEnvelope(id: id, type: type.rawValue, created: Int64(at.timeIntervalSince1970), tenant: tenant, data: item.data)
                let payload = (envelope as? any HandWrittenJSON).map { Session.handWritten($0) } ?? Session.json(envelope)
                return [.text(id), .text(tenant), .text(type.rawValue), .opt(item.debtor), .text(payload), .time(at)]
            })
        for sub in try await webhookSubscriptions(tenant) where sub.disabledAt == nil && type.matches(sub.events) {
            try await insertMany(
                "webhook_deliveries", columns: ["tenant_id", "subscription_id", "event_id", "event_type", "status", "next_attempt_at", "created_at"],
                rows: ids.map { [.text(tenant), .text(sub.id), .text($0), .text(type.rawValue), .text("pending"), .time(at), .time(at)] })
        }
        return ids
    }

    /// The tenant's events after `cursor` (a `seq`), oldest first, optionally of some types or one debtor.
    public func events(_ tenant: String, after cursor: Int64? = nil, types: [EventType] = [], debtor: String? = nil, limit: Int = 100) async throws
        -> [StoredEvent]
    {
        var sql = "SELECT * FROM events WHERE tenant_id = ?"
        var binds: [SQLValue] = [.text(tenant)]
        if let cursor { sql += " AND seq > ?"; binds.append(.int(cursor)) }
        if !types.isEmpty {
            sql += " AND type IN (" + types.map { _ in "?" }.joined(separator: ",") + ")"
            binds += types.map { .text($0.rawValue) }
        }
        if let debtor { sql += " AND debtor_id = ?"; binds.append(.text(debtor)) }
        sql += " ORDER BY seq LIMIT \(max(1, limit))"
        return try await rows(sql, binds).map { r in
            guard let type = EventType(rawValue: try r.string("type")) else { throw StoreError.corrupt("event type") }
            return StoredEvent(
                seq: try r.int("seq"), id: try r.string("id"), type: type, debtorID: try r.optString("debtor_id"),
                payload: try r.string("data"), createdAt: try r.time("created_at"))
        }
    }

    // MARK: Subscriptions

    /// Adds an endpoint; its secret is returned in the record (shown to the caller once by the API).
    public func createWebhookSubscription(_ tenant: String, url: String, events: [String], description: String?, now: Date) async throws -> WebhookSubscription
    {
        let sub = WebhookSubscription(
            id: "wh_\(SecretToken.make(bytes: 9))", tenant: tenant, url: url, events: events,
            secret: "whsec_\(SecretToken.make(bytes: 24))", description: description, createdAt: now)
        try await exec(
            "INSERT INTO webhook_subscriptions (id, tenant_id, url, events, secret, description, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [.text(sub.id), .text(tenant), .text(url), .text(Session.json(events)), .text(sub.secret), .opt(description), .time(now)])
        return sub
    }

    /// The tenant's endpoints, oldest first.
    public func webhookSubscriptions(_ tenant: String) async throws -> [WebhookSubscription] {
        try await rows("SELECT * FROM webhook_subscriptions WHERE tenant_id = ? ORDER BY created_at, id", [.text(tenant)]).map(Self.subscription)
    }

    /// One of the tenant's endpoints.
    public func webhookSubscription(_ tenant: String, id: String) async throws -> WebhookSubscription? {
        try await row("SELECT * FROM webhook_subscriptions WHERE tenant_id = ? AND id = ?", [.text(tenant), .text(id)]).map(Self.subscription)
    }

    /// Switches an endpoint off: nothing more is queued for it and its pending deliveries are dropped.
    public func disableWebhookSubscription(_ tenant: String, id: String, now: Date) async throws -> Bool {
        let hit = try await !rows(
            "UPDATE webhook_subscriptions SET disabled_at = COALESCE(disabled_at, ?) WHERE tenant_id = ? AND id = ? RETURNING id",
            [.time(now), .text(tenant), .text(id)]
        ).isEmpty
        if hit {
            try await exec(
                "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, error = 'subscription disabled' WHERE subscription_id = ? AND status = 'pending'",
                [.text(id)])
        }
        return hit
    }

    static func subscription(_ r: any StoredRow) throws -> WebhookSubscription {
        WebhookSubscription(
            id: try r.string("id"), tenant: try r.string("tenant_id"), url: try r.string("url"),
            events: try decodeJSON([String].self, try r.string("events")), secret: try r.string("secret"),
            description: try r.optString("description"), createdAt: try r.time("created_at"), disabledAt: try r.optTime("disabled_at"))
    }

    // MARK: Deliveries

    /// Claims up to `limit` deliveries due at `now` (any tenant): each is leased for `lease` seconds by
    /// moving its next try, so another process polling at the same time skips it.
    public func claimDueDeliveries(now: Date, limit: Int, lease: TimeInterval = 120) async throws -> [DueDelivery] {
        let due = try await rows(
            """
            SELECT d.*, e.data AS payload FROM webhook_deliveries d JOIN events e ON e.id = d.event_id
            WHERE d.status = 'pending' AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at, d.id LIMIT \(max(1, limit))
            """, [.time(now)])
        var claimed: [DueDelivery] = []
        for r in due {
            let delivery = try Self.delivery(r)
            // Compare-and-set on the old time: of two pollers only one moves it.
            let won = try await !rows(
                "UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ? AND status = 'pending' AND next_attempt_at = ? RETURNING id",
                [.time(now.addingTimeInterval(lease)), .int(delivery.id), .text(try r.string("next_attempt_at"))]
            ).isEmpty
            guard won, let sub = try await row("SELECT * FROM webhook_subscriptions WHERE id = ?", [.text(delivery.subscriptionID)]).map(Self.subscription)
            else { continue }
            claimed.append(DueDelivery(delivery: delivery, subscription: sub, payload: try r.string("payload")))
        }
        return claimed
    }

    /// Records one try: delivered, or failed with the next try (nil = given up).
    public func recordDeliveryAttempt(_ id: Int64, at: Date, responseStatus: Int?, error: String?, delivered: Bool, nextAttempt: Date?) async throws {
        let status: WebhookDelivery.Status = delivered ? .delivered : (nextAttempt == nil ? .failed : .pending)
        try await exec(
            """
            UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, last_attempt_at = ?, response_status = ?, error = ?,
                next_attempt_at = ?, delivered_at = ? WHERE id = ?
            """,
            [
                .text(status.rawValue), .time(at), responseStatus.map { .int(Int64($0)) } ?? .null, .opt(error),
                nextAttempt.map { .time($0) } ?? .null, delivered ? .time(at) : .null, .int(id),
            ])
    }

    /// A subscription's deliveries, newest first, optionally of one status.
    public func webhookDeliveries(_ tenant: String, subscription: String, status: WebhookDelivery.Status? = nil, before cursor: Int64? = nil, limit: Int = 100)
        async throws -> [WebhookDelivery]
    {
        var sql = "SELECT * FROM webhook_deliveries WHERE tenant_id = ? AND subscription_id = ?"
        var binds: [SQLValue] = [.text(tenant), .text(subscription)]
        if let status { sql += " AND status = ?"; binds.append(.text(status.rawValue)) }
        if let cursor { sql += " AND id < ?"; binds.append(.int(cursor)) }
        sql += " ORDER BY id DESC LIMIT \(max(1, limit))"
        return try await rows(sql, binds).map(Self.delivery)
    }

    /// Puts a delivery back in the queue now (a person's "retry"): failed or pending ones only.
    public func redeliver(_ tenant: String, delivery id: Int64, now: Date) async throws -> Bool {
        try await !rows(
            "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ? WHERE tenant_id = ? AND id = ? AND status <> 'delivered' RETURNING id",
            [.time(now), .text(tenant), .int(id)]
        ).isEmpty
    }

    static func delivery(_ r: any StoredRow) throws -> WebhookDelivery {
        guard let status = WebhookDelivery.Status(rawValue: try r.string("status")) else { throw StoreError.corrupt("delivery status") }
        return WebhookDelivery(
            id: try r.int("id"), subscriptionID: try r.string("subscription_id"), eventID: try r.string("event_id"),
            eventType: try r.string("event_type"), status: status, attempts: Int(try r.int("attempts")),
            nextAttemptAt: try r.optTime("next_attempt_at"), lastAttemptAt: try r.optTime("last_attempt_at"),
            responseStatus: try r.optInt("response_status").map(Int.init), error: try r.optString("error"),
            createdAt: try r.time("created_at"), deliveredAt: try r.optTime("delivered_at"))
    }
}

/// The `data` of each event type: snake_case JSON, money as minor units + currency.
public enum EventData {
    /// `message.received` / `message.sent`.
    public struct Message: Encodable, Sendable {
        let id: String
        let debtor: String?
        let channel: String
        let direction: String
        let kind: String
        let at: String
        let to: String?
        let from: String?
        let subject: String?
        let body: String?
        let invoice_numbers: [String]
        let intent: String?

        init(_ m: MessageRecord, includeBody: Bool) {
            id = m.id
            debtor = m.debtorID
            channel = m.channel.rawValue
            direction = m.direction.rawValue
            kind = m.kind
            at = Timestamp.format(m.at)
            to = m.to
            from = m.from
            subject = m.subject
            // What the debtor said is the point of `message.received`; what we sent is in the API.
            body = includeBody ? m.body : nil
            invoice_numbers = m.invoiceNumbers
            intent = m.understanding?.intent.rawValue
        }
    }

    /// `promise.*`.
    public struct Promise: Encodable, Sendable {
        let id: String
        let debtor: String
        let date: String
        let amount_minor: Int64
        let currency: String
        let amount_stated: Bool
        let channel: String
        let status: String
        let invoice_numbers: [String]
        let reason: String?

        init(_ c: Commitment, debtor: String, reason: String? = nil) {
            id = c.id
            self.debtor = debtor
            date = c.date.description
            amount_minor = c.target.minorUnits
            currency = c.target.currency.code
            amount_stated = c.amountStated
            channel = c.channel.rawValue
            status = c.status.rawValue
            invoice_numbers = c.invoiceNumbers
            self.reason = reason
        }
    }

    /// `dispute.*`.
    public struct DisputeData: Encodable, Sendable {
        let id: String
        let debtor: String
        let invoice_number: String
        let reason: String
        let status: String
        let resolution: String?

        init(_ d: Dispute, debtor: String) {
            id = d.id
            self.debtor = debtor
            invoice_number = d.invoiceNumber
            reason = d.reason.rawValue
            status = d.status.rawValue
            resolution = d.resolution
        }
    }

    /// `payment.recorded`: a payment as the API lists it.
    public typealias PaymentData = PaymentPayload

    /// `handoff.created`.
    public struct Handoff: Encodable, Sendable {
        let id: Int64
        let debtor: String?
        let kind: String
        let reason_code: String
        let reason: String
        let message_id: String?
        let draft_id: String?
    }

    /// `case.resolved`.
    public struct CaseResolved: Encodable, Sendable {
        let debtor: String
        let reasons: [String]
    }

    /// `hold.created`.
    public struct HoldData: Encodable, Sendable {
        let debtor: String
        let invoice: String?
        let reason: String
        let until: String
    }
}
