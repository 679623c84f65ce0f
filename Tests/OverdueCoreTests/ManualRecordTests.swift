import Foundation
import Testing
@testable import OverdueCore

/// What a person records by hand is checked before it is written, each refusal naming its field;
/// the cadence preview is the planner itself run forward.
@Suite struct ManualRecordTests {
    let zone = TimeZone(identifier: "America/Chicago")!
    let now = Date(timeIntervalSince1970: 1_795_000_000)  // a Tuesday in November 2026
    var today: LocalDate { LocalDate(now, in: zone) }
    let balance = Money(minorUnits: 245_000, currency: .usd)

    @Test func aPromiseIsReviewedAfterItsGraceLikeADebtorsOwn() throws {
        let date = today.adding(days: 7)
        let (c, why) = try ManualRecord.promise(
            id: "p1", date: date, amount: nil, balance: balance, channel: .voice, by: "pat@carrier.test",
            today: today, zone: zone, graceBusinessDays: 2, now: now)
        #expect(c.target == balance && !c.amountStated && c.kind == .promise && c.status == .open)
        #expect(c.reviewAt == date.addingBusinessDays(2).adding(days: 1).at(in: zone))
        #expect(why.code == "promise_recorded" && why.message.contains("pat@carrier.test") && why.message.contains("2,450.00 USD"))
        let part = try ManualRecord.promise(
            id: "p2", date: date, amount: Money(minorUnits: 100_000, currency: .usd), balance: balance, channel: .email,
            by: "pat", today: today, zone: zone, graceBusinessDays: 2, now: now
        ).0
        #expect(part.target.minorUnits == 100_000 && part.amountStated)
    }

