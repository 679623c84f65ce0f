import Foundation
import Testing
@testable import OverdueCore

@Suite struct PlannerTests {
    // Due Sat 2026-01-31 → ladder starts Sun 2026-02-01 → first window Mon 2026-02-02 08:00 CST (14:00Z).
    let start = Fx.t("2026-01-20T00:00:00Z")
    let end = Fx.t("2026-04-30T00:00:00Z")

    @Test func threeStageLadderReachesItsLastStageOnTheRightDays() {
        // given
        var replay = Replay(facts: Fx.facts())
        // when
        replay.run(from: start, until: end)
        // then: every 3 days from Mon Feb 2, each moved off weekends to Monday 08:00 local
        let days = replay.sent.map { Timestamp.format($0.at) }
        #expect(
            days == [
                "2026-02-02T14:00:00Z", "2026-02-05T14:00:00Z", "2026-02-09T14:00:00Z",
                "2026-02-12T14:00:00Z", "2026-02-16T14:00:00Z", "2026-02-19T14:00:00Z",
                "2026-02-23T14:00:00Z", "2026-02-26T14:00:00Z", "2026-03-02T14:00:00Z",
            ])
        #expect(replay.sent.map(\.attempt.channel) == [.email, .email, .email, .sms, .sms, .sms, .voice, .voice, .voice])
        #expect(replay.sent.map(\.attempt.stage) == [1, 1, 1, 2, 2, 2, 3, 3, 3])
        #expect(replay.sent.map(\.attempt.attempt) == [1, 2, 3, 1, 2, 3, 1, 2, 3])
        #expect(replay.last.action == .handoff)
        #expect(replay.state.status == .handoff)
        #expect(replay.last.reasons.first?.code == "exhausted")
    }

    @Test func oneMessageCoversEveryOverdueInvoice() {
        var replay = Replay(facts: Fx.facts(invoices: [Fx.invoice("INV-1"), Fx.invoice("INV-2", due: "2026-01-25"), Fx.invoice("INV-3", due: "2026-03-31")]))
        replay.run(from: start, until: Fx.t("2026-02-03T00:00:00Z"))
        // INV-2 starts the ladder on Mon Jan 26; by Mon Feb 2 INV-1 has joined; INV-3 is not yet due.
        #expect(replay.sent.map { Timestamp.format($0.at) } == ["2026-01-26T14:00:00Z", "2026-01-29T14:00:00Z", "2026-02-02T14:00:00Z"])
        #expect(replay.sent[0].attempt.invoices.map(\.invoice.number) == ["INV-2"])
        #expect(replay.sent[2].attempt.invoices.map(\.invoice.number) == ["INV-2", "INV-1"])
    }

    @Test func aNewOverdueInvoiceJoinsTheRunningCase() {
        var replay = Replay(facts: Fx.facts(invoices: [Fx.invoice("INV-1"), Fx.invoice("INV-9", due: "2026-02-06")]))
        replay.run(from: start, until: Fx.t("2026-02-10T00:00:00Z"))
        #expect(replay.sent.count == 3)
        #expect(replay.sent[0].attempt.invoices.map(\.invoice.number) == ["INV-1"])
        #expect(replay.sent[2].attempt.invoices.map(\.invoice.number) == ["INV-1", "INV-9"])
        #expect(replay.sent.map(\.attempt.attempt) == [1, 2, 3])  // the same ladder, not a new one
    }

    @Test func paymentClearsTheCaseMidLadder() {
        // given: paid in full on Feb 10, after two emails
        var replay = Replay(facts: Fx.facts(payments: [Fx.payment("P1", cents: 100_000, on: "2026-02-10", reference: "ACH INV-1")]))
        // when
        replay.run(from: start, until: end)
        // then
        #expect(replay.sent.count == 3)
        #expect(replay.state.status == .resolved)
        #expect(replay.last.reasons.first?.code == "paid_in_full")
    }

    @Test func partialPaymentReducesTheBalanceAndTheLadderGoesOn() {
        var replay = Replay(facts: Fx.facts(payments: [Fx.payment("P1", cents: 40_000, on: "2026-02-03")]))
        replay.run(from: start, until: Fx.t("2026-02-06T00:00:00Z"))
        #expect(replay.sent.count == 2)
        #expect(replay.sent[0].attempt.invoices[0].balance.minorUnits == 100_000)
        #expect(replay.sent[1].attempt.invoices[0].balance.minorUnits == 60_000)
    }

    @Test func factoredInvoicesAreNeverDunned() {
        var replay = Replay(facts: Fx.facts(invoices: [Fx.invoice("INV-F", factored: true)]))
        replay.run(from: start, until: end)
        #expect(replay.sent.isEmpty)
        #expect(replay.state.status == .resolved)
        #expect(replay.last.reasons.contains { $0.code == "factored" })

        var mixed = Replay(facts: Fx.facts(invoices: [Fx.invoice("INV-F", factored: true), Fx.invoice("INV-2")]))
        mixed.run(from: start, until: Fx.t("2026-02-03T00:00:00Z"))
        #expect(mixed.sent.map { $0.attempt.invoices.map(\.invoice.number) } == [["INV-2"]])
    }

    @Test func holdSuppressesThenReleases() {
        // given: a hold on the debtor from Feb 4 until Feb 20
        let hold = Hold(debtorID: "D1", reason: "customer disputes fuel surcharge", until: Fx.t("2026-02-20T00:00:00Z"))
        var replay = Replay(facts: Fx.facts())
        // when
        replay.run(from: start, until: Fx.t("2026-02-28T00:00:00Z"), events: [(Fx.t("2026-02-04T00:00:00Z"), { $0.holds.append(hold) })])
        // then: one email before, none during, the ladder resumes after
        let sent = replay.sent.map { Timestamp.format($0.at) }
        #expect(sent.first == "2026-02-02T14:00:00Z")
        #expect(!sent.contains { $0 > "2026-02-03" && $0 < "2026-02-20" })
        #expect(sent.dropFirst().first == "2026-02-20T14:00:00Z")
        #expect(replay.decisions.contains { $0.action == .pause && $0.reasons.first?.message.contains("fuel surcharge") == true })
        #expect(replay.sent[1].attempt.attempt == 2)
    }

    @Test func invoiceHoldLeavesTheOthersChased() {
        let hold = Hold(debtorID: "D1", invoiceNumber: "INV-1", reason: "POD requested", until: Fx.t("2026-03-01T00:00:00Z"))
        var replay = Replay(facts: Fx.facts(invoices: [Fx.invoice("INV-1"), Fx.invoice("INV-2")], holds: [hold]))
        replay.run(from: start, until: Fx.t("2026-02-03T00:00:00Z"))
        #expect(replay.sent.map { $0.attempt.invoices.map(\.invoice.number) } == [["INV-2"]])
    }

    @Test func missingConsentSkipsTheStageWithAReason() {
        // given: no SMS consent
        var replay = Replay(facts: Fx.facts(contacts: [Fx.contact(sms: false)]))
        // when
        replay.run(from: start, until: end)
        // then: email ×3 then straight to voice
        #expect(replay.sent.map(\.attempt.channel) == [.email, .email, .email, .voice, .voice, .voice])
        #expect(replay.decisions.contains { $0.reasons.contains { $0.code == "stage_skipped" && $0.message.contains("no SMS consent") } })
        #expect(replay.last.reasons.filter { $0.code == "stage_skipped" }.count == 1)  // one reason per skipped stage, not per attempt
    }

    @Test func noAddressNoConsentNoContactMeansHandoff() {
        var replay = Replay(facts: Fx.facts(contacts: [Fx.contact(email: nil, phone: "+13125550101", sms: false, call: false)]))
        replay.run(from: start, until: end)
        #expect(replay.sent.isEmpty)
        #expect(replay.last.action == .handoff || replay.state.status == .handoff)
        #expect(replay.state.handoffReason?.code == "unreachable")
    }

    @Test func optOutSuppressesOnlyThatChannel() {
        var replay = Replay(facts: Fx.facts(suppressions: [Suppression(contactID: 1, channel: .email, reason: "replied unsubscribe")]))
        replay.run(from: start, until: end)
        #expect(!replay.sent.contains { $0.attempt.channel == .email })
        #expect(replay.sent.first?.attempt.channel == .sms)
    }

    @Test func preferredChannelMovesItsStageFirst() {
        var replay = Replay(facts: Fx.facts(contacts: [Fx.contact(preferred: .sms)]))
        replay.run(from: start, until: end)
        #expect(replay.sent.map(\.attempt.channel) == [.sms, .sms, .sms, .email, .email, .email, .voice, .voice, .voice])
        #expect(replay.sent[0].attempt.stage == 2)  // still named by its place in the policy
    }

    @Test func preferredChannelWithoutConsentIsIgnored() {
        var replay = Replay(facts: Fx.facts(contacts: [Fx.contact(sms: false, preferred: .sms)]))
        replay.run(from: start, until: Fx.t("2026-02-03T00:00:00Z"))
        #expect(replay.sent.first?.attempt.channel == .email)
    }

    @Test func restartRunsTheLadderAgain() {
        let policy = Policy(name: "short", startAfterDueDays: 0, stages: [.init(channel: .email, attempts: 2, delayDays: 2)], onExhausted: .restart)
        var replay = Replay(facts: Fx.facts(), policy: policy)
        replay.run(from: start, until: Fx.t("2026-02-14T00:00:00Z"))
        #expect(replay.sent.count >= 4)
        #expect(replay.sent.map(\.attempt.cycle).prefix(4) == [1, 1, 2, 2])
    }

    @Test func notOverdueYetWaitsUntilTheLadderStarts() {
        let plan = Planner.plan(facts: Fx.facts(), state: CaseState(), policy: .standard, settings: Fx.settings, now: start)
        #expect(plan.state.status == .current)
        #expect(plan.decision.action == .wait)
        #expect(plan.decision.reasons.first?.message.contains("2026-02-01") == true)
        #expect(plan.nextRunAt == Fx.date("2026-02-01").at(in: TimeZone(identifier: "America/Chicago")!))
    }

    @Test func startAfterDueDaysShiftsTheStart() {
        let policy = Policy(name: "late", startAfterDueDays: 10, stages: Policy.standard.stages, onExhausted: .handoff)
        var replay = Replay(facts: Fx.facts(), policy: policy)
        replay.run(from: start, until: Fx.t("2026-02-12T00:00:00Z"))
        #expect(replay.sent.first.map { Timestamp.format($0.at) } == "2026-02-10T14:00:00Z")
    }

    @Test func contactTimeZoneDecidesTheHour() {
        var replay = Replay(facts: Fx.facts(contacts: [Fx.contact(zone: "America/Mexico_City")]))
        replay.run(from: start, until: Fx.t("2026-02-03T00:00:00Z"))
        // Mexico City has no DST since 2022: 08:00 is 14:00Z.
        #expect(replay.sent.first.map { Timestamp.format($0.at) } == "2026-02-02T14:00:00Z")
        var toronto = Replay(facts: Fx.facts(contacts: [Fx.contact(zone: "America/Toronto")]))
        toronto.run(from: start, until: Fx.t("2026-02-03T00:00:00Z"))
        #expect(toronto.sent.first.map { Timestamp.format($0.at) } == "2026-02-02T13:00:00Z")
    }

    @Test func theLadderKeepsLocalTimeAcrossDST() {
        // given: due Feb 27, so the ladder runs across the US switch to daylight time on Mar 8
        var replay = Replay(facts: Fx.facts(invoices: [Fx.invoice("INV-1", due: "2026-02-27")]))
        // when
        replay.run(from: start, until: Fx.t("2026-03-20T00:00:00Z"))
        // then: 08:00 in Chicago is 14:00Z in CST and 13:00Z in CDT
        let times = replay.sent.map { Timestamp.format($0.at) }
        #expect(times.prefix(4) == ["2026-03-02T14:00:00Z", "2026-03-05T14:00:00Z", "2026-03-09T13:00:00Z", "2026-03-12T13:00:00Z"])
    }

    @Test func zeroDelayStillObeysTheDailyCap() {
        let policy = Policy(
            name: "burst", startAfterDueDays: 0,
            stages: [
                .init(channel: .email, attempts: 2, delayDays: 0),
                .init(channel: .sms, attempts: 2, delayDays: 0),
            ], onExhausted: .handoff)
        var replay = Replay(facts: Fx.facts(), policy: policy)
        replay.run(from: start, until: Fx.t("2026-02-28T00:00:00Z"))
        let days = replay.sent.map { LocalDate($0.at, in: TimeZone(identifier: "America/Chicago")!).description }
        #expect(days == ["2026-02-02", "2026-02-03", "2026-02-04", "2026-02-05"])
        #expect(replay.decisions.contains { $0.reasons.contains { $0.code == "daily_cap" } })
    }

    @Test func weekendWindowsAreHonouredWhenConfigured() throws {
        var settings = TenantSettings()
        try settings.set("window.days", "all")
        var replay = Replay(facts: Fx.facts(invoices: [Fx.invoice("INV-1", due: "2026-02-06")]), settings: settings)
        replay.run(from: start, until: Fx.t("2026-02-11T00:00:00Z"))
        // The ladder starts on Saturday Feb 7: with every day open it goes out that Saturday, not on Monday.
        #expect(replay.sent.map { Timestamp.format($0.at) } == ["2026-02-07T14:00:00Z", "2026-02-10T14:00:00Z"])
    }

    @Test func everyDecisionCarriesReasons() {
        var replay = Replay(facts: Fx.facts(contacts: [Fx.contact(sms: false)], payments: [Fx.payment("P1", cents: 100_000, on: "2026-02-20")]))
        replay.run(from: start, until: end)
        #expect(replay.decisions.allSatisfy { !$0.reasons.isEmpty })
    }
}

