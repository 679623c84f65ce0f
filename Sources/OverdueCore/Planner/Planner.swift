import Foundation

/// The escalation planner: from a debtor's facts, its ladder state, the policy and the time, decides
/// the next action and why. Pure: no I/O, no clock.
public enum Planner {
    /// Plans the case at `now`.
    public static func plan(facts: CaseFacts, state initial: CaseState, policy: Policy, settings: TenantSettings, now: Date) -> Plan {
        var state = initial
        let tenantZone = settings.timeZone
        let today = LocalDate(now, in: tenantZone)
        let ledger = Ledger.allocate(invoices: facts.invoices, payments: facts.payments, asOf: today)
        var balances: [Currency: Int64] = [:]
        var open: [InvoiceLine] = []
        for inv in facts.invoices.sorted(by: { ($0.dueDate, $0.number) < ($1.dueDate, $1.number) }) where !inv.factored {
            let bal = ledger.balances[inv.number] ?? 0
            guard bal > 0 else { continue }
            balances[inv.amount.currency, default: 0] += bal
            open.append(
                InvoiceLine(
                    invoice: inv, balance: Money(minorUnits: bal, currency: inv.amount.currency),
                    daysPastDue: max(0, inv.dueDate.days(until: today))))
        }
        var wakes: [Date] = []
        if let nextPayment = facts.payments.map(\.date).filter({ $0 > today }).min() {
            wakes.append(nextPayment.at(in: tenantZone))
        }
        // Promises and payment claims: settle those whose money came or whose time ran out.
        var settled: [(id: String, status: Commitment.Status, reason: Reason)] = []
        var pending: [Commitment] = []
        var unmatched: Reason?
        for c in facts.commitments where c.status == .open {
            if let (status, why) = c.review(payments: facts.payments, openBalance: balances[c.target.currency] ?? 0, zone: tenantZone, now: now) {
                settled.append((c.id, status, why))
                if status == .broken { state.notice = .brokenPromise }
                if status == .unmatched { unmatched = why }
            } else {
                pending.append(c)
            }
        }
        func finish(_ state: CaseState, _ action: Decision.Action, at: Date? = nil, attempt: PlannedAttempt? = nil, _ reasons: [Reason]) -> Plan {
            var plan = Plan(
                state: state, decision: Decision(action: action, at: at, attempt: attempt, reasons: settled.map(\.reason) + reasons),
                wakeAt: wakes.min(), balances: balances, openInvoices: open)
            plan.settled = settled
            return plan
        }
        // A pause never takes a case away from the person who has it.
        func paused(_ s: CaseState) -> CaseState {
            var p = s
            if p.status != .handoff { p.status = .paused }
            return p
        }

        // Nothing open: idle or resolved.
        if open.isEmpty {
            if facts.invoices.isEmpty {
                return finish(state.endingCycle(status: .idle), .none, [Reason("no_invoices", "no invoices for \(facts.debtor.name)")])
            }
            let factoredCount = facts.invoices.filter(\.factored).count
            var reasons = [
                Reason(
                    "paid_in_full", ledger.lastPaymentDate.map { "paid in full (last payment \($0)): nothing more is sent" } ?? "nothing owed: nothing is sent")
            ]
            if factoredCount > 0 { reasons.append(Reason("factored", "\(factoredCount) factored invoice(s) are never dunned")) }
            return finish(state.endingCycle(status: .resolved), state.status == .resolved ? .none : .resolve, reasons)
        }

        let factored = facts.invoices.filter(\.factored)
        var notes: [Reason] = []
        if !factored.isEmpty {
            notes.append(Reason("factored", "not chasing factored invoice(s) \(factored.map(\.number).sorted().joined(separator: ", "))"))
        }

        if let unmatched, state.status != .handoff {
            return finish(state.takenOver(unmatched), .handoff, [unmatched] + notes)
        }
        // Holds, promises and payment claims pause the whole debtor.
        if let hold = facts.holds.filter({ $0.invoiceNumber == nil && $0.isActive(at: now) }).max(by: { $0.until < $1.until }) {
            wakes.append(hold.until)
            return finish(
                paused(state), .pause, at: hold.until, [Reason("hold", "debtor on hold until \(Timestamp.format(hold.until)): \(hold.reason)")] + notes)
        }
        if let c = pending.max(by: { $0.reviewAt < $1.reviewAt }) {
            wakes.append(c.reviewAt)
            let why =
                c.kind == .promise
                ? Reason(
                    "promised",
                    "promised \(c.target) by \(c.date): paused until \(Timestamp.format(c.reviewAt)) (grace included); if it has not arrived by then, a follow-up goes out and the ladder resumes"
                )
                : Reason(
                    "payment_claimed",
                    "payment of \(c.target) claimed on \(c.date): paused until \(Timestamp.format(c.reviewAt)) while it is matched; unmatched by then, a person looks for it"
                )
            return finish(paused(state), .pause, at: c.reviewAt, [why] + notes)
        }

        // Which invoices are overdue enough to chase.
        func startDate(_ inv: Invoice) -> LocalDate { inv.dueDate.adding(days: policy.startAfterDueDays) }
        let inCollection = open.filter { startDate($0.invoice) <= today }
        let upcoming = open.filter { startDate($0.invoice) > today }.map { startDate($0.invoice) }.min()
        if let upcoming { wakes.append(upcoming.at(in: tenantZone)) }

        if state.status == .handoff && !inCollection.isEmpty {
            let why = state.handoffReason.map { [$0] } ?? []
            return finish(state, .none, why + [Reason("handoff", "with a person: no automatic contact until a person acts")] + state.skipped + notes)
        }
        guard !inCollection.isEmpty else {
            let oldest = open.first!.invoice
            return finish(
                state.endingCycle(status: .current), .wait, at: upcoming?.at(in: tenantZone),
                [
                    Reason(
                        "not_due",
                        "not overdue yet: the ladder starts \(startDate(oldest)) (\(oldest.number) due \(oldest.dueDate) + \(policy.startAfterDueDays) day(s))")
                ] + notes)
        }
        var holdNotes: [Reason] = []
        var collectible: [InvoiceLine] = []
        for line in inCollection {
            if let h = facts.holds.filter({ $0.invoiceNumber == line.invoice.number && $0.isActive(at: now) }).max(by: { $0.until < $1.until }) {
                wakes.append(h.until)
                holdNotes.append(Reason("invoice_hold", "invoice \(line.invoice.number) on hold until \(Timestamp.format(h.until)): \(h.reason)"))
            } else if let d = facts.disputes.first(where: { $0.invoiceNumber == line.invoice.number && $0.status == .open }) {
                holdNotes.append(
                    Reason(
                        "disputed",
                        "invoice \(line.invoice.number) disputed (\(d.reason.label)) since \(Timestamp.format(d.openedAt)): not chased until the dispute is resolved"
                    ))
            } else {
                collectible.append(line)
            }
        }
        if collectible.isEmpty {
            let s = paused(state)
            let until = facts.holds.filter { $0.invoiceNumber != nil && $0.isActive(at: now) }.map(\.until).min()
            return finish(s, .pause, at: until, holdNotes + notes)
        }

        func handoff(_ s: CaseState, _ why: Reason) -> Plan {
            var h = s
            h.status = .handoff
            h.handoffReason = why
            return finish(h, .handoff, [why] + s.skipped + notes)
        }

        // The ladder.
        var s = state
        if s.cycle == 0 || s.status == .resolved || s.status == .current || s.status == .idle || s.cycleStart == nil {
            s = startCycle(s, facts: facts, policy: policy, start: startDate(inCollection.map(\.invoice).min { $0.dueDate < $1.dueDate }!))
        }
        s.status = .active
        let rules = settings.contactRules
        for _ in 0..<2 {
            let steps = flatten(order: s.order, policy: policy)
            while s.position < steps.count {
                let step = steps[s.position]
                let stage = policy.stages[step.stage]
                switch contactFor(stage.channel, facts: facts) {
                case .failure(let why):
                    // The whole stage goes at once, with one reason.
                    s.skipped.append(why)
                    while s.position < steps.count && steps[s.position].stage == step.stage { s.position += 1 }
                    continue
                case .success(let contact):
                    let zone = contact.zone
                    let nominal: Date
                    if let last = s.lastAttemptAt {
                        nominal = Calendar.gregorian(zone).date(byAdding: .day, value: stage.delayDays, to: last)!
                    } else {
                        nominal = (s.cycleStart ?? today).at(in: zone)
                    }
                    let clearance = ComplianceGate.earliest(
                        channel: stage.channel, contact: contact, notBefore: max(nominal, now),
                        sent: facts.sent, replies: facts.replies, rules: rules)
                    guard let at = clearance.at else {
                        s.skipped.append(
                            Reason("never_allowed", "\(stage.channel.rawValue) stage skipped: " + clearance.reasons.map(\.message).joined(separator: "; ")))
                        while s.position < steps.count && steps[s.position].stage == step.stage { s.position += 1 }
                        continue
                    }
                    var attempt = PlannedAttempt(
                        channel: stage.channel, contact: contact, address: contact.address(for: stage.channel)!,
                        stageIndex: step.stage, attempt: step.attempt, attemptsInStage: stage.attempts,
                        cycle: s.cycle, position: s.position, invoices: collectible)
                    if let notice = s.notice { attempt.kind = notice }
                    let total = collectible.reduce(into: [Currency: Int64]()) { $0[$1.balance.currency, default: 0] += $1.balance.minorUnits }
                    let owed = total.keys.sorted().map { Money(minorUnits: total[$0]!, currency: $0).description }.joined(separator: " + ")
                    let headline = Reason(
                        at <= now ? "send" : "scheduled",
                        "\(at <= now ? "sending" : "next:") \(attempt.kind == .brokenPromise ? "broken-promise follow-up as " : "")\(stage.channel.rawValue) attempt \(step.attempt) of \(stage.attempts) (stage \(step.stage + 1) of \(policy.stages.count)) to \(contact.name) \(displayAddress(attempt)) at \(Timestamp.format(at)) for \(collectible.count) overdue invoice(s), \(owed)"
                    )
                    return finish(s, at <= now ? .send : .wait, at: at, attempt: attempt, [headline] + clearance.reasons + s.skipped + holdNotes + notes)
                }
            }
            // Ladder exhausted.
            guard s.attemptsSent > 0, let last = s.lastAttemptAt else {
                return handoff(s, Reason("unreachable", "no channel can reach \(facts.debtor.name): handed to a person"))
            }
            let delay = s.lastStage.map { policy.stages[$0].delayDays } ?? 0
            let exhaustAt = Calendar.gregorian(tenantZone).date(byAdding: .day, value: delay, to: last)!
            if now < exhaustAt {
                return finish(
                    s, .wait, at: exhaustAt,
                    [
                        Reason(
                            "exhausting",
                            "all \(s.attemptsSent) attempt(s) made; \(policy.onExhausted == .handoff ? "handing to a person" : "restarting the ladder") at \(Timestamp.format(exhaustAt))"
                        )
                    ] + s.skipped + notes)
            }
            switch policy.onExhausted {
            case .handoff:
                return handoff(s, Reason("exhausted", "ladder exhausted after \(s.attemptsSent) attempt(s): handed to a person"))
            case .restart:
                notes.append(Reason("restarted", "ladder restarted after \(s.attemptsSent) attempt(s) (on_exhausted: restart)"))
                s = startCycle(s, facts: facts, policy: policy, start: today)
                s.status = .active
            }
        }
        return handoff(s, Reason("unreachable", "no channel can reach \(facts.debtor.name) after a restart: handed to a person"))
    }

