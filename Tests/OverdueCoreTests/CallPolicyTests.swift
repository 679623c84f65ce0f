import Foundation
import Testing
@testable import OverdueCore

@Suite struct CallPolicyTests {
    @Test func askingForAPersonIsHeardInWordsAndKeys() {
        #expect(CallPolicy.wantsPerson("can I speak to a real person please", digits: nil))
        #expect(CallPolicy.wantsPerson("representative", digits: nil))
        #expect(CallPolicy.wantsPerson("", digits: "0"))
        #expect(!CallPolicy.wantsPerson("we will pay the person who sent the invoice on friday", digits: nil))
    }

    @Test func theScriptsKeysMeanWhatTheScriptsSay() {
        #expect(CallPolicy.key("1") == .askDate)
        #expect(CallPolicy.key("3") == .person)
        #expect(CallPolicy.key("9") == .words("Stop calling me."))
        #expect(CallPolicy.key("7") == .unknown)
    }

    @Test func aCallEndsWhenItsWorkIsDoneAndAPersonTakesDisputesAndHandoffs() {
        #expect(CallPolicy.next(intent: .promiseToPay, steps: [], speech: "friday", digits: nil, turn: 1).0 == .end)
        #expect(CallPolicy.next(intent: .dispute, steps: [], speech: "that is wrong", digits: nil, turn: 1).0 == .transfer)
        let handoff = DecidedStep(.handoff, Reason("abusive", "abusive"))
        #expect(CallPolicy.next(intent: .abusive, steps: [handoff], speech: "mmh", digits: nil, turn: 1).0 == .transfer)
        #expect(CallPolicy.next(intent: .question, steps: [], speech: "how much", digits: nil, turn: 1).0 == .listen)
        #expect(CallPolicy.next(intent: .question, steps: [], speech: "how much", digits: nil, turn: CallPolicy.maxTurns).0 == .end)
    }

    @Test func anUnsureTurnIsAskedAgainTwiceInOtherWordsThenAPersonIsOffered() {
        let review = DecidedStep(.flag, Reason("reply_review", "not sure"))
        let first = CallPolicy.next(intent: .promiseToPay, steps: [review], speech: "mmh", digits: nil, turn: 1, asked: 0)
        let second = CallPolicy.next(intent: .other, steps: [], speech: "mmh", digits: nil, turn: 2, asked: 1)
        #expect(first.0 == .ask(CallPolicy.rephrasings[0]))
        #expect(second.0 == .ask(CallPolicy.rephrasings[1]))
        #expect(first.0 != second.0)
        #expect(first.1.code == "asking_again")
        #expect(CallPolicy.next(intent: .other, steps: [], speech: "mmh", digits: nil, turn: 3, asked: 2).0 == .transfer)
    }

    @Test func aPromiseWithoutADayIsAskedForTheDayAndAGreetingForThePayment() {
        #expect(CallPolicy.next(intent: .promiseToPay, steps: [], speech: "we will pay soon", digits: nil, turn: 1, promiseDated: false).0 == .ask(""))
        #expect(CallPolicy.next(intent: .promiseToPay, steps: [], speech: "we will pay friday", digits: nil, turn: 1, promiseDated: true).0 == .end)
        guard case .ask(let words) = CallPolicy.next(intent: .acknowledge, steps: [], speech: "this is accounts payable", digits: nil, turn: 1).0 else {
            Issue.record("a greeting ends the call")
            return
        }
        #expect(words.contains("When can we expect the payment?"))
        #expect(CallPolicy.next(intent: .acknowledge, steps: [], speech: "ok", digits: nil, turn: 3).0 == .listen)
    }

    @Test func aMachineGetsOneVoicemailPerStageAndAFaxNone() {
        #expect(CallPolicy.onMachine(answeredBy: "machine_end_beep", voicemailLeftThisStage: false).0 == .voicemail)
        #expect(CallPolicy.onMachine(answeredBy: "machine_start", voicemailLeftThisStage: true).0 == .hangUp)
        #expect(CallPolicy.onMachine(answeredBy: "fax", voicemailLeftThisStage: false).0 == .hangUp)
    }
}

@Suite struct TokenBucketTests {
    @Test func aBurstIsAllowedThenTheRateAndTheWaitIsSaid() {
        let t0 = Date(timeIntervalSince1970: 1_780_000_000)
        var b = TokenBucket.full(burst: 3, at: t0)
        var waits: [TimeInterval?] = []
        for _ in 0..<4 {
            let (next, wait) = b.take(now: t0, rate: 1, burst: 3)
            b = next
            waits.append(wait)
        }
        #expect(waits[0] == nil && waits[1] == nil && waits[2] == nil)
        #expect(waits[3] == 1)
        // Half a second later half a token has come back: still half a second to wait.
        #expect(b.take(now: t0.addingTimeInterval(0.5), rate: 1, burst: 3).retryAfter == 0.5)
        #expect(b.take(now: t0.addingTimeInterval(1), rate: 1, burst: 3).retryAfter == nil)
    }
}
