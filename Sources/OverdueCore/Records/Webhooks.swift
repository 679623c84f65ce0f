import Foundation

/// A tenant's webhook endpoint.
public struct WebhookSubscription: Hashable, Sendable {
    /// `wh_…`.
    public var id: String
    /// The tenant whose events it receives.
    public var tenant: String
    /// Where events are POSTed.
    public var url: String
    /// Event types (or `group.*`, or `*`).
    public var events: [String]
    /// The signing secret (`whsec_…`).
    public var secret: String
    /// A note for people.
    public var description: String?
    /// When it was made.
    public var createdAt: Date
    /// When it was switched off, if it was.
    public var disabledAt: Date?

    /// A value with these fields.
    public init(id: String, tenant: String, url: String, events: [String], secret: String, description: String? = nil, createdAt: Date, disabledAt: Date? = nil)
    {
        self.id = id
        self.tenant = tenant
        self.url = url
        self.events = events
        self.secret = secret
        self.description = description
        self.createdAt = createdAt
        self.disabledAt = disabledAt
    }
}

/// One event's delivery to one subscription: the delivery log and the retry queue.
public struct WebhookDelivery: Hashable, Sendable {
    /// Where it stands.
    public enum Status: String, Hashable, Sendable, CaseIterable {
        /// Waiting for its (next) try.
        case pending
        /// The endpoint answered 2xx.
        case delivered
        /// Given up after three days.
        case failed
    }

    /// Row id.
    public var id: Int64
    /// Its subscription.
    public var subscriptionID: String
    /// The event.
    public var eventID: String
    /// The event's type.
    public var eventType: String
    /// Where it stands.
    public var status: Status
    /// Tries so far.
    public var attempts: Int
    /// When it is tried next (pending only).
    public var nextAttemptAt: Date?
    /// When it was last tried.
    public var lastAttemptAt: Date?
    /// The endpoint's last HTTP status.
    public var responseStatus: Int?
    /// Why the last try failed.
    public var error: String?
    /// When the event was recorded.
    public var createdAt: Date
    /// When the endpoint took it.
    public var deliveredAt: Date?

    /// A value with these fields.
    public init(
        id: Int64, subscriptionID: String, eventID: String, eventType: String, status: Status, attempts: Int, nextAttemptAt: Date? = nil,
        lastAttemptAt: Date? = nil, responseStatus: Int? = nil, error: String? = nil, createdAt: Date, deliveredAt: Date? = nil
    ) {
        self.id = id
        self.subscriptionID = subscriptionID
        self.eventID = eventID
        self.eventType = eventType
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastAttemptAt = lastAttemptAt
        self.responseStatus = responseStatus
        self.error = error
        self.createdAt = createdAt
        self.deliveredAt = deliveredAt
    }
}
