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

/// Contacts a reply named (the right person, the one covering an absence): proposed by the
/// conversation engine, approved or rejected by a person (issue 20, finding 1: a reply can name
/// any address, so nobody is written to on its word alone).
extension UseCases {
    /// The tenant's proposals not decided yet, oldest first.
    public func contactProposals(tenant: String) async throws -> [ContactProposal] {
        try await store.read { try await $0.contactProposals(tenant) }
    }

    /// The tenant's proposals not decided yet, oldest first, each with its debtor's name.
    public func contactProposalsNamed(tenant: String) async throws -> [(proposal: ContactProposal, debtorName: String?)] {
        try await store.read { s in
            var out: [(proposal: ContactProposal, debtorName: String?)] = []
            for p in try await s.contactProposals(tenant) { out.append((p, try await s.debtor(tenant, p.debtorID)?.name)) }
            return out
        }
    }

    /// Approves proposal `id` as `actor`: the contact is added to the debtor and its case
    /// re-planned (a "wrong contact" reply's proposal starts the ladder again there). Refused
    /// (`notFound`) when there is no such open proposal, (`conflict`) when its address is already
    /// a contact of the debtor. Returns the contact added.
    @discardableResult
    public func approveContactProposal(tenant: String, id: Int64, by actor: String, at: Date? = nil) async throws -> Contact {
        let now = at ?? clock.now()
        return try await store.write { s in
            guard let p = try await s.contactProposals(tenant, id: id).first else {
                throw UseCaseError.notFound("id", "no open contact proposal \(id)")
            }
            let existing = try await s.contacts(tenant, debtor: p.debtorID)
            if existing.contains(where: { ($0.email != nil && $0.email == p.contact.email) || ($0.phone != nil && $0.phone == p.contact.phone) }) {
                throw UseCaseError(.conflict, [.init("id", "\(p.contact.email ?? p.contact.phone ?? "") is already a contact of \(p.debtorID)")])
            }
            let n = p.contact
            let added = try await s.addContact(
                tenant,
                Contact(id: 0, debtorID: p.debtorID, name: n.name, email: n.email, phone: n.phone, timeZone: n.timeZone, preferredChannel: n.preferredChannel))
            _ = try await s.decideContactProposal(tenant, id: id, approved: true, by: actor, at: now)
            if p.reason.code == .redirect {
                try await s.updateCaseState(tenant, debtor: p.debtorID, try await s.caseState(tenant, debtor: p.debtorID).restartedForNewContact())
            }
            try await s.recordDecision(
                tenant, debtor: p.debtorID, at: now, action: .wait,
                reasons: [Reason("contact_approved", "\(actor) approved \(n.email ?? n.phone ?? n.name) as a contact (proposal \(id): \(p.reason.message))")])
            try await s.schedule(tenant, subjects: [p.debtorID], at: Session.asap, mode: .earliest)
            try await s.appendAudit(
                tenant: tenant, actor: actor, action: "contact.approved", object: "debtor:\(p.debtorID)", outcome: "ok", ip: nil,
                detail: "proposal \(id): \(n.email ?? n.phone ?? n.name)", at: now)
            return added
        }
    }

    /// Approves (`approve`) or rejects proposal `id` as `actor`, as `approveContactProposal` and
    /// `rejectContactProposal` do; returns the contact added when approved.
    @discardableResult
    public func decideContactProposal(tenant: String, id: Int64, approve: Bool, by actor: String) async throws -> Contact? {
        guard approve else {
            try await rejectContactProposal(tenant: tenant, id: id, by: actor)
            return nil
        }
        return try await approveContactProposal(tenant: tenant, id: id, by: actor)
    }

    /// Rejects proposal `id` as `actor`: nothing is added. Refused (`notFound`) when there is no such open proposal.
    public func rejectContactProposal(tenant: String, id: Int64, by actor: String, at: Date? = nil) async throws {
        let now = at ?? clock.now()
        try await store.write { s in
            guard let p = try await s.contactProposals(tenant, id: id).first,
                try await s.decideContactProposal(tenant, id: id, approved: false, by: actor, at: now)
            else { throw UseCaseError.notFound("id", "no open contact proposal \(id)") }
            try await s.appendAudit(
                tenant: tenant, actor: actor, action: "contact.rejected", object: "debtor:\(p.debtorID)", outcome: "ok", ip: nil,
                detail: "proposal \(id): \(p.contact.email ?? p.contact.phone ?? p.contact.name)", at: now)
        }
    }
}
