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
    /// Receives a raw RFC 822 message a provider's inbound-parse webhook posted for the tenant,
    /// proven by `secret` (the tenant's `email.inbound_secret`, compared in constant time):
    /// a reply, a bounce, a complaint, or mail ignored and why. Refused (`forbidden`) when the
    /// secret is missing or wrong; nothing is read then.
    public func receiveEmail(tenant: String, raw: [UInt8], secret given: String) async throws -> MailIntake.Result {
        try await checkInboundSecret(tenant: tenant, given: given)
        return try await MailIntake(store: store, engine: try sender()).handle(raw, tenant: tenant, at: clock.now())
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
