import Foundation
import OverdueAgents
import OverdueChannels
import OverdueCore
import OverdueStore

/// What a person sends: a drafted answer approved or discarded (autonomy `review`/`suggest`) and
/// their own message to a debtor — from the API, the inbox and case pages, and `overdue approve`,
/// `overdue discard`.
extension UseCases {
    /// The engine that sends, or a refusal saying this process has none.
    func sender() throws(UseCaseError) -> ConversationEngine {
        guard let conversations else { throw UseCaseError(.conflict, [Problem("channels", "this process has no channels to send with")]) }
        return conversations
    }

    /// Sends draft `messageID` now and resolves its inbox item. Refused when the tenant has no such
    /// message (`notFound`) or it is not a draft waiting for approval, or its contact has opted out
    /// of its channel since (`conflict`, code `not_a_draft`).
    @discardableResult
    public func approveDraft(tenant: String, messageID: String, at: Date? = nil) async throws -> MessageRecord {
        let engine = try sender()
        try await requireMessage(tenant, messageID)
        do {
            return try await engine.approve(tenant: tenant, messageID: messageID, now: at ?? clock.now())
        } catch let refused as ConversationEngine.InvalidMessage {
            throw UseCaseError(.conflict, [Problem("id", refused.description)], code: "not_a_draft")
        }
    }

    /// Throws draft `messageID` away and resolves its inbox item; refused like `approveDraft`.
    public func discardDraft(tenant: String, messageID: String, at: Date? = nil) async throws {
        try await requireMessage(tenant, messageID)
        do {
            try await sender().discard(tenant: tenant, messageID: messageID, now: at ?? clock.now())
        } catch let refused as ConversationEngine.InvalidMessage {
            throw UseCaseError(.conflict, [Problem("id", refused.description)], code: "not_a_draft")
        }
    }

    /// `who`'s own message to `debtor` by email or SMS (to `contactName`, or the contact the rules
    /// pick), sent now if the contact rules allow it. Refused when the tenant has no such debtor
    /// (`notFound`) or a rule forbids it now (`conflict`, code `contact_rules`, one problem per rule).
    @discardableResult
    public func sendMessage(
        tenant: String, debtor: String, channel: Channel, text: String, subject: String?, contactName: String?, by who: String,
        at: Date? = nil
    ) async throws -> MessageRecord {
        do {
            return try await sender().sendManual(
                tenant: tenant, debtor: debtor, channel: channel, text: text, subject: subject, contactName: contactName,
                by: who, now: at ?? clock.now())
        } catch let refused as ConversationEngine.Refused {
            if refused.notFound { throw UseCaseError.notFound("debtor", "no case for debtor '\(debtor)'") }
            throw UseCaseError(.conflict, refused.reasons.map { Problem($0.code.rawValue, $0.message) }, code: "contact_rules")
        }
    }

    private func requireMessage(_ tenant: String, _ id: String) async throws {
        guard try await store.read({ try await $0.message(tenant, id: id) }) != nil else { throw UseCaseError.notFound("id", "no message '\(id)'") }
    }
}

private typealias Problem = UseCaseError.Problem

/// A message arriving: from `overdue reply` (the sandbox), the inbound-email webhook and the
/// providers' webhooks (through the conversation engine they share).
extension UseCases {
    /// Receives `text` from `from` on `channel` at `at` (now by default): threads it onto its case,
    /// understands it, decides and answers. Refused (`invalid`) when the message cannot be taken
    /// (an address that is not one, an empty text).
    public func receive(
        tenant: String, channel: Channel, from: String, text: String, subject: String? = nil, providerID: String? = nil,
        at: Date? = nil
    ) async throws -> ConversationEngine.Outcome {
        do {
            return try await sender().receive(
                tenant: tenant, channel: channel, from: from, text: text, at: at ?? clock.now(), providerID: providerID,
                subject: subject)
        } catch let refused as ConversationEngine.InvalidMessage {
            throw UseCaseError(.invalid, [Problem("from", refused.description)])
        }
    }
}

extension UseCases {
    /// Keeps a text a provider's webhook delivered and queues its handling (understanding, deciding,
    /// answering) for a worker: the webhook answers at once. A redelivery of the same provider
    /// message is kept once (`isNew` false). Refused (`invalid`) when the sender or the text cannot be
    /// read: nothing is kept then.
    public func queueReply(
        tenant: String, channel: Channel, from: String, text: String, subject: String? = nil, providerID: String? = nil
    ) async throws -> (id: Int64, isNew: Bool) {
        let country = try await settings(tenant: tenant).country
        guard let address = ConversationEngine.address(channel, from: from, country: country) else {
            throw UseCaseError(.invalid, [Problem("from", "'\(from)' is not \(channel == .email ? "an email address" : "a phone number")")])
        }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw UseCaseError(.invalid, [Problem("text", "is empty")]) }
        let at = clock.now()
        let key = "\(channel.rawValue):" + (providerID ?? StableHash.hex("\(address)\u{1F}\(Timestamp.format(at))\u{1F}\(text)"))
        let payload = String(
            decoding: try JSONEncoder().encode(InboundText(channel: channel, from: from, text: text, subject: subject, providerID: providerID)), as: UTF8.self)
        return try await store.write { s in try await s.enqueueInbound(tenant, kind: .text, dedupKey: key, payload: payload, at: at) }
    }

    /// Keeps a raw RFC 822 message a provider's inbound-parse webhook posted for the tenant, proven
    /// by `secret` (the tenant's `email.inbound_secret`, compared in constant time; refused as
    /// `forbidden` and nothing kept when missing or wrong), and queues its handling for a worker
    /// (a reply, a bounce, a complaint or mail ignored); the same message (by its bytes) posted
    /// again is kept once.
    public func queueEmail(tenant: String, raw: [UInt8], secret given: String) async throws -> (id: Int64, isNew: Bool) {
        try await checkInboundSecret(tenant: tenant, given: given)
        let key = "email:" + StableHash.hex(String(decoding: raw, as: UTF8.self))
        let at = clock.now()
        return try await store.write { s in try await s.enqueueInbound(tenant, kind: .email, dedupKey: key, payload: Data(raw).base64EncodedString(), at: at) }
    }

    /// Refuses (`forbidden`) unless `given` is the tenant's `email.inbound_secret`.
    public func checkInboundSecret(tenant: String, given: String) async throws {
        guard let secret = try await settings(tenant: tenant).value("email.inbound_secret"), ConstantTime.equal(given, secret) else {
            throw UseCaseError(.forbidden, [Problem("authorization", "missing or wrong inbound secret")])
        }
    }
}

extension UseCases {
    /// A provider's delivery report on a text Overdue sent: its status is recorded, and a number
    /// the carrier says cannot take texts is not texted again (the case re-planned, with the
    /// reason). Returns false when no message has that provider id (nothing changes).
    @discardableResult
    public func recordDeliveryReport(tenant: String, _ update: DeliveryUpdate, at: Date? = nil) async throws -> Bool {
        try await ProviderWebhooks(store: store, engine: try sender()).status(tenant: tenant, update, at: at ?? clock.now())
    }
}
