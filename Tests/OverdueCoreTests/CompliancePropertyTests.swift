import Foundation
import Testing
@testable import OverdueCore

/// Thousands of random schedules: whatever the policy, zone, window, caps, consents, replies and
/// holds, no attempt is ever made outside a window or over a cap.
@Suite struct CompliancePropertyTests {
    static let zones = [
        "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Anchorage",
        "Pacific/Honolulu", "America/Toronto", "America/Halifax", "America/St_Johns", "America/Mexico_City", "America/Tijuana",
        "Europe/London", "Asia/Kolkata", "Australia/Sydney", "Pacific/Auckland",
    ]

    @Test func randomSchedulesNeverBreakAContactRule() {
        var rng = SeededGenerator(seed: 20_261_125)
        var checkedAttempts = 0
        for scenario in 0..<2_000 {
            // given: a random tenant, debtor and policy
            var settings = TenantSettings()
            let startHour = Int.random(in: 5...11, using: &rng), endHour = Int.random(in: 14...23, using: &rng)
            try? settings.set("window.start", String(format: "%02d:00", startHour))
            try? settings.set("window.end", String(format: "%02d:30", endHour))
            try? settings.set("window.days", ["mon-fri", "mon-sat", "all", "mon,wed,fri", "tue-thu"].randomElement(using: &rng)!)
            try? settings.set("cap.per_debtor_per_day", String(Int.random(in: 1...3, using: &rng)))
            try? settings.set("cap.calls_per_contact_per_7_days", String(Int.random(in: 1...7, using: &rng)))
            try? settings.set("company.timezone", Self.zones.randomElement(using: &rng)!)
            let stages = (0..<Int.random(in: 1...4, using: &rng)).map { _ in
                Policy.Stage(
                    channel: Channel.allCases.randomElement(using: &rng)!, attempts: Int.random(in: 1...5, using: &rng),
                    delayDays: Int.random(in: 0...4, using: &rng))
            }
            let policy = Policy(
                name: "p\(scenario)", startAfterDueDays: Int.random(in: 0...5, using: &rng), stages: stages,
                onExhausted: Bool.random(using: &rng) ? .handoff : .restart)
            let contacts = (0..<Int.random(in: 1...3, using: &rng)).map { i in
                Fx.contact(
                    Int64(i + 1), name: "C\(i)", email: Bool.random(using: &rng) ? "c\(i)@x.example" : nil,
                    phone: Bool.random(using: &rng) ? "+1312555010\(i)" : nil, zone: Self.zones.randomElement(using: &rng)!,
                    sms: Bool.random(using: &rng), call: Bool.random(using: &rng),
                    preferred: Bool.random(using: &rng) ? Channel.allCases.randomElement(using: &rng) : nil)
            }
            let due = Fx.date("2026-03-01").adding(days: Int.random(in: -20...20, using: &rng))
            let invoices = (0..<Int.random(in: 1...4, using: &rng)).map { i in
                Fx.invoice("I\(i)", issued: due.adding(days: -30).description, due: due.adding(days: i * Int.random(in: 0...9, using: &rng)).description)
            }
            let from = Fx.t("2026-02-01T00:00:00Z"), until = Fx.t("2026-04-15T00:00:00Z")
            var events: [(Date, (inout CaseFacts) -> Void)] = []
            var replies: [ReceivedReply] = []
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                let r = ReceivedReply(at: from.addingTimeInterval(Double.random(in: 0...(70 * 86_400), using: &rng)).rounded(), channel: .sms, contactID: 1)
                replies.append(r)
                events.append((r.at, { $0.replies.append(r) }))
            }
            var holds: [Hold] = []
            if Bool.random(using: &rng) {
                let placed = from.addingTimeInterval(Double.random(in: 0...(50 * 86_400), using: &rng)).rounded()
                let h = Hold(
                    debtorID: "D1", reason: "random hold", until: placed.addingTimeInterval(Double.random(in: 3600...(10 * 86_400), using: &rng)).rounded())
                holds.append(h)
                events.append((placed, { $0.holds.append(h) }))
            }
            var replay = Replay(facts: Fx.facts(contacts: contacts, invoices: invoices), policy: policy, settings: settings)
            // when
            replay.run(from: from, until: until, events: events)
            // then
            let rules = ContactRules(settings: settings)
            for (i, (at, attempt)) in replay.sent.enumerated() {
                checkedAttempts += 1
                let zone = attempt.contact.zone
                #expect(
                    rules.window(for: attempt.channel).contains(at, in: zone),
                    "scenario \(scenario): \(attempt.channel) at \(Timestamp.format(at)) outside window in \(zone.identifier)")
                if attempt.channel != .email {
                    #expect(ContactWindow.telephoneLimit.contains(at, in: zone), "scenario \(scenario): \(attempt.channel) outside 08:00–21:00")
                    #expect(attempt.channel == .sms ? attempt.contact.smsConsent : attempt.contact.callConsent, "scenario \(scenario): no consent")
                }
                let day = LocalDate(at, in: zone)
                let sameDay = replay.sent[...i].filter { LocalDate($0.at, in: zone) == day }.count
                #expect(sameDay <= settings.maxAttemptsPerDebtorPerDay, "scenario \(scenario): \(sameDay) attempts on \(day)")
                if attempt.channel == .voice {
                    let calls = replay.sent[...i].filter {
                        $0.attempt.channel == .voice && $0.attempt.contact.id == attempt.contact.id && $0.at > at.addingTimeInterval(-7 * 86_400)
                    }.count
                    #expect(calls <= settings.maxCallsPerContactPer7Days, "scenario \(scenario): \(calls) calls in 7 days")
                }
                #expect(
                    !holds.contains { h in at < h.until && replay.decisions.isEmpty == false && heldAt(at, h, events: events) },
                    "scenario \(scenario): sent during a hold")
                #expect(!replies.contains { $0.at <= at && LocalDate($0.at, in: zone) == day }, "scenario \(scenario): sent after a reply the same day")
            }
        }
        #expect(checkedAttempts > 5_000)
    }

    /// Whether hold `h` was in force at `at` (it starts when its event fires).
    func heldAt(_ at: Date, _ h: Hold, events: [(Date, (inout CaseFacts) -> Void)]) -> Bool {
        guard
            let placed = events.first(where: { e in
                var f = Fx.facts(); e.1(&f); return f.holds.contains(h)
            })?.0
        else { return false }
        return at >= placed && at < h.until
    }
}

private extension Date {
    func rounded() -> Date { Date(timeIntervalSince1970: (timeIntervalSince1970 / 60).rounded(.down) * 60) }
}
