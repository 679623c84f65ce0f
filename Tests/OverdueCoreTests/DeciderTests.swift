import Foundation
import Testing
@testable import OverdueCore

@Suite struct DeciderTests {
    // Wed 2026-02-11 16:00 UTC = 10:00 in Chicago.
    let now = Fx.t("2026-02-11T16:00:00Z")
    let contact = Fx.contact()

    func context(channel: Channel = .email, facts: CaseFacts? = nil, documents: [DocumentRef] = [], settings: TenantSettings = Fx.settings) -> InboundContext {
        InboundContext(
            messageID: "msg_1", channel: channel, receivedAt: now, contact: contact,
            facts: facts ?? Fx.facts(invoices: [Fx.invoice("INV-1", load: "448812"), Fx.invoice("INV-2", cents: 50_000, due: "2026-02-05")]),
            state: CaseState(cycle: 1, status: .active), documents: documents, settings: settings)
    }

    func decide(_ u: Understanding, _ c: InboundContext? = nil) -> [DecidedStep] {
        Decider.decide(u, context: c ?? context(), now: now)
    }

    func responses(_ steps: [DecidedStep]) -> [Response] {
        steps.compactMap { if case .respond(let r) = $0.action { return r } else { return nil } }
    }

    @Test func aPromiseIsRecordedWithGraceAndConfirmed() throws {
        let steps = decide(Understanding(intent: .promiseToPay, confidence: 0.8, promiseDate: Fx.date("2026-02-13")))
        guard case .recordCommitment(let c) = steps.first?.action else { Issue.record("no commitment: \(steps)"); return }
        #expect(c.kind == .promise)
        #expect(c.date == Fx.date("2026-02-13"))
        #expect(c.target == Fx.usd(150_000))
        // Fri 13 + 2 business days = Tue 17; checked from the start of Wed 18 in the tenant's zone.
        #expect(Timestamp.format(c.reviewAt) == "2026-02-18T06:00:00Z")
        #expect(steps.first?.reason.message.contains("2026-02-13") == true)
        #expect(responses(steps).map(\.kind) == [.promiseConfirmation])
        #expect(responses(steps).first?.details["promise_date"] == "2026-02-13")
    }

    @Test func aPromiseWithoutADateAsksForOneAndPausesBriefly() {
        let steps = decide(Understanding(intent: .promiseToPay, confidence: 0.8))
        #expect(steps.contains { if case .hold = $0.action { return true } else { return false } })
        #expect(responses(steps).map(\.kind) == [.promiseDateRequest])
    }

    @Test func aPromiseTooFarOutGoesToAPerson() {
        let steps = decide(Understanding(intent: .promiseToPay, confidence: 0.8, promiseDate: Fx.date("2026-06-30")))
        #expect(steps.map(\.action) == [.handoff])
        #expect(steps.first?.reason.code == "promise_too_far")
    }

    @Test func aPaymentClaimWithoutDetailsAsksForRemittance() {
        let steps = decide(Understanding(intent: .paid, confidence: 0.9))
        guard case .recordCommitment(let c) = steps.first?.action else { Issue.record("no claim"); return }
        #expect(c.kind == .paymentClaim)
        // 5 business days from Wed 11 = Wed 18; checked from Thu 19.
        #expect(Timestamp.format(c.reviewAt) == "2026-02-19T06:00:00Z")
        #expect(responses(steps).map(\.kind) == [.remittanceRequest])
        let detailed = decide(Understanding(intent: .paid, confidence: 0.9, amount: Fx.usd(50_000), invoiceRefs: ["INV-2"]))
        #expect(responses(detailed).map(\.kind) == [.paymentClaimThanks])
    }

    @Test func aDisputeOpensOnTheNamedInvoiceOnlyWithItsChecklist() {
        let steps = decide(Understanding(intent: .dispute, confidence: 0.7, invoiceRefs: ["448812"], disputeReason: .accessorial))
        let disputes = steps.compactMap { if case .openDispute(let d) = $0.action { return d } else { return nil } }
        #expect(disputes.map(\.invoiceNumber) == ["INV-1"])
        #expect(disputes.first?.reason == .accessorial)
        #expect(steps.contains { $0.action == .flag && $0.reason.code == "dispute_review" })
        let r = responses(steps)
        #expect(r.first?.kind == .disputeReceived)
        #expect(r.first?.lines.contains { $0.contains("ELD") } == true)
    }

    @Test func aDisputeNamingNothingCoversEveryOpenInvoice() {
        let steps = decide(Understanding(intent: .dispute, confidence: 0.7, disputeReason: .damageShortage))
        let disputes = steps.compactMap { if case .openDispute(let d) = $0.action { return d.invoiceNumber } else { return nil } }
        #expect(Set(disputes) == ["INV-1", "INV-2"])
    }

