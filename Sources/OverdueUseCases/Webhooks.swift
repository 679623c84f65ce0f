import Foundation
import OverdueAgents
import OverdueChannels
import OverdueCore
import OverdueStore

/// Outbound webhooks: subscriptions made, listed and switched off, their deliveries and a
/// redelivery, and the event feed they carry — from the API (`/api/v1/webhooks…`,
/// `/api/v1/events`) and the webhooks settings page. Changes are audited.
extension UseCases {
    /// A new subscription of the tenant to `events` (every event when empty) at `url`, made by
    /// `actor`. Refused `invalid` for a URL Overdue will not call (`allowHTTP`: plain http beyond
    /// localhost is allowed by the operator) or an unknown event name. Its signing secret is on
    /// the answer.
    /// A URL that resolves to a private, loopback or link-local address is refused too, unless
    /// `allowPrivateTargets` (`OutboundTarget`).
    public func subscribeWebhook(
        tenant: String, url: String, events: [String], description: String?, allowHTTP: Bool, by actor: String,
        ip: String? = nil, allowPrivateTargets: Bool = OutboundTarget.privateAllowedByEnvironment
    ) async throws -> WebhookSubscription {
        var (problems, filter) = Self.subscriptionProblems(url: url, events: events, allowHTTP: allowHTTP)
        if problems.isEmpty, let target = URL(string: url) {
            do { try await OutboundTarget.check(target, allowPrivate: allowPrivateTargets) } catch { problems.append(Problem("url", error.description)) }
        }
        guard problems.isEmpty else { throw UseCaseError(.invalid, problems) }
        let now = clock.now()
        return try await store.write { s in
            let sub = try await s.createWebhookSubscription(tenant, url: url, events: filter, description: description, now: now)
            try await s.appendAudit(
                tenant: tenant, actor: actor, action: "webhook.subscribed", object: sub.id, outcome: "ok", ip: ip,
                detail: filter.isEmpty ? "every event" : filter.joined(separator: ", "), at: now)
            return sub
        }
    }

    /// What is wrong with a subscription to `events` at `url` (each checked when given), and the
    /// event filter it stands for — so that a door can name these together with the fields it
    /// could not read at all.
    public static func subscriptionProblems(url: String?, events: [String]?, allowHTTP: Bool) -> (problems: [UseCaseError.Problem], filter: [String]) {
        var problems: [Problem] = []
        if let url, case .failure(let why) = WebhookURL.validate(url, allowHTTP: allowHTTP) { problems.append(Problem("url", why.message)) }
        var filter: [String] = []
        switch EventType.parseFilter(events ?? []) {
        case .success(let ok): filter = ok
        case .failure(let why): problems.append(Problem("events", why.description))
        }
        return (problems, filter)
    }

    /// The tenant's subscriptions.
    public func webhookSubscriptions(tenant: String) async throws -> [WebhookSubscription] {
        try await store.read { try await $0.webhookSubscriptions(tenant) }
    }

    /// The tenant's subscriptions with the count of their last 100 deliveries by status.
    public func webhookSubscriptionsWithCounts(tenant: String) async throws -> [(sub: WebhookSubscription, counts: [String: Int])] {
        try await store.read { s in
            var out: [(sub: WebhookSubscription, counts: [String: Int])] = []
            for sub in try await s.webhookSubscriptions(tenant) {
                let recent = try await s.webhookDeliveries(tenant, subscription: sub.id, limit: 100)
                out.append((sub, Dictionary(grouping: recent, by: \.status.rawValue).mapValues(\.count)))
            }
            return out
        }
    }

    /// Subscription `id`; refused (`notFound`) when the tenant has none.
    public func webhookSubscription(tenant: String, id: String) async throws -> WebhookSubscription {
        guard let sub = try await store.read({ try await $0.webhookSubscription(tenant, id: id) }) else {
            throw UseCaseError.notFound("id", "no webhook subscription '\(id)'")
        }
        return sub
    }

    /// Switches subscription `id` off as `actor`: nothing more is delivered to it. Refused
    /// (`notFound`) when the tenant has no such subscription.
    public func unsubscribeWebhook(tenant: String, id: String, by actor: String, ip: String? = nil) async throws {
        let now = clock.now()
        try await store.write { s in
            guard try await s.webhookSubscription(tenant, id: id) != nil else { throw UseCaseError.notFound("id", "no webhook subscription '\(id)'") }
            _ = try await s.disableWebhookSubscription(tenant, id: id, now: now)
            try await s.appendAudit(tenant: tenant, actor: actor, action: "webhook.disabled", object: id, outcome: "ok", ip: ip, detail: nil, at: now)
        }
    }

    /// Up to `limit` deliveries of subscription `id`, newest first, before delivery `before`, with `status` when given.
    public func webhookDeliveries(tenant: String, subscription id: String, status: WebhookDelivery.Status?, before: Int64?, limit: Int) async throws
        -> [WebhookDelivery]
    {
        let sub = try await webhookSubscription(tenant: tenant, id: id)
        return try await store.read { try await $0.webhookDeliveries(tenant, subscription: sub.id, status: status, before: before, limit: limit) }
    }

    /// Queues delivery `delivery` of subscription `id` again. Refused (`notFound`) for an unknown
    /// subscription, `conflict` when the delivery is not one of its undelivered ones.
    public func redeliverWebhook(tenant: String, subscription id: String, delivery: Int64) async throws {
        let sub = try await webhookSubscription(tenant: tenant, id: id)
        let now = clock.now()
        let ok = try await store.write { s -> Bool in
            guard try await s.webhookDeliveries(tenant, subscription: sub.id, before: delivery + 1, limit: 1).first?.id == delivery else { return false }
            return try await s.redeliver(tenant, delivery: delivery, now: now)
        }
        guard ok else { throw UseCaseError(.conflict, [Problem("delivery", "delivery \(delivery) of \(sub.id) does not exist or was already delivered")]) }
    }

    /// Up to `limit` events after sequence `after`, of `types` (any when empty) and `debtor` when given.
    public func events(tenant: String, after: Int64?, types: [EventType], debtor: String?, limit: Int) async throws -> [StoredEvent] {
        try await store.read { try await $0.events(tenant, after: after, types: types, debtor: debtor, limit: limit) }
    }
}

private typealias Problem = UseCaseError.Problem
