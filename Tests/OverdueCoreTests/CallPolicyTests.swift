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
        let handoff = DecidedStep(.handoff, Reason("low_confidence", "not understood"))
        #expect(CallPolicy.next(intent: .other, steps: [handoff], speech: "mmh", digits: nil, turn: 1).0 == .transfer)
        #expect(CallPolicy.next(intent: .question, steps: [], speech: "how much", digits: nil, turn: 1).0 == .listen)
        #expect(CallPolicy.next(intent: .question, steps: [], speech: "how much", digits: nil, turn: CallPolicy.maxTurns).0 == .end)
    }

    @Test func aMachineGetsOneVoicemailPerStageAndAFaxNone() {
        #expect(CallPolicy.onMachine(answeredBy: "machine_end_beep", voicemailLeftThisStage: false).0 == .voicemail)
        #expect(CallPolicy.onMachine(answeredBy: "machine_start", voicemailLeftThisStage: true).0 == .hangUp)
        #expect(CallPolicy.onMachine(answeredBy: "fax", voicemailLeftThisStage: false).0 == .hangUp)
    }
}