    @Test func aDocumentOnFileIsSentAndAMissingOneGoesToAPerson() {
        let pod = DocumentRef(
            id: "doc_1", invoiceNumber: "INV-1", kind: .pod, filename: "pod-448812.pdf", contentType: "application/pdf", size: 10, sha256: "ab")
        let found = decide(Understanding(intent: .documentRequest, confidence: 0.8, invoiceRefs: ["448812"], document: .pod), context(documents: [pod]))
        #expect(responses(found).map(\.kind) == [.documentReply])
        #expect(responses(found).first?.documents == [pod])
        let missing = decide(Understanding(intent: .documentRequest, confidence: 0.8, invoiceRefs: ["INV-2"], document: .pod), context(documents: [pod]))
        #expect(responses(missing).map(\.kind) == [.documentPending])
        #expect(missing.contains { $0.action == .flag && $0.reason.code == "document_missing" })
    }

    @Test func anSMSDocumentRequestWithoutAPublicURLGoesByEmail() {
        let pod = DocumentRef(id: "doc_1", invoiceNumber: "INV-1", kind: .pod, filename: "pod.pdf", contentType: "application/pdf", size: 10, sha256: "ab")
        let steps = decide(
            Understanding(intent: .documentRequest, confidence: 0.8, invoiceRefs: ["448812"], document: .pod), context(channel: .sms, documents: [pod]))
        #expect(responses(steps).map(\.channel) == [.email])
    }

    @Test func stopOnSMSSuppressesAndConfirmsEvenAtNight() {
        let night = Fx.t("2026-02-12T05:00:00Z")  // 23:00 in Chicago
        let steps = Decider.decide(Understanding(intent: .optOut, confidence: 1, keyword: "STOP"), context: context(channel: .sms), now: night)
        #expect(steps.first?.action == .suppress(Suppression(contactID: 1, channel: .sms, reason: "replied STOP by SMS")))
        let r = responses(steps)
        #expect(r.map(\.kind) == [.optOutConfirmation])
        #expect(r.first?.sendAt == night)
        #expect(r.first?.required == true)
    }

    @Test func anEmailOptOutSendsNothingMore() {
        let steps = decide(Understanding(intent: .optOut, confidence: 0.6))
        #expect(steps.count == 1)
        #expect(steps.first?.action == .suppress(Suppression(contactID: 1, channel: .email, reason: "asked by email to stop (email)")))
    }

    @Test func anUnsureOptOutIsObeyedAndShownToAPersonUnconfirmed() {
        let steps = decide(Understanding(intent: .optOut, confidence: 0.32, optOutChannel: .sms), context(channel: .sms))
        #expect(steps.first?.action == .suppress(Suppression(contactID: 1, channel: .sms, reason: "asked by sms to stop (sms)")))
        #expect(steps.map(\.reason.code) == ["opt_out", "opt_out_unsure"])
        #expect(steps.last?.action == .flag)
        #expect(responses(steps).isEmpty)
        // Sure of it: confirmed, no person needed.
        let sure = decide(Understanding(intent: .optOut, confidence: 0.9, optOutChannel: .sms), context(channel: .sms))
        #expect(responses(sure).map(\.kind) == [.optOutConfirmation])
        #expect(!sure.contains { $0.action == .flag })
    }

    @Test func startLiftsTheSMSOptOut() {
        let steps = decide(Understanding(intent: .other, confidence: 1, keyword: "START"), context(channel: .sms))
        #expect(steps.first?.action == .resubscribe(contactID: 1, channel: .sms))
        #expect(responses(steps).map(\.kind) == [.optInConfirmation])
    }

    @Test func abusiveLowConfidenceAndUnknownGoToAPersonWithNothingSent() {
        let abusive = decide(Understanding(intent: .abusive, confidence: 0.9))
        #expect(abusive.map(\.action) == [.handoff])
        #expect(responses(abusive).isEmpty)
        for (u, code) in [
            (Understanding(intent: .promiseToPay, confidence: 0.3, promiseDate: Fx.date("2026-02-13")), "low_confidence"),
            (Understanding(intent: .other, confidence: 0.55), "not_understood"),
        ] {
            let steps = decide(u)
            #expect(responses(steps).isEmpty, "\(u.intent)")
            // The ladder waits for the person two business days at most: a hold, and the inbox item it ends with.
            guard case .hold(let hold) = steps.first?.action else {
                Issue.record("\(u.intent): no hold, got \(steps.map(\.action))")
                continue
            }
            #expect(hold.reason.hasPrefix(Hold.replyReviewPrefix))
            #expect(steps.first?.reason.code == "reply_review")
            #expect(steps.first?.reason.message.contains("whichever comes first") == true)
            #expect(steps.dropFirst().map(\.action) == [.flag])
            #expect(steps.last?.reason.code.rawValue == code)
            #expect(hold.until > now)
            #expect(hold.until <= now.addingTimeInterval(4 * 86_400 + 3_600))
        }
    }

