import Foundation
import OverdueCore
@testable import OverdueLanguage
import Testing

/// Reference day for relative dates: Tuesday 10 March 2026.
let tuesday = LocalDate(year: 2026, month: 3, day: 10)!

func read(_ text: String, _ channel: Channel = .email) -> ReplyAnalysis { ReplyReader.read(text, channel: channel, reference: tuesday) }

@Suite struct CleaningTests {
    @Test func quotedHistorySignatureAndDisclaimerAreNotTheDebtorsWords() {
        let parts = ReplyCleaner.split(
            """
            We will wire it Thursday.

            Best regards,
            Ann Lee | Payables

            On Mon, Mar 9, 2026 at 9:02 AM Acme Billing <billing@acme.example> wrote:
            > Reminder: invoice AC-100 for $500.00 is 12 days past due.
            """)
        #expect(parts.own == "We will wire it Thursday.")
        #expect(parts.evidence.isEmpty)  // our own reminder is never evidence
    }

    @Test func aForwardedRemittanceIsEvidence() {
        let parts = ReplyCleaner.split(
            """
            Paid, see below.

            -----Original Message-----
            From: Bank Notices <notices@bank.example>
            Sent: Friday, March 6, 2026 4:11 PM
            Amount: $2,000.00  Invoice: ZX-4410
            """)
        #expect(parts.own == "Paid, see below.")
        #expect(parts.evidence.contains("ZX-4410"))
        let a = read(
            "Paid, see below.\n\n-----Original Message-----\nFrom: Bank Notices <notices@bank.example>\nSent: Friday\nAmount: $2,000.00  Invoice: ZX-4410")
        #expect(a.intent == .paid)
        #expect(a.amount == "2000.00")
        #expect(a.invoiceRefs == ["ZX-4410"])
    }
}

@Suite struct KeywordTests {
    @Test func carrierKeywordsAreExactMatchesOnSMS() {
        for k in ["STOP", "stop", "Stop.", "STOPALL", "UNSUBSCRIBE", "END", "QUIT", "CANCEL", "REVOKE", "OPTOUT"] {
            let a = read(k, .sms)
            #expect(a.intent == .optOut, "\(k)")
            #expect(a.confidence == 1)
        }
        #expect(read("STOP ALL", .sms).optOutChannel == "all")
        #expect(read("START", .sms).keyword == "START")
        #expect(read("HELP", .sms).intent == .question)
    }

    @Test func stopInASentenceIsNotACarrierKeyword() {
        #expect(read("Stop charging us detention, the driver was late", .sms).keyword == nil)
        #expect(read("Payment went out Monday so please stop the reminders", .sms).keyword == nil)
        #expect(!ReplyReader.isCarrierKeyword("stop texting me about this", channel: .sms))
        #expect(ReplyReader.isCarrierKeyword("STOP", channel: .sms))
        #expect(!ReplyReader.isCarrierKeyword("STOP", channel: .email))
    }
}

/// Invented replies (written for these tests, in no data set): the trained model is a statistical
/// reader, so it is held to a share of them rather than to every one; the misses are printed.
@Suite struct IntentTests {
    static let invented: [(String, Channel, Intent)] = [
        ("We'll send payment on Thursday.", .email, .promiseToPay),
        ("That invoice was paid by ACH last week.", .email, .paid),
        ("The detention charge was never authorized, please correct the invoice.", .email, .dispute),
        ("Can you send the signed POD for that load? We can't pay without it.", .email, .documentRequest),
        ("Money is tight, could we do three payments over the next month?", .email, .paymentPlan),
        ("I'm not the right person, try our AP team at ap@shipper.example", .email, .wrongContact),
        ("Please stop calling my phone.", .voice, .optOut),
        ("Can you call me back after 3?", .sms, .callbackRequest),
        ("What's the remit-to address for checks?", .email, .question),
        ("Automatic reply: I am out of the office until March 20.", .email, .autoReply),
        ("Thanks, forwarded to our payables team.", .email, .acknowledge),
        ("You people are incompetent idiots.", .email, .abusive),
        ("Are you hiring drivers?", .sms, .other),
        ("Pagaremos la factura el viernes.", .sms, .promiseToPay),
        ("Ya se pagó la semana pasada, revise por favor.", .sms, .paid),
        ("No estamos de acuerdo con el cargo de detención.", .email, .dispute),
        ("Nous paierons vendredi.", .email, .promiseToPay),
        ("Je suis absente du bureau et serai de retour le 20 mars.", .email, .autoReply),
        ("It's been paid, you idiots. Learn to read.", .email, .abusive),
        ("Stop charging us detention, the driver was late", .sms, .dispute),
        ("Payment went out Monday so please stop the reminders", .email, .paid),
        ("stop texting me about this", .sms, .optOut),
        ("This is a duplicate of INV-2230, please remove it.", .email, .dispute),
        ("we will pay the full amount next friday", .voice, .promiseToPay),
    ]

