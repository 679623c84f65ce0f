import Foundation
import Testing
@testable import OverdueCore

@Suite struct WebhookRetryTests {
    @Test func backoffGrowsFourfoldIsCappedAndStopsAfterThreeDays() {
        let created = Date(timeIntervalSince1970: 1_800_000_000)
        var now = created
        var waits: [TimeInterval] = []
        var attempts = 0
        while true {
            attempts += 1
            let (at, reason) = WebhookRetry.next(afterAttempts: attempts, created: created, now: now)
            guard let at else {
                #expect(reason.code == "webhook_given_up")
                break
            }
            #expect(reason.code == "webhook_retry")
            waits.append(at.timeIntervalSince(now))
            now = at
        }
        #expect(Array(waits.prefix(5)) == [30, 120, 480, 1920, 7680])
        #expect(waits.max() == WebhookRetry.longest)
        #expect(now.timeIntervalSince(created) <= WebhookRetry.horizon)
        #expect(now.timeIntervalSince(created) > WebhookRetry.horizon - WebhookRetry.longest)
        #expect(attempts < 25)
    }

    @Test func subscriptionFiltersTakeTypesGroupsAndEverything() throws {
        #expect(try EventType.parseFilter(["payment.recorded", "promise.*"]).get() == ["payment.recorded", "promise.*"])
        #expect(EventType.promiseBroken.matches(["promise.*"]))
        #expect(!EventType.paymentRecorded.matches(["promise.*"]))
        #expect(EventType.caseResolved.matches(["*"]))
        guard case .failure(let e) = EventType.parseFilter(["payment.recordd", "bogus.*"]) else { Issue.record("accepted typos"); return }
        #expect(e.unknown == ["payment.recordd", "bogus.*"])
        guard case .failure(let empty) = EventType.parseFilter([]) else { Issue.record("accepted nothing"); return }
        #expect(empty.empty)
    }
}

@Suite struct PasswordPolicyTests {
    @Test func shortCommonDisguisedAndPersonalPasswordsAreRefused() {
        #expect(PasswordPolicy.problems("short-one").first?.contains("at least 12") == true)
        for weak in [
            "password1234", "P@ssw0rd2024!", "Qwertyuiop12", "123456789012", "aaaaaaaaaaaa", "abcdefghijkl", "Letmein!2025",
            "Overdue2026!!", "Sunshine12345", "zyxwvutsrqpo",
        ] {
            #expect(!PasswordPolicy.problems(weak).isEmpty, "\(weak) was accepted")
        }
        #expect(PasswordPolicy.problems("Margaret1970!x", email: "margaret@acme.com") == ["must not be based on your email or name"])
        #expect(PasswordPolicy.problems(String(repeating: "é", count: 40)).contains("must be at most 72 bytes (bcrypt ignores the rest)"))
    }

    @Test func passphrasesAndRandomPasswordsPass() {
        for good in ["correct horse battery staple", "x8#K2$pQ9!mZ", "tandem-walrus-oxide-42", "Brokers pay on Fridays, mostly"] {
            #expect(PasswordPolicy.problems(good, email: "pat@acme.com", name: "Pat Doe") == [], "\(good) was refused")
        }
    }
}

@Suite struct RedactionTests {
    @Test func cardsIBANsAccountsAndSecretsAreMasked() {
        #expect(Redaction.redact("pay with 4111 1111 1111 1111 exp 12/28") == "pay with [card …1111] exp 12/28")
        #expect(Redaction.redact("card 4111-1111-1111-1111") == "card [card …1111]")
        #expect(Redaction.redact("wire to DE89 3704 0044 0532 0130 00 today") == "wire to [iban …3000] today")
        #expect(Redaction.redact("our account number is 000123456789, routing 021000021") == "our account number is […6789], routing […0021]")
        #expect(Redaction.redact("key od_abcdefghjk_\(String(repeating: "Z", count: 40)) leaked") == "key od_[redacted] leaked")
        #expect(Redaction.redact("secret whsec_0123456789abcdefghij") == "secret whsec_[redacted]")
    }

    @Test func ordinaryNumbersStay() {
        // Invoice, load and PRO numbers, phone numbers, amounts and dates are not secrets.
        for text in ["INV-2026-00417 for load 448812", "PRO 1234567890123 failed Luhn", "call +1 312 555 0111", "$12,450.00 on 2026-03-02"] {
            #expect(Redaction.redact(text) == text, "\(text)")
        }
    }

    /// The one-pass look at a text's shapes only saves work: on 20,000 random texts built from
    /// the pieces the expressions look for, masking with it gives what trying every expression gives.
    @Test func lookingAtShapesFirstNeverMissesOne() {
        let pieces = [
            "4111", "1111", "0", "7", "12", " ", "  ", "-", "--", "DE", "89", "GB", "Z", "a", "account", "Acct", "routing", "a/c", "sort code", "ABA", "Iban",
            ": ",
            "od_", "abcdefghjk_", "whsec_", "ZZZZZZZZZZZZZZZZZZZZ", "_", "\n", "٣", "é", "4111111111111111",
        ]
        var rng = SystemRandomNumberGenerator()
        var differing: [String] = []
        for _ in 0..<20_000 {
            let text = (0..<Int.random(in: 1...24, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            if Redaction.redact(text) != Redaction.redact(text, shapes: .any) { differing.append(text) }
        }
        #expect(differing.isEmpty, "masked differently: \(differing.prefix(3))")
        // Found by this test once: an IBAN's mask names "iban", and the digits after it are an
        // account to the expression that tries every shape; the byte scan must agree.
        let found = "GB1111ZZZZZZZZZZZZZZZZZZZZ: Z411111111111111104111111111111111  abcdefghjk_"
        #expect(Redaction.redact(found) == Redaction.redact(found, shapes: .any))
    }
}