    /// The state after `attempt` was sent at `at`.
    public static func recordSent(_ attempt: PlannedAttempt, at: Date, state: CaseState) -> CaseState {
        var s = state
        s.position = attempt.position + 1
        s.attemptsSent += 1
        s.lastAttemptAt = at
        s.lastStage = attempt.stageIndex
        s.status = .active
        s.notice = nil
        return s
    }

    /// A fresh cycle: preferred channel's stage first (when the policy has it), position zero.
    static func startCycle(_ state: CaseState, facts: CaseFacts, policy: Policy, start: LocalDate) -> CaseState {
        var order = Array(policy.stages.indices)
        let preferred = facts.contacts.compactMap(\.preferredChannel).first
        if let preferred, let idx = order.first(where: { policy.stages[$0].channel == preferred }),
            case .success = contactFor(preferred, facts: facts)
        {
            order.removeAll { $0 == idx }
            order.insert(idx, at: 0)
        }
        return CaseState(cycle: state.cycle + 1, status: .active, order: order, cycleStart: start)
    }

    struct Step: Hashable { var stage: Int; var attempt: Int }

    static func flatten(order: [Int], policy: Policy) -> [Step] {
        order.flatMap { i in (1...policy.stages[i].attempts).map { Step(stage: i, attempt: $0) } }
    }

