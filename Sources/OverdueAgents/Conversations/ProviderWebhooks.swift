import Foundation
import Logging
import OverdueChannels
import OverdueCore
import OverdueStore

/// What providers report back: delivery reports on texts Overdue sent (texts debtors send go
/// through `UseCases.receive`, like every reply).
public struct ProviderWebhooks: Sendable {
    let store: Store
    let engine: ConversationEngine
    let logger: Logger

    /// Creates the handler.
    public init(store: Store, engine: ConversationEngine, logger: Logger = Logger(label: "overdue.sms")) {
        self.store = store
        self.engine = engine
        self.logger = logger
    }

    /// A delivery report. Returns false when no message has that provider id (nothing changes).
    /// A number the carrier says cannot take texts is not texted again, and the case is re-planned
    /// (the ladder moves on), with the reason.
    @discardableResult
    public func status(tenant: String, _ update: DeliveryUpdate, at: Date) async throws -> Bool {
        guard let message = try await store.read({ try await $0.message(tenant, providerID: update.providerID) }) else {
            logger.warning("delivery report for unknown message \(update.providerID) (tenant \(tenant))")
            return false
        }
        var replan: String?
        try await store.write { s in
            try await s.applyDeliveryReport(tenant, id: message.id, state: update.state.rawValue, detail: update.detail, at: at)
            guard update.numberIsBad, let cid = message.contactID, let debtor = message.debtorID else { return }
            let already = try await s.suppressions(tenant, debtor: debtor).contains { $0.contactID == cid && ($0.channel == .sms || $0.channel == nil) }
            guard !already else { return }
            let name = message.contactName ?? message.to ?? "the contact"
            try await s.addSuppression(tenant, Suppression(contactID: cid, channel: .sms, reason: "number cannot take texts: \(update.detail)"), now: at)
            try await s.recordDecision(
                tenant, debtor: debtor, at: at, action: .wait,
                reasons: [
                    Reason("bad_number", "\(message.to ?? "the number") cannot take texts (\(update.detail)): no more texts to \(name); the ladder moves on")
                ])
            try await s.schedule(tenant, subjects: [debtor], at: at, mode: .earliest)
            replan = debtor
        }
        if let replan { try await engine.replan(tenant: tenant, debtor: replan, at: at) }
        return true
    }
}
