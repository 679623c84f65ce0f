import Foundation
import OverdueCore
@testable import OverdueLanguage
import Testing

/// The model as second reader: its answer counts only when consistent with the reply.
@Suite struct SecondReaderTests {
    let text = "We'll send the 1,250.00 for INV-5521 on Friday. Questions to ap@shipper.example"
    var first: ReplyAnalysis {
        var a = ReplyAnalysis(intent: .acknowledge, confidence: 0.31, sentiment: .neutral)
        a.intentProbabilities = [.acknowledge: 0.31, .promiseToPay: 0.30, .wrongContact: 0.2, .dispute: 0.04, .other: 0.15]
        return a
    }

    func judge(_ arguments: String) -> SecondReader.Verdict {
        SecondReader.judge(arguments: arguments, text: text, channel: .email, reference: tuesday, first: first)
    }

    @Test func aConsistentReadingIsUsedWithOverduesOwnEntities() {
        let v = judge(#"{"intent":"promise_to_pay","promise_date":"2026-03-13","amount":"1250.00","invoice_refs":["INV-5521"]}"#)
        #expect(v.used)
        #expect(!v.agreed)
        #expect(v.analysis.intent == .promiseToPay)
        #expect(v.analysis.promiseDate?.description == "2026-03-13")
        #expect(v.analysis.invoiceRefs == ["INV-5521"])
        #expect(v.reason.contains("where the classifier read acknowledge"))
        #expect(judge(#"{"intent":"acknowledge"}"#).agreed)
    }

    @Test(arguments: [
        ("not json at all", "not a JSON object"),
        (#"{"promise_date":"2026-03-13"}"#, "names no intent"),
        (#"{"intent":"pay_soon"}"#, "not one of the intents"),
        (#"{"intent":"promise_to_pay","invoice_refs":["INV-9999"]}"#, "INV-9999"),
        (#"{"intent":"promise_to_pay","amount":"4800.00"}"#, "4800.00"),
        (#"{"intent":"promise_to_pay","promise_date":"2026-03-20"}"#, "no words of the reply resolve to 2026-03-20"),
        (#"{"intent":"promise_to_pay","promise_date":"soon"}"#, "not a date"),
        (#"{"intent":"wrong_contact","redirect":"boss@elsewhere.example"}"#, "not in the reply"),
        (#"{"intent":"dispute"}"#, "hardly support dispute"),
        (#"{"intent":"other"}"#, "rank 4"),
    ])
    func anInconsistentReadingIsRefusedWithTheReason(arguments: String, why: String) {
        let v = judge(arguments)
        #expect(!v.used, "\(arguments)")
        #expect(v.reason.contains(why), "\(v.reason)")
        #expect(v.analysis == first)
    }

    @Test func theQuestionNamesEveryIntentAndTheDay() {
        for intent in Intent.allCases { #expect(SecondReader.schema.contains("\"\(intent.rawValue)\"")) }
        #expect((try? JSONSerialization.jsonObject(with: Data(SecondReader.schema.utf8))) != nil)
        #expect(SecondReader.instructions(channel: .sms, reference: tuesday).contains("2026-03-10 (Tuesday)"))
    }
}
