import Foundation
import OverdueCore
import OverdueStore

/// A contact's own wishes recorded by a person: an opt-out heard on the phone or read in a
/// letter (`overdue optout`).
extension UseCases {
    /// Stops contacting whoever has `address` (an email or a phone number, in any usual
    /// spelling) on `channel` (every channel when nil), for `reason`, as `actor`; their cases are
    /// re-planned at once. Returns the contacts as "name (debtor)". Refused (`notFound`) when no
    /// contact has the address.
    @discardableResult
    public func optOut(tenant: String, address: String, channel: Channel?, reason: String, by actor: String, at: Date? = nil) async throws -> [String] {
        let now = at ?? clock.now()
        return try await store.write { s -> [String] in
            let settings = try await s.settings(tenant)
            let normal = EmailAddress.normalize(address) ?? PhoneNumber.normalize(address, defaultCountry: settings.country) ?? address
            let contacts = try await s.contacts(tenant, address: normal)
            guard !contacts.isEmpty else { throw UseCaseError.notFound("address", "no contact has this address") }
            for c in contacts {
                try await s.addSuppression(tenant, Suppression(contactID: c.id, channel: channel, reason: reason), now: now)
            }
            try await s.schedule(tenant, subjects: Array(Set(contacts.map(\.debtorID))).sorted(), at: Session.asap, mode: .earliest)
            try await s.appendAudit(
                tenant: tenant, actor: actor, action: "contact.opted_out", object: normal, outcome: "ok", ip: nil,
                detail: "\(channel?.rawValue ?? "all channels"): \(reason)", at: now)
            return contacts.map { "\($0.name) (\($0.debtorID))" }
        }
    }
}
