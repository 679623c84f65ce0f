import Foundation

/// What a ladder would do to one case: the planner itself, run forward on a virtual clock with
/// every attempt assumed delivered and unanswered. Pure, so the cadence editor can show a policy
/// before it is saved.
public enum CadencePreview {
    /// One step of the preview.
    public struct Step: Hashable, Sendable {
        /// When (UTC).
        public var at: Date
        /// Days after the oldest due date, in the tenant's zone.
        public var day: Int
        /// Sent, handed to a person, restarted…
        public var action: Decision.Action
        /// The channel of a send.
        public var channel: Channel?
        /// Stage (1-based) and attempt within it, for a send.
        public var stage: Int?
        /// Attempt within the stage.
        public var attempt: Int?
        /// The planner's reasons.
        public var reasons: [Reason]
    }

    /// The sample case shown when no debtor is chosen: one invoice falling due at `due`, one contact
    /// reachable (and consenting) on every channel in the tenant's zone.
    public static func sampleFacts(settings: TenantSettings, due: LocalDate) -> CaseFacts {
        let debtor = Debtor(id: "sample", name: "Sample Shipper Inc")
        let contact = Contact(
            id: 1, debtorID: debtor.id, name: "Alex Payables", email: "ap@sample-shipper.example", phone: "+13125550100",
            role: "AP", timeZone: settings.timeZoneIdentifier, smsConsent: true, callConsent: true)
        let invoice = Invoice(
            number: "INV-1001", debtorID: debtor.id, amount: Money(minorUnits: 245_000, currency: settings.currency),
            issueDate: due.adding(days: -30), dueDate: due, loadNumber: "LD-5521")
        return CaseFacts(debtor: debtor, contacts: [contact], invoices: [invoice])
    }

    /// The steps `policy` takes on `facts` from `start` for up to `days` days (at most `limit` steps).
    /// `dueDay` is day 0 of the preview's day numbers.
    public static func run(
        policy: Policy, settings: TenantSettings, facts initial: CaseFacts, state: CaseState = CaseState(),
        from start: Date, dueDay: LocalDate, days: Int = 120, limit: Int = 60
    ) -> [Step] {
        let zone = settings.timeZone
        let end = start.addingTimeInterval(Double(days) * 86_400)
        var facts = initial
        var state = state
        var now = start
        var steps: [Step] = []
        func step(_ d: Decision, at: Date) -> Step {
            Step(
                at: at, day: dueDay.days(until: LocalDate(at, in: zone)), action: d.action, channel: d.attempt?.channel,
                stage: d.attempt?.stage, attempt: d.attempt?.attempt, reasons: d.reasons)
        }
        while now <= end && steps.count < limit {
            let plan = Planner.plan(facts: facts, state: state, policy: policy, settings: settings, now: now)
            let d = plan.decision
            switch d.action {
            case .send:
                guard let attempt = d.attempt else { return steps }
                steps.append(step(d, at: now))
                state = Planner.recordSent(attempt, at: now, state: plan.state)
                facts.sent.append(SentAttempt(at: now, channel: attempt.channel, contactID: attempt.contact.id))
            case .wait, .pause:
                state = plan.state
                // Nothing left to wait for ends the preview; so does a clock that would not move.
                guard let next = plan.nextRunAt, next > now else { return steps }
                now = next
            case .handoff, .resolve, .none, .reply:
                steps.append(step(d, at: now))
                return steps
            }
        }
        return steps
    }
}