@Suite struct LedgerTests {
    let invoices = [
        Fx.invoice("INV-1", due: "2026-01-10", load: "L100", pro: "PRO555"), Fx.invoice("INV-2", due: "2026-01-20"),
        Fx.invoice("INV-3", due: "2026-01-05", factored: true),
    ]

    @Test func explicitInvoiceNumberWins() {
        let l = Ledger.allocate(invoices: invoices, payments: [Fx.payment("P", cents: 30_000, on: "2026-02-01", invoice: "INV-2")])
        #expect(l.balances["INV-2"] == 70_000)
        #expect(l.balances["INV-1"] == 100_000)
        #expect(l.applications.first?.rule == "invoice_number")
    }

    @Test func referencesNameLoadsAndPROs() {
        let l = Ledger.allocate(invoices: invoices, payments: [Fx.payment("P", cents: 100_000, on: "2026-02-01", reference: "ach pro555 thanks")])
        #expect(l.balances["INV-1"] == 0)
        #expect(l.balances["INV-2"] == 100_000)
        #expect(Ledger.mentions("CHECK L1000", "L100") == false)
    }

    @Test func oldestFirstSkipsFactoredAndKeepsTheRestAsCredit() {
        let l = Ledger.allocate(invoices: invoices, payments: [Fx.payment("P", cents: 250_000, on: "2026-02-01")])
        #expect(l.balances["INV-3"] == 100_000)  // factored: not ours to collect
        #expect(l.balances["INV-1"] == 0)
        #expect(l.balances["INV-2"] == 0)
        #expect(l.unapplied[.usd] == 50_000)
    }

    @Test func futurePaymentsAreNotYetApplied() {
        let l = Ledger.allocate(invoices: invoices, payments: [Fx.payment("P", cents: 100_000, on: "2026-03-01")], asOf: Fx.date("2026-02-01"))
        #expect(l.balances["INV-1"] == 100_000)
    }
}