    /// The contact to use on `channel`, or why there is none.
    static func contactFor(_ channel: Channel, facts: CaseFacts) -> Result<Contact, Reason> {
        var why: [String] = []
        let ordered = facts.contacts.enumerated().sorted { a, b in
            let pa = a.element.preferredChannel == channel ? 0 : 1, pb = b.element.preferredChannel == channel ? 0 : 1
            return (pa, a.offset) < (pb, b.offset)
        }.map(\.element)
        for c in ordered {
            guard c.address(for: channel) != nil else {
                why.append("\(c.name) has no \(channel == .email ? "email address" : "phone number")"); continue
            }
            guard c.hasConsent(for: channel) else {
                why.append("\(c.name) has no \(channel == .sms ? "SMS" : "call") consent"); continue
            }
            if let sup = facts.suppressions.first(where: { $0.contactID == c.id && $0.blocks(channel) }) {
                why.append("\(c.name) opted out of \(sup.channel?.rawValue ?? "all channels") (\(sup.reason))"); continue
            }
            return .success(c)
        }
        if facts.contacts.isEmpty { why.append("the debtor has no contacts") }
        let label = channel == .sms ? "SMS" : channel.rawValue
        return .failure(Reason("stage_skipped", "\(label) stage skipped: \(why.joined(separator: "; "))"))
    }

    static func displayAddress(_ a: PlannedAttempt) -> String {
        a.channel == .email ? a.address : PhoneNumber.display(a.address)
    }
}

extension Reason: Error {}