    @Test func aBadPromiseNamesEveryField() {
        #expect(
            throws: ManualRecord.Refused(problems: [
                .init(field: "date", message: "\(today.adding(days: -1)) is in the past; a promise is for today or later"),
                .init(field: "amount", message: "9,999.00 USD is more than the open balance 2,450.00 USD"),
            ])
        ) {
            try ManualRecord.promise(
                id: "p", date: today.adding(days: -1), amount: Money(minorUnits: 999_900, currency: .usd), balance: balance,
                channel: .voice, by: "pat", today: today, zone: zone, graceBusinessDays: 2, now: now)
        }
        #expect(throws: ManualRecord.Refused.self) {
            try ManualRecord.promise(
                id: "p", date: nil, amount: Money(minorUnits: 10, currency: Currency("EUR")!), balance: balance,
                channel: .voice, by: "pat", today: today, zone: zone, graceBusinessDays: 2, now: now)
        }
        do throws(ManualRecord.Refused) {
            _ = try ManualRecord.promise(
                id: "p", date: nil, amount: Money(minorUnits: 10, currency: Currency("EUR")!), balance: balance,
                channel: .voice, by: "pat", today: today, zone: zone, graceBusinessDays: 2, now: now)
        } catch {
            #expect(error.problems.map(\.field) == ["date", "amount"])
            #expect(error.description.contains("billed in USD, not EUR"))
        }
        // A promise for the year 7402 would pause the case for good: two years ahead at most.
        for (days, refused) in [(ManualRecord.maxDaysAhead, false), (ManualRecord.maxDaysAhead + 1, true), (2_000_000, true)] {
            let attempt = Result { () throws(ManualRecord.Refused) in
                try ManualRecord.promise(
                    id: "p", date: today.adding(days: days), amount: nil, balance: balance,
                    channel: .voice, by: "pat", today: today, zone: zone, graceBusinessDays: 2, now: now)
            }
            #expect((try? attempt.get()) == nil ? refused : !refused, "\(days) days")
        }
    }

    @Test func disputesOnlyOnOpenUndisputedInvoicesAndResolutionsSayHow() throws {
        let open = ["INV-1", "INV-2"]
        let (d, why) = try ManualRecord.dispute(
            id: "d1", invoice: "INV-2", reason: .accessorial, note: " lumper not approved ", by: "pat",
            open: open, disputes: [], now: now)
        #expect(d.invoiceNumber == "INV-2" && d.status == .open && d.reason == .accessorial)
        #expect(why.message.contains("lumper not approved"))
        for (invoice, reason, field) in [("INV-9", DisputeReason?.some(.rate), "invoice"), ("INV-2", .some(.rate), "invoice"), ("INV-1", nil, "reason")] {
            do throws(ManualRecord.Refused) {
                _ = try ManualRecord.dispute(id: "d2", invoice: invoice, reason: reason, note: nil, by: "pat", open: open, disputes: [d], now: now)
                Issue.record("\(invoice) should be refused")
            } catch { #expect(error.problems.map(\.field) == [field]) }
        }
        #expect(try ManualRecord.resolution(id: "d1", resolution: "credit note CN-7", by: "pat", disputes: [d]).message.contains("CN-7"))
        do throws(ManualRecord.Refused) { _ = try ManualRecord.resolution(id: "d1", resolution: "  ", by: "pat", disputes: [d]) } catch {
            #expect(error.problems.map(\.field) == ["resolution"])
        }
        var done = d
        done.status = .resolved
        do throws(ManualRecord.Refused) { _ = try ManualRecord.resolution(id: "d1", resolution: "again", by: "pat", disputes: [done]) } catch {
            #expect(error.problems.map(\.field) == ["dispute"])
        }
    }

    @Test func paymentsAreForTodayOrEarlierAndTheirInvoiceMustExist() throws {
        let (p, why) = try ManualRecord.payment(
            id: "pay1", debtor: "S1", amount: balance, date: today, reference: "CHK 881", invoice: "INV-1",
            invoices: ["INV-1"], by: "pat", today: today)
        #expect(p.amount == balance && p.invoiceNumber == "INV-1" && p.reference == "CHK 881")
        #expect(why.code == "payment_recorded")
        do throws(ManualRecord.Refused) {
            _ = try ManualRecord.payment(
                id: "pay2", debtor: "S1", amount: Money(minorUnits: 0, currency: .usd), date: today.adding(days: 1),
                reference: nil, invoice: "INV-404", invoices: ["INV-1"], by: "pat", today: today)
            Issue.record("should be refused")
        } catch { #expect(error.problems.map(\.field) == ["amount", "date", "invoice"]) }
    }

    @Test func theCadencePreviewIsThePlannerRunForward() {
        var settings = TenantSettings()
        try? settings.set("company.timezone", "America/Chicago")
        let due = LocalDate(year: 2026, month: 11, day: 2)!  // a Monday
        let facts = CadencePreview.sampleFacts(settings: settings, due: due)
        let steps = CadencePreview.run(policy: .standard, settings: settings, facts: facts, from: due.at(in: zone), dueDay: due)
        let sends = steps.filter { $0.action == .send }
        #expect(sends.map(\.channel) == [.email, .email, .email, .sms, .sms, .sms, .voice, .voice, .voice])
        #expect(steps.last?.action == .handoff)
        // Every attempt is in the contact's window on a weekday, and the days only go up.
        let calendar = Calendar.gregorian(zone)
        for s in sends {
            let hour = calendar.component(.hour, from: s.at)
            #expect((8..<18).contains(hour), "\(s.at)")
            #expect(![1, 7].contains(calendar.component(.weekday, from: s.at)), "\(s.at) is a weekend")
        }
        #expect(sends.map(\.day) == sends.map(\.day).sorted())
        #expect(sends.first!.day >= 1, "the ladder starts after the due date")
        // A shorter ladder that restarts keeps going until the horizon.
        let restart = Policy(name: "loop", startAfterDueDays: 0, stages: [.init(channel: .email, attempts: 1, delayDays: 7)], onExhausted: .restart)
        let looped = CadencePreview.run(policy: restart, settings: settings, facts: facts, from: due.at(in: zone), dueDay: due, days: 60)
        #expect(looped.count >= 6 && looped.allSatisfy { $0.action == .send })
    }
}

/// Days sales outstanding month by month, from monthly totals.
@Suite struct DSOTrendTests {
    @Test func receivablesOverTheLastThreeMonthsSalesTimesTheirDays() throws {
        let today = LocalDate(year: 2026, month: 11, day: 20)!
        let points = DSOTrend.compute(
            invoiced: ["2026-08": 0, "2026-09": 90_000, "2026-10": 90_000, "2026-11": 60_000],
            collected: ["2026-10": 60_000, "2026-11": 30_000], today: today, months: 3)
        #expect(points.map(\.month) == ["2026-09", "2026-10", "2026-11"])
        #expect(points.map(\.receivables) == [90_000, 120_000, 150_000])
        // September: 90k open over 90k sales in Jul–Sep (92 days).
        #expect(abs(try #require(points[0].days) - 92) < 0.001)
        // October: 120k over 180k in Aug–Oct (31 + 30 + 31 days).
        #expect(abs(try #require(points[1].days) - 120.0 / 180.0 * 92) < 0.001)
        // November so far: 150k over 240k in Sep–Nov 20 (30 + 31 + 20 days).
        #expect(abs(try #require(points[2].days) - 150.0 / 240.0 * 81) < 0.001)
        // Invoices from long before the window still count as open; no sales in the window: no figure.
        let old = DSOTrend.compute(invoiced: ["2025-01": 50_000], collected: [:], today: today, months: 2)
        #expect(old.map(\.receivables) == [50_000, 50_000] && old.allSatisfy { $0.days == nil })
        #expect(DSOTrend.compute(invoiced: [:], collected: [:], today: today).count == 6)
    }
}