    /// Issue 20, finding 1: the address a reply names is proposed, never written to on its word.
    @Test func aWrongContactWithARedirectProposesTheRightOne() {
        let steps = decide(Understanding(intent: .wrongContact, confidence: 0.9, redirect: "ap.team@shipper.example"))
        #expect(steps.first?.action == .retireContact(contactID: 1))
        #expect(
            steps.contains {
                $0.action == .proposeContact(NewContact(name: "Ap Team", email: "ap.team@shipper.example", phone: nil, timeZone: "America/Chicago"))
                    && $0.reason.code == .redirect
            })
        let none = decide(Understanding(intent: .wrongContact, confidence: 0.9))
        #expect(none.contains { $0.action == .flag && $0.reason.code == "research" })
    }

    @Test func aCallbackIsScheduledInsideTheCallWindow() {
        // "Call me tomorrow at 7am": 07:00 is before the window opens, so 08:00 Chicago.
        let steps = decide(Understanding(intent: .callbackRequest, confidence: 0.8, promiseDate: Fx.date("2026-02-12"), callbackMinute: 7 * 60))
        let call = responses(steps).first { $0.kind == .callback }
        #expect(call?.channel == .voice)
        #expect(call.map { Timestamp.format($0.sendAt) } == "2026-02-12T14:00:00Z")
        #expect(responses(steps).map(\.kind).contains(.callbackConfirmation))
    }

    @Test func anAutoReplyReschedulesAfterTheReturnDate() {
        let steps = decide(Understanding(intent: .autoReply, confidence: 0.9, returnDate: Fx.date("2026-02-16")))
        guard case .hold(let h) = steps.first?.action else { Issue.record("no hold: \(steps)"); return }
        #expect(Timestamp.format(h.until) == "2026-02-16T06:00:00Z")
        #expect(responses(steps).isEmpty)
    }

    @Test func anAutoReplyNamingAnAlternateProposesThemAndWaitsForTheReturn() {
        let steps = decide(Understanding(intent: .autoReply, confidence: 0.9, redirect: "maria.lopez@shipper.example", returnDate: Fx.date("2026-02-16")))
        #expect(
            steps.first?.action
                == .proposeContact(
                    NewContact(
                        name: "Maria Lopez", email: "maria.lopez@shipper.example", phone: nil,
                        timeZone: "America/Chicago", preferredChannel: .email)))
        guard case .hold(let h) = steps.last?.action else { Issue.record("no hold: \(steps)"); return }
        #expect(Timestamp.format(h.until) == "2026-02-16T06:00:00Z")
    }

    @Test func anAcknowledgementPausesThreeBusinessDays() {
        let steps = decide(Understanding(intent: .acknowledge, confidence: 0.9))
        guard case .hold(let h) = steps.first?.action else { Issue.record("no hold"); return }
        #expect(Timestamp.format(h.until) == "2026-02-16T06:00:00Z")
    }

    @Test func aQuestionIsAnsweredWithTheAccount() {
        #expect(responses(decide(Understanding(intent: .question, confidence: 0.8))).map(\.kind) == [.accountSummary])
    }

    @Test func aPaymentPlanIsOfferedInTheTenantsInstalments() {
        let steps = decide(Understanding(intent: .paymentPlan, confidence: 0.8))
        let r = responses(steps).first
        #expect(r?.kind == .paymentPlanOffer)
        #expect(r?.lines.count == 3)
        #expect(r?.lines.last?.hasSuffix("500.00 USD") == true)  // 1,500.00 in three parts
        var off = TenantSettings()
        try? off.set("plan.max_installments", "0")
        #expect(decide(Understanding(intent: .paymentPlan, confidence: 0.8), context(settings: off)).map(\.action) == [.handoff])
    }

    @Test func answersOnAnOptedOutChannelGoToAPersonInstead() {
        let facts = Fx.facts(invoices: [Fx.invoice("INV-1")], suppressions: [Suppression(contactID: 1, channel: .email, reason: "unsubscribed")])
        let steps = decide(Understanding(intent: .question, confidence: 0.8), context(facts: facts))
        #expect(responses(steps).isEmpty)
        #expect(steps.contains { $0.reason.code == "answer_suppressed" })
    }
}

@Suite struct CommitmentPlanningTests {
    let start = Fx.t("2026-02-09T00:00:00Z")

    func promise(by date: String, review: String, target: Int64 = 100_000) -> Commitment {
        Commitment(
            id: "prm_1", kind: .promise, contactID: 1, channel: .email, madeAt: Fx.t("2026-02-09T16:00:00Z"), date: Fx.date(date),
            target: Fx.usd(target), amountStated: false, reviewAt: Fx.t(review))
    }

