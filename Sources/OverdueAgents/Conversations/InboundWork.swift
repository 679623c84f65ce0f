import Foundation
import Logging
import OverdueCore
import OverdueLanguage
import OverdueStore

/// Handles what provider webhooks kept (`Session.enqueueInbound`): the webhook only verifies, keeps
/// the raw message and answers; understanding, deciding, composing and delivering happen here, in
/// an `inbound` job, holding the debtor's case (its plan job's lease) so that a reply and a ladder
/// attempt of the same debtor are never worked at once.
public struct InboundWork: Sendable {
    let store: Store
    let engine: ConversationEngine
    let mail: MailIntake
    let logger: Logger

    /// Handling by `engine` (mail through a `MailIntake` on it).
    public init(store: Store, engine: ConversationEngine, logger: Logger = Logger(label: "overdue.inbound")) {
        self.store = store
        self.engine = engine
        self.mail = MailIntake(store: store, engine: engine, logger: logger)
        self.logger = logger
    }

    /// Another worker is on the debtor's case: the item waits for it.
    public struct CaseBusy: Error, CustomStringConvertible {
        /// The debtor.
        public let debtor: String
        /// When the item was received.
        public let receivedAt: Date
        /// What it is, in words.
        public var description: String { "the case of \(debtor) is being worked by another worker" }
    }

    /// Handles item `id` of `tenant` (once: a handled one is left alone). Throws `CaseBusy` when the
    /// debtor's case is in another worker's hands; any other error leaves the item queued for the
    /// job's retry.
    public func handle(tenant: String, id: Int64, owner: String, wallClock: any Clock, leaseSeconds: Double) async throws {
        let leaseNow = wallClock.now()
        guard let item = try await store.read({ try await $0.inboundItem(tenant, id: id) }), item.status == .queued else { return }
        let debtor = try await debtor(of: item)
        var lease: Job?
        if let debtor {
            lease = try await store.write { s in
                try await s.leaseCase(tenant, debtor: debtor, owner: owner, leaseNow: leaseNow, leaseSeconds: leaseSeconds)
            }
            if lease == nil { throw CaseBusy(debtor: debtor, receivedAt: item.receivedAt) }
        }
        let held = lease
        do {
            let problem = try await work(item)
            try await store.write { s in
                try await s.finishInbound(tenant, id: id, error: problem, at: wallClock.now())
                if let problem {
                    // Nothing is lost: the raw message stays kept, and a person is told.
                    try await s.addInboxItem(
                        tenant, debtor: debtor, kind: .flag, reason: Reason("inbound_refused", "a message received could not be read: \(problem)"),
                        messageID: nil, at: item.receivedAt)
                }
                if let held { try await Self.giveBack(held, s) }
            }
        } catch {
            if let held { try? await store.write { s in try await Self.giveBack(held, s) } }
            throw error
        }
    }

    /// Returns the case's lease: a plan job made only to be held goes away (unless asked for
    /// meanwhile); a real one is due again when it was.
    static func giveBack(_ lease: Job, _ s: Session) async throws {
        if lease.dueAt == Session.never { try await s.completeJobs([(lease, nil)]) } else { try await s.releaseJobs([lease]) }
    }

    /// The debtor whose case the item belongs to, when it can be told before handling it.
    func debtor(of item: InboundItem) async throws -> String? {
        switch item.kind {
        case .text:
            let text = try Self.text(item)
            let settings = try await store.rules(item.tenant).settings
            guard let address = ConversationEngine.address(text.channel, from: text.from, country: settings.country) else { return nil }
            // The case the engine will put it on (a shared address is told apart as it will be).
            let refs = ReplyReader.read(text.text, channel: text.channel, reference: LocalDate(item.receivedAt, in: settings.timeZone)).invoiceRefs
            let (match, _) = try await engine.sender(
                tenant: item.tenant, address: address, threadContactID: nil, inCall: false, invoiceRefs: refs, at: item.receivedAt)
            if case .contact(let contact, _) = match { return contact.debtorID }
            return nil
        case .email:
            return try await mail.debtor(of: try Self.raw(item), tenant: item.tenant)
        }
    }

    /// Handles the item; returns why it cannot be read, or nil when handled.
    func work(_ item: InboundItem) async throws -> String? {
        switch item.kind {
        case .text:
            let text = try Self.text(item)
            do {
                _ = try await engine.receive(
                    tenant: item.tenant, channel: text.channel, from: text.from, text: text.text, at: item.receivedAt, providerID: text.providerID,
                    subject: text.subject)
            } catch let refused as ConversationEngine.InvalidMessage {
                return refused.description
            }
        case .email:
            _ = try await mail.handle(try Self.raw(item), tenant: item.tenant, at: item.receivedAt)
        }
        return nil
    }

    static func text(_ item: InboundItem) throws -> InboundText {
        do { return try JSONDecoder().decode(InboundText.self, from: Data(item.payload.utf8)) } catch {
            throw StoreError.corrupt("inbound item \(item.id) is not a text: \(error)")
        }
    }

    static func raw(_ item: InboundItem) throws -> [UInt8] {
        guard let data = Data(base64Encoded: item.payload) else { throw StoreError.corrupt("inbound item \(item.id) is not base64") }
        return Array(data)
    }
}
