import Foundation
import Testing
@testable import OverdueCore

/// Adversarial drafts against the guardrails: a model is never trusted with a fact.
@Suite struct DraftGuardTests {
    static let facts = DraftGuard.Facts(
        amounts: [245_000, 90_000, 335_000], dates: [LocalDate(year: 2026, month: 11, day: 5)!, LocalDate(year: 2026, month: 11, day: 27)!],
        references: ["INV-7001", "INV-7002", "LD-88", "PRO-55120"], emails: ["ar@lakeside.test"], phones: ["+1 312 555 0199"],
        senders: ["Lakeside Freight"], links: ["https://pay.lakeside.test/"], language: "en")

    static let goodEmail = """
        Hello Dana,

        Invoice INV-7001 for load LD-88 ($2,450.00) was due on November 5. Could you let us know when payment is planned? \
        You can pay at https://pay.lakeside.test/inv or call us at (312) 555-0199.

        Thank you,
        Lakeside Freight accounts receivable

        To stop receiving these emails, reply "unsubscribe".
        """

    static func codes(_ body: String, subject: String? = "Invoice INV-7001", channel: Channel = .email, policy: DraftGuard.Policy = .init()) -> [String] {
        DraftGuard.check(subject: subject, body: body, channel: channel, facts: facts, policy: policy).map(\.code)
    }

    @Test func aFaithfulDraftPasses() {
        #expect(Self.codes(Self.goodEmail) == [])
        let sms = "Hi Dana, this is Lakeside Freight: invoice INV-7001 (2,450.00 USD) is past due. Can you share a payment date? Reply STOP to opt out."
        #expect(Self.codes(sms, subject: nil, channel: .sms) == [])
    }

    @Test func inventedFactsAreEachNamed() {
        let wrongAmount = Self.goodEmail.replacingOccurrences(of: "$2,450.00", with: "$2,540.00")
        #expect(Self.codes(wrongAmount) == ["amount"])
        let invented = Self.goodEmail.replacingOccurrences(of: "INV-7001", with: "INV-7009")
        #expect(Self.codes(invented, subject: "Your invoice") == ["reference"])
        let otherDate = Self.goodEmail.replacingOccurrences(of: "November 5", with: "November 15")
        #expect(Self.codes(otherDate) == ["date"])
        let otherMail = Self.goodEmail.replacingOccurrences(of: "call us at (312) 555-0199", with: "write to payments@lakeside-billing.test")
        #expect(Self.codes(otherMail) == ["email"])
        let otherPhone = Self.goodEmail.replacingOccurrences(of: "(312) 555-0199", with: "(312) 555-0142")
        #expect(Self.codes(otherPhone) == ["phone"])
        let phishing = Self.goodEmail.replacingOccurrences(of: "https://pay.lakeside.test/inv", with: "https://lakeside-pay.example/inv")
        #expect(Self.codes(phishing) == ["link"])
    }

    @Test func threatsMissingOptOutAndSenderAreRefused() {
        let threat = Self.goodEmail.replacingOccurrences(
            of: "Could you let us know when payment is planned?", with: "Pay now or we will take legal action and report you.")
        let c = Self.codes(threat)
        #expect(c == ["blocked", "blocked"])
        let noOptOut = Self.goodEmail.replacingOccurrences(of: "To stop receiving these emails, reply \"unsubscribe\".", with: "")
        #expect(Self.codes(noOptOut) == ["opt_out"])
        let anonymous = Self.goodEmail.replacingOccurrences(of: "Lakeside Freight accounts receivable", with: "Accounts receivable")
        #expect(Self.codes(anonymous) == ["sender"])
        // A tenant's own blocked words.
        #expect(Self.codes(Self.goodEmail, policy: .init(blocked: ["let us know"])) == ["blocked"])
    }

    @Test func channelLimitsAndLanguage() {
        let long =
            "Hi Dana, this is Lakeside Freight about invoice INV-7001. "
            + String(repeating: "We kindly ask you to look at the open balance and reply. ", count: 9) + "Reply STOP to opt out."
        let failures = DraftGuard.check(subject: nil, body: long, channel: .sms, facts: Self.facts)
        #expect(failures.map(\.code) == ["length"])
        #expect(failures[0].message.contains("SMS segments"))
        let noStop = "Hi Dana, this is Lakeside Freight: invoice INV-7001 is past due. Please reply with a payment date."
        #expect(Self.codes(noStop, subject: nil, channel: .sms) == ["opt_out"])
        let speech = "Hello, this is Lakeside Freight calling about invoice INV-7001. " + String(repeating: "Please call us back when you can. ", count: 20)
        #expect(Self.codes(speech, subject: nil, channel: .voice) == ["length"])
        let spanish =
            "Hola Dana, le escribe Lakeside Freight: la factura INV-7001 de 2,450.00 USD esta vencida. Por favor, indiquenos la fecha de pago. Reply STOP to opt out."
        #expect(Self.codes(spanish, subject: nil, channel: .sms) == ["language"])
        // What a random-weight model writes: nothing a person could read.
        let gibberish = "qux zarbl INV frot 8ab(( klemp ++ wozzle drim Lakeside Freight plonk STOP vrrt ghh ul"
        #expect(Self.codes(gibberish, subject: nil, channel: .sms).contains("language"))
        #expect(Self.codes("  ", subject: nil, channel: .sms) == ["empty"])
    }

    @Test func theTemplatesOwnMessageIsTrusted() {
        let template = "Invoice INV-7002 for 900.00 USD was due 2026-11-27; call 312-555-0188 or see https://docs.lakeside.test/pod/1."
        let trusted = DraftGuard.mentioned(in: template)
        #expect(trusted.amounts == [90_000])
        #expect(trusted.dates == [LocalDate(year: 2026, month: 11, day: 27)!])
        #expect(trusted.references.contains("INV-7002") && trusted.phones == ["3125550188"] && trusted.links == ["https://docs.lakeside.test/pod/1"])
        let merged = Self.facts.union(trusted)
        let draft =
            "Hello Dana, Lakeside Freight here: INV-7002 (900.00 USD) was due Nov 27. The POD: https://docs.lakeside.test/pod/1 or call 312-555-0188. Reply STOP to opt out."
        #expect(DraftGuard.check(subject: nil, body: draft, channel: .sms, facts: merged).isEmpty)
    }
}
