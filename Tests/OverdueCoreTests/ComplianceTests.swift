import Foundation
import Testing
@testable import OverdueCore

@Suite struct ContactWindowTests {
    let ny = TimeZone(identifier: "America/New_York")!

    @Test func fridayEveningMovesToMondayMorning() {
        // given: Friday 2026-01-09 18:30 in New York
        let t = Fx.t("2026-01-09T23:30:00Z")
        // when
        let next = ContactWindow.businessHours.nextOpening(atOrAfter: t, in: ny)
        // then: Monday 08:00 EST = 13:00Z
        #expect(next == Fx.t("2026-01-12T13:00:00Z"))
    }

    @Test func insideTheWindowStaysPut() {
        let t = Fx.t("2026-01-07T15:00:00Z")  // Wed 10:00 EST
        #expect(ContactWindow.businessHours.nextOpening(atOrAfter: t, in: ny) == t)
    }

    @Test func closingMinuteIsExclusive() {
        #expect(!ContactWindow.businessHours.contains(Fx.t("2026-01-07T23:00:00Z"), in: ny))  // 18:00 EST
        #expect(ContactWindow.businessHours.contains(Fx.t("2026-01-07T22:59:00Z"), in: ny))
    }

    @Test func springForwardKeepsLocalEight() {
        // DST starts Sunday 2026-03-08 in the US: Monday 08:00 EDT is 12:00Z, not 13:00Z.
        let next = ContactWindow.businessHours.nextOpening(atOrAfter: Fx.t("2026-03-07T00:00:00Z"), in: ny)
        #expect(next == Fx.t("2026-03-09T12:00:00Z"))
    }

    @Test func fallBackKeepsLocalEight() {
        // DST ends Sunday 2026-11-01: Monday 08:00 EST is 13:00Z.
        let next = ContactWindow.businessHours.nextOpening(atOrAfter: Fx.t("2026-10-31T12:00:00Z"), in: ny)
        #expect(next == Fx.t("2026-11-02T13:00:00Z"))
    }

    @Test func zoneWithoutDST() {
        let phoenix = TimeZone(identifier: "America/Phoenix")!
        #expect(ContactWindow.businessHours.nextOpening(atOrAfter: Fx.t("2026-07-06T00:00:00Z"), in: phoenix) == Fx.t("2026-07-06T15:00:00Z"))
    }

    @Test func parsesDaysAndClock() {
        #expect(ContactWindow.parseDays("mon-fri") == Set(1...5))
        #expect(ContactWindow.parseDays("fri-mon") == [5, 6, 7, 1])
        #expect(ContactWindow.parseDays("mon,wed") == [1, 3])
        #expect(ContactWindow.parseClock("08:30") == 510)
        #expect(ContactWindow.parseClock("8") == nil)
        #expect(ContactWindow.businessHours.description == "Mon-Fri 08:00-18:00")
    }
}

@Suite struct ComplianceGateTests {
    let contact = Fx.contact(zone: "America/Los_Angeles")

    @Test func movesOutOfHoursAttemptToNextOpeningWithReasons() {
        // given: 06:00 in Los Angeles on a Tuesday
        let t = Fx.t("2026-01-06T14:00:00Z")
        // when
        let c = ComplianceGate.earliest(channel: .email, contact: contact, notBefore: t, sent: [], replies: [], rules: .standard)
        // then: 08:00 PST = 16:00Z
        #expect(c.at == Fx.t("2026-01-06T16:00:00Z"))
        #expect(c.reasons.map(\.code) == ["outside_window", "moved"])
        #expect(c.reasons[0].message.contains("America/Los_Angeles"))
    }

    @Test func onePerDebtorPerLocalDayAcrossChannels() {
        let morning = Fx.t("2026-01-06T17:00:00Z")  // 09:00 PST
        let sent = [SentAttempt(at: morning, channel: .email, contactID: 1)]
        let c = ComplianceGate.earliest(channel: .sms, contact: contact, notBefore: morning.addingTimeInterval(3600), sent: sent, replies: [], rules: .standard)
        #expect(c.at == Fx.t("2026-01-07T16:00:00Z"))
        #expect(c.reasons.first?.code == "daily_cap")
    }

    @Test func replyPausesForTheRestOfThatLocalDay() {
        let reply = ReceivedReply(at: Fx.t("2026-01-06T19:00:00Z"), channel: .sms, contactID: 1)  // 11:00 PST
        let c = ComplianceGate.earliest(
            channel: .email, contact: contact, notBefore: Fx.t("2026-01-06T20:00:00Z"), sent: [], replies: [reply], rules: .standard)
        #expect(c.at == Fx.t("2026-01-07T16:00:00Z"))
        #expect(c.reasons.contains { $0.code == "replied_today" })
    }

    @Test func sevenCallsInAnyRollingSevenDays() {
        // given: a tenant allowing 3 attempts a day and calls every day
        let rules = ContactRules(windows: [.voice: ContactWindow(weekdays: Set(1...7), startMinute: 480, endMinute: 1260)], maxPerDebtorPerDay: 3)
        let start = Fx.t("2026-01-05T17:00:00Z")
        let calls = (0..<7).map { SentAttempt(at: start.addingTimeInterval(Double($0) * 3600 * 12), channel: .voice, contactID: 1) }
        // when
        let c = ComplianceGate.earliest(
            channel: .voice, contact: contact, notBefore: calls.last!.at.addingTimeInterval(60), sent: calls, replies: [], rules: rules)
        // then: not before the first call drops out of the 7-day window
        #expect(c.at! > start.addingTimeInterval(7 * 86_400))
        #expect(c.reasons.first?.code == "call_cap")
    }

    @Test func telephoneLimitsHoldWhateverIsConfigured() {
        let rules = ContactRules(windows: [.sms: ContactWindow(weekdays: Set(1...7), startMinute: 0, endMinute: 1440)])
        #expect(rules.window(for: .sms).startMinute == 480)
        #expect(rules.window(for: .sms).endMinute == 1260)
        let c = ComplianceGate.earliest(channel: .sms, contact: contact, notBefore: Fx.t("2026-01-06T10:00:00Z"), sent: [], replies: [], rules: rules)
        #expect(c.at == Fx.t("2026-01-06T16:00:00Z"))
    }

    @Test func neverWhenCallsAreCappedAtZero() {
        let rules = ContactRules(windows: [:], maxCallsPerContactPer7Days: 0)
        let c = ComplianceGate.earliest(channel: .voice, contact: contact, notBefore: Fx.t("2026-01-06T17:00:00Z"), sent: [], replies: [], rules: rules)
        #expect(c.at == nil)
    }
}
