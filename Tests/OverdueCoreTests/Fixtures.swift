import Foundation
@testable import OverdueCore

/// Small factories for the core tests.
enum Fx {
    static func date(_ s: String) -> LocalDate { LocalDate.parse(s)! }
    static func t(_ s: String) -> Date { Timestamp.parse(s)! }
    static func usd(_ cents: Int64) -> Money { Money(minorUnits: cents, currency: .usd) }

    static func invoice(
        _ number: String, debtor: String = "D1", cents: Int64 = 100_000, issued: String = "2026-01-01", due: String = "2026-01-31",
        load: String? = nil, pro: String? = nil, factored: Bool = false
    ) -> Invoice {
        Invoice(
            number: number, debtorID: debtor, amount: usd(cents), issueDate: date(issued), dueDate: date(due),
            loadNumber: load, proNumber: pro, factored: factored)
    }

    static func contact(
        _ id: Int64 = 1, debtor: String = "D1", name: String = "Dana Reyes", email: String? = "dana@shipper.example",
        phone: String? = "+13125550101", zone: String = "America/Chicago", sms: Bool = true, call: Bool = true,
        preferred: Channel? = nil
    ) -> Contact {
        Contact(
            id: id, debtorID: debtor, name: name, email: email, phone: phone, timeZone: zone, smsConsent: sms, callConsent: call,
            preferredChannel: preferred)
    }

    static func payment(_ id: String, debtor: String = "D1", cents: Int64, on: String, reference: String? = nil, invoice: String? = nil) -> Payment {
        Payment(id: id, debtorID: debtor, amount: usd(cents), date: date(on), reference: reference, invoiceNumber: invoice)
    }

    static func facts(
        contacts: [Contact] = [contact()], invoices: [Invoice] = [invoice("INV-1")], payments: [Payment] = [],
        holds: [Hold] = [], suppressions: [Suppression] = []
    ) -> CaseFacts {
        CaseFacts(
            debtor: Debtor(id: "D1", name: "Big Shipper Inc"), contacts: contacts, invoices: invoices, payments: payments,
            holds: holds, suppressions: suppressions)
    }

    static let settings = TenantSettings()
}

/// A pure replay of the dispatcher loop: plan, send what is due, jump to the next instant.
struct Replay {
    var facts: CaseFacts
    var state = CaseState()
    var policy = Policy.standard
    var settings = Fx.settings
    var sent: [(at: Date, attempt: PlannedAttempt)] = []
    var decisions: [Decision] = []

    init(facts: CaseFacts, policy: Policy = .standard, settings: TenantSettings = Fx.settings) {
        self.facts = facts
        self.policy = policy
        self.settings = settings
    }

    /// Runs from `from` to `until`; `events` are applied when the clock reaches them.
    mutating func run(from: Date, until: Date, events: [(Date, (inout CaseFacts) -> Void)] = []) {
        var now = from
        var pending = events.sorted { $0.0 < $1.0 }
        for _ in 0..<10_000 {
            while let e = pending.first, e.0 <= now { e.1(&facts); pending.removeFirst() }
            var plan = Planner.plan(facts: facts, state: state, policy: policy, settings: settings, now: now)
            while plan.decision.action == .send, let a = plan.decision.attempt {
                sent.append((now, a))
                facts.sent.append(SentAttempt(at: now, channel: a.channel, contactID: a.contact.id))
                state = Planner.recordSent(a, at: now, state: plan.state)
                plan = Planner.plan(facts: facts, state: state, policy: policy, settings: settings, now: now)
            }
            state = plan.state
            decisions.append(plan.decision)
            var next = plan.nextRunAt
            if let e = pending.first?.0, next == nil || e < next! { next = e }
            guard let n = next, n <= until else { return }
            now = max(n, now.addingTimeInterval(1))
        }
    }

    var last: Decision { decisions.last! }
}
