import Foundation
import OverdueCore
import OverdueStore

/// A person taking a case from automation and handing it back: from the API
/// (`POST /api/v1/cases/{debtor}/takeover|handback`), the case page, `overdue takeover` and
/// `overdue handback`.
extension UseCases {
    /// `who` takes `debtor`'s case: nothing automatic is sent until it is handed back. The case is
    /// re-planned at once (to the handoff). Refused when the tenant has no such debtor (`notFound`).
    public func takeOver(tenant: String, debtor: String, by who: String, at: Date? = nil) async throws {
        let now = at ?? clock.now()
        try await store.write { s in
            guard try await s.debtor(tenant, debtor) != nil else { throw UseCaseError.notFound("debtor", "no debtor '\(debtor)' in tenant \(tenant)") }
            let state = try await s.caseState(tenant, debtor: debtor)
            let why = Reason("taken_over", "taken over by \(who) at \(Timestamp.format(now)): no automatic contact until handed back")
            try await s.updateCaseState(tenant, debtor: debtor, state.takenOver(why))
            try await s.recordDecision(tenant, debtor: debtor, at: now, action: .handoff, reasons: [why])
            try await s.schedule(tenant, subjects: [debtor], at: now, mode: .earliest)
        }
    }

    /// `who` hands `debtor`'s case back: the ladder resumes where it was and the case's handoff
    /// items in the inbox are resolved. Refused when the tenant has no such debtor (`notFound`).
    public func handBack(tenant: String, debtor: String, by who: String, at: Date? = nil) async throws {
        let now = at ?? clock.now()
        try await store.write { s in
            guard try await s.debtor(tenant, debtor) != nil else { throw UseCaseError.notFound("debtor", "no debtor '\(debtor)' in tenant \(tenant)") }
            let state = try await s.caseState(tenant, debtor: debtor)
            try await s.updateCaseState(tenant, debtor: debtor, state.handedBack())
            try await s.resolveInbox(tenant, debtor: debtor, kinds: [.handoff], resolution: "handed back by \(who)", at: now)
            try await s.recordDecision(
                tenant, debtor: debtor, at: now, action: .wait, reasons: [Reason("handed_back", "handed back by \(who): automation resumes")])
            try await s.schedule(tenant, subjects: [debtor], at: now, mode: .earliest)
        }
    }
}
