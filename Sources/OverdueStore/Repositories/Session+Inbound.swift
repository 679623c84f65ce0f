import Foundation
import OverdueCore

/// A message a provider delivered (a text by webhook, a raw email by an inbound-parse webhook),
/// kept as received until a worker has handled it.
public struct InboundItem: Hashable, Sendable {
    /// What the payload is.
    public enum Kind: String, Sendable {
        /// A text, spoken words or a mail already split into fields (`InboundText`, JSON).
        case text
        /// A raw RFC 822 message (base64).
        case email
    }
    /// Where it stands.
    public enum Status: String, Sendable {
        /// Waiting for a worker.
        case queued
        /// Handled.
        case done
        /// Handling failed for good; kept for a person.
        case failed
    }
    /// Row id.
    public var id: Int64
    /// Tenant.
    public var tenant: String
    /// What the payload is.
    public var kind: Kind
    /// The payload, as received.
    public var payload: String
    /// When it was received.
    public var receivedAt: Date
    /// Where it stands.
    public var status: Status
    /// Why handling failed, if it did.
    public var error: String?
}

/// An inbound text as a provider's webhook gave it.
public struct InboundText: Codable, Hashable, Sendable {
    /// The channel.
    public var channel: Channel
    /// The sender's number or address.
    public var from: String
    /// The words.
    public var text: String
    /// An email's subject.
    public var subject: String?
    /// The provider's id for it (deduplicates redeliveries).
    public var providerID: String?

    /// An inbound text.
    public init(channel: Channel, from: String, text: String, subject: String? = nil, providerID: String? = nil) {
        (self.channel, self.from, self.text, self.subject, self.providerID) = (channel, from, text, subject, providerID)
    }
}

extension Session {
    /// Keeps a received message and queues its handling (an `inbound` job due at once); a message
    /// whose `dedupKey` was kept before (a provider retrying its webhook) is not kept twice.
    /// Returns the item's id and whether it is new.
    public func enqueueInbound(_ tenant: String, kind: InboundItem.Kind, dedupKey: String, payload: String, at: Date) async throws -> (
        id: Int64, isNew: Bool
    ) {
        if let r = try await rows(
            """
            INSERT INTO inbound (tenant_id, kind, dedup_key, payload, received_at, received_ms, status) VALUES (?, ?, ?, ?, ?, ?, 'queued')
            ON CONFLICT (tenant_id, dedup_key) DO NOTHING RETURNING id
            """, [.text(tenant), .text(kind.rawValue), .text(dedupKey), .text(payload), .time(at), .int(Int64(at.timeIntervalSince1970 * 1000))]
        ).first {
            let id = try r.int("id")
            try await schedule(tenant, kind: InboundItem.jobKind, subjects: [String(id)], at: Session.asap, mode: .earliest)
            return (id, true)
        }
        guard let existing = try await row("SELECT id FROM inbound WHERE tenant_id = ? AND dedup_key = ?", [.text(tenant), .text(dedupKey)]) else {
            throw StoreError.corrupt("inbound item \(dedupKey) neither inserted nor found")
        }
        return (try existing.int("id"), false)
    }

    /// A kept inbound item.
    public func inboundItem(_ tenant: String, id: Int64) async throws -> InboundItem? {
        guard let r = try await row("SELECT * FROM inbound WHERE tenant_id = ? AND id = ?", [.text(tenant), .int(id)]) else { return nil }
        guard let kind = InboundItem.Kind(rawValue: try r.string("kind")), let status = InboundItem.Status(rawValue: try r.string("status")) else {
            throw StoreError.corrupt("inbound item \(id)")
        }
        return InboundItem(
            id: id, tenant: tenant, kind: kind, payload: try r.string("payload"), receivedAt: try r.time("received_at"), status: status,
            error: try r.optString("error"))
    }

    /// Records how handling an inbound item ended (`error` nil: done) at wall-clock `at` (kept to
    /// the millisecond with the time it was received: how long replies wait is measured from them).
    public func finishInbound(_ tenant: String, id: Int64, error: String?, at: Date) async throws {
        try await exec(
            "UPDATE inbound SET status = ?, error = ?, done_at = ?, done_ms = ? WHERE tenant_id = ? AND id = ?",
            [
                .text(error == nil ? InboundItem.Status.done.rawValue : InboundItem.Status.failed.rawValue), .opt(error), .time(at),
                .int(Int64(at.timeIntervalSince1970 * 1000)), .text(tenant), .int(id),
            ])
    }

    /// How many inbound items of the tenant wait for a worker.
    public func queuedInboundCount(_ tenant: String) async throws -> Int {
        Int(try await row("SELECT COUNT(*) AS n FROM inbound WHERE tenant_id = ? AND status = 'queued'", [.text(tenant)])?.int("n") ?? 0)
    }
}

extension InboundItem {
    /// The job kind that handles inbound items (its subject is the item id).
    public static let jobKind = "inbound"
}