    @Test func aBrokenPromiseResumesTheLadderWithAFollowUp() {
        var facts = Fx.facts()
        facts.commitments = [promise(by: "2026-02-13", review: "2026-02-18T06:00:00Z")]
        var replay = Replay(facts: facts)
        replay.run(from: start, until: Fx.t("2026-02-19T00:00:00Z"))
        // Paused until the review, then the next attempt is the broken-promise follow-up.
        #expect(replay.sent.map { Timestamp.format($0.at) } == ["2026-02-18T14:00:00Z"])
        #expect(replay.sent.first?.attempt.kind == .brokenPromise)
        #expect(replay.decisions.contains { $0.reasons.contains { $0.code == "promise_broken" } })
    }

    @Test func aKeptPromiseIsSettledAndNothingIsSent() {
        var facts = Fx.facts()
        facts.commitments = [promise(by: "2026-02-13", review: "2026-02-18T06:00:00Z")]
        let plan = Planner.plan(
            facts: Fx.facts(payments: [Fx.payment("P1", cents: 100_000, on: "2026-02-12")]).with(facts.commitments),
            state: CaseState(cycle: 1, status: .paused),
            policy: .standard, settings: Fx.settings, now: Fx.t("2026-02-12T20:00:00Z"))
        #expect(plan.settled.map(\.status) == [.kept])
        #expect(plan.decision.action == .resolve)
    }

    @Test func anUnmatchedPaymentClaimGoesToAPerson() {
        var facts = Fx.facts()
        facts.commitments = [
            Commitment(
                id: "clm_1", kind: .paymentClaim, contactID: 1, channel: .email, madeAt: start, date: Fx.date("2026-02-09"),
                target: Fx.usd(100_000), amountStated: false, reviewAt: Fx.t("2026-02-17T06:00:00Z"))
        ]
        let plan = Planner.plan(
            facts: facts, state: CaseState(cycle: 1, status: .paused), policy: .standard, settings: Fx.settings, now: Fx.t("2026-02-17T07:00:00Z"))
        #expect(plan.settled.map(\.status) == [.unmatched])
        #expect(plan.decision.action == .handoff)
        #expect(plan.state.status == .handoff)
    }

    @Test func aDisputedInvoiceIsLeftOutAndTheRestIsChased() {
        var facts = Fx.facts(invoices: [Fx.invoice("INV-1"), Fx.invoice("INV-2")])
        facts.disputes = [Dispute(id: "d1", invoiceNumber: "INV-1", reason: .accessorial, openedAt: start)]
        let plan = Planner.plan(facts: facts, state: CaseState(), policy: .standard, settings: Fx.settings, now: Fx.t("2026-02-09T15:00:00Z"))
        #expect(plan.decision.action == .send)
        #expect(plan.decision.attempt?.invoices.map(\.invoice.number) == ["INV-2"])
        #expect(plan.decision.reasons.contains { $0.code == "disputed" })
        facts.disputes.append(Dispute(id: "d2", invoiceNumber: "INV-2", reason: .accessorial, openedAt: start))
        let all = Planner.plan(facts: facts, state: CaseState(), policy: .standard, settings: Fx.settings, now: Fx.t("2026-02-09T15:00:00Z"))
        #expect(all.decision.action == .pause)
    }

    @Test func aHoldDoesNotTakeTheCaseFromThePersonWhoHasIt() {
        let facts = Fx.facts(holds: [Hold(debtorID: "D1", reason: "x", until: Fx.t("2026-03-01T00:00:00Z"))])
        let state = CaseState(cycle: 1, status: .active).takenOver(Reason("takeover", "taken over"))
        let plan = Planner.plan(facts: facts, state: state, policy: .standard, settings: Fx.settings, now: start)
        #expect(plan.state.status == .handoff)
        #expect(plan.state.handedBack().status == .active)
    }

    @Test func invoiceReferencesMatchAsDebtorsWriteThem() {
        let inv = Fx.invoice("INV-1001", load: "448812", pro: "PRO 0098")
        #expect(inv.matches(reference: "inv 1001"))
        #expect(inv.matches(reference: "1001"))
        #expect(inv.matches(reference: "#448812"))
        #expect(!inv.matches(reference: "98"))
        #expect(!inv.matches(reference: "4488"))
    }

    @Test func businessDaysSkipWeekends() {
        #expect(Fx.date("2026-02-13").addingBusinessDays(2) == Fx.date("2026-02-17"))
        #expect(Fx.date("2026-02-14").addingBusinessDays(1) == Fx.date("2026-02-16"))
    }
}

extension CaseFacts {
    func with(_ commitments: [Commitment]) -> CaseFacts {
        var f = self
        f.commitments = commitments
        return f
    }
}
