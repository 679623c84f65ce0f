import Foundation
import OverdueCore
import OverdueStore

/// Threads an inbound message onto its debtor's case. Understanding it comes with the conversations
/// issue; for now any reply from a contact pauses that debtor's ladder for the rest of that day.
public struct ReplyIntake: Sendable {
    let store: Store

    /// Creates the intake.
    public init(store: Store) { self.store = store }

    /// The stored message and the contact it was matched to (nil: no contact has that address).
    public struct Result: Sendable {
        /// The stored message.
        public var message: MessageRecord
        /// The matched contact.
        public var contact: Contact?
        /// False when the same message (same key) was stored before.
        public var isNew: Bool
    }

    /// Why an inbound message was refused.
    public struct InvalidReply: Error, CustomStringConvertible {
        /// What is wrong.
        public var description: String
    }

    /// Stores `text` received from `from` over `channel` at `at`; `providerID` de-duplicates redeliveries.
    public func receive(tenant: String, channel: Channel, from: String, text: String, at: Date, providerID: String? = nil) async throws -> Result {
        let settings = try await store.read { try await $0.settings(tenant) }
        let address: String
        switch channel {
        case .email:
            guard let e = EmailAddress.normalize(from) else { throw InvalidReply(description: "--from '\(from)' is not an email address") }
            address = e
        case .sms, .voice:
            guard let p = PhoneNumber.normalize(from, defaultCountry: settings.country) else {
                throw InvalidReply(description: "--from '\(from)' is not a phone number")
            }
            address = p
        }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw InvalidReply(description: "--text is empty") }
        let key = "in/" + (providerID ?? StableHash.hex("\(channel.rawValue)\u{1F}\(address)\u{1F}\(Timestamp.format(at))\u{1F}\(text)"))
        return try await store.write { s in
            let contact = try await s.contacts(tenant, address: address).first
            let message = MessageRecord(id: "msg_" + StableHash.hex("\(tenant)\u{1F}\(key)"), key: key, direction: .inbound, channel: channel,
                                        at: at, debtorID: contact?.debtorID, contactID: contact?.id, contactName: contact?.name,
                                        to: nil, from: address, invoiceNumbers: [], stage: nil, attempt: nil, kind: "reply",
                                        subject: nil, body: text, status: .received)
            let isNew = try await s.insertMessage(tenant, message)
            if isNew, let contact {
                try await s.schedule(tenant, subjects: [contact.debtorID], at: at, mode: .earliest)
            }
            return Result(message: message, contact: contact, isNew: isNew)
        }
    }
}