    @Test func mostInventedRepliesAreReadRight() {
        let misses = Self.invented.filter { read($0.0, $0.1).intent != $0.2 }
        for m in misses { print("miss: \(m.0) → \(read(m.0, m.1).intent.rawValue), labelled \(m.2.rawValue)") }
        #expect(Double(Self.invented.count - misses.count) / Double(Self.invented.count) >= 0.8, "\(misses.map(\.0))")
    }
}

@Suite struct EntityTests {
    @Test(arguments: [
        ("We will pay Friday", "2026-03-13"),
        ("will pay tmrw", "2026-03-11"),
        ("paying monday", "2026-03-16"),
        ("we'll pay next Tuesday", "2026-03-17"),
        ("We will pay on the 20th", "2026-03-20"),
        ("will be paid by end of the month", "2026-03-31"),
        ("we'll pay by EOW", "2026-03-13"),
        ("Payment scheduled for 3/19 via ACH", "2026-03-19"),
        ("will be remitted 23/03/2026", "2026-03-23"),
        ("Pagaremos el viernes 13 de marzo", "2026-03-13"),
        ("We will pay on March 25", "2026-03-25"),
    ])
    func promiseDatesResolveAgainstTheReference(text: String, iso: String) {
        let a = read(text)
        #expect(a.intent == .promiseToPay, "\(text)")
        #expect(a.promiseDate?.description == iso, "\(text)")
    }

    @Test func aFrameWithoutADayIsAPromiseWithoutADate() {
        let a = read("It will go out in next week's ACH run.")
        #expect(a.intent == .promiseToPay)
        #expect(a.promiseFrame)
        #expect(a.promiseDate == nil)
    }

    @Test func amountsCurrenciesAndReferences() {
        let a = read("We'll pay INV-5521 and load 90210 ($1,875.50 CAD) on Friday. Check #4410 went out for the other one.")
        #expect(a.amount == "1875.50")
        #expect(a.currency == "CAD")
        #expect(a.invoiceRefs == ["INV-5521", "90210"])
        #expect(read("paid $900 yesterday").currency == nil)  // a bare $ names no currency
    }

    @Test func disputeReasonsDocumentsRedirectsAndOptOutChannels() {
        #expect(read("We are disputing the lumper fee on INV-2231, never approved.").disputeReason == "accessorial")
        #expect(read("This is a duplicate of INV-2230, please remove it.").disputeReason == "duplicate")
        #expect(read("Two pallets arrived crushed, we filed a claim and dispute the invoice.").disputeReason == "damage_shortage")
        #expect(read("Please send a copy of the bill of lading for load 77120.").document == "bol")
        #expect(read("Need the rate con before I can pay").document == "rate_confirmation")
        #expect(read("Wrong person. Please email payables@consignee.example instead.").redirect == "payables@consignee.example")
        #expect(read("Please stop calling me, email only.", .voice).optOutChannel == "voice")
        #expect(read("Unsubscribe me from these emails").optOutChannel == "email")
        let ooo = read("Out of office until Monday, March 16. For urgent matters contact ap2@shipper.example.")
        #expect(ooo.intent == .autoReply)
        #expect(ooo.returnDate?.description == "2026-03-16")
        #expect(ooo.redirect == "ap2@shipper.example")
    }
}

/// Whatever arrives — binary junk, emoji, digits at the very end, lone separators — is read without
/// a crash and gives a valid analysis.
@Suite struct RobustnessTests {
    @Test func randomTextNeverCrashesTheReader() {
        var rng = SeededGenerator(seed: 2_026_031_0)
        let alphabet: [String] = [
            "a", "Z", "0", "9", "1,", "5.", "$", "#", "-", "/", ":", "@", "?", "!", " ", "\n", "\r\n", ">", "é", "ñ", "€",
            "👍", "🤬", "\u{0}", "\u{2019}", "pay", "STOP", "On", "wrote:", "--", "Regards,", "555-", "INV-", "march", "the 3",
        ]
        for _ in 0..<3_000 {
            let length = Int.random(in: 0...40, using: &rng)
            let text = (0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }.joined()
            for channel in Channel.allCases {
                let a = ReplyReader.read(text, channel: channel, reference: tuesday)
                #expect((0...1).contains(a.confidence))
            }
        }
    }
}
