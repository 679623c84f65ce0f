import Foundation
import Testing
@testable import OverdueCore

/// Holidays shut the contact window on the contact's local date, on every channel.
@Suite struct HolidayTests {
    let chicago = TimeZone(identifier: "America/Chicago")!

    @Test func holidaysParseAsDatesOrYearlyDaysAndNameABadEntry() throws {
        let h = try Holidays.parse("01-01, 07-04 12-25;2026-11-26").get()
        #expect(h.yearly == [101, 704, 1225] && h.dates == [LocalDate(year: 2026, month: 11, day: 26)!])
        #expect(h.contains(LocalDate(year: 2031, month: 12, day: 25)!) && !h.contains(LocalDate(year: 2027, month: 11, day: 26)!))
        #expect(h.description == "01-01, 07-04, 12-25, 2026-11-26")
        #expect(try Holidays.parse("02-29").get().yearly == [229])
        #expect(throws: Holidays.HolidayError(entry: "13-01")) { try Holidays.parse("12-25, 13-01").get() }
        var settings = TenantSettings()
        #expect(throws: TenantSettings.SettingError.self) { try settings.set("window.holidays", "christmas") }
        try settings.set("window.holidays", "2026-11-26, 12-25")
        #expect(settings.window.holidays.count == 2 && settings.window(for: .sms).holidays.count == 2)
    }

    @Test func noContactOnAHolidayAndTheNextOpeningSkipsIt() throws {
        var settings = TenantSettings()
        try settings.set("window.holidays", "2026-11-26, 2026-11-27")  // Thanksgiving Thursday and Friday
        let rules = ContactRules(settings: settings)
        let contact = Contact(
            id: 1, debtorID: "D", name: "Alex", email: "a@x.test", phone: "+13125550100", timeZone: "America/Chicago",
            smsConsent: true, callConsent: true)
        let thursday10 = LocalDate(year: 2026, month: 11, day: 26)!.at(hour: 10, in: chicago)
        for channel in Channel.allCases {
            let v = ComplianceGate.violations(channel: channel, contact: contact, at: thursday10, sent: [], replies: [], rules: rules)
            #expect(v.first?.reason.code == "holiday", "\(channel)")
            #expect(v.first?.reason.message.contains("2026-11-26 is a holiday") == true)
            // Friday is a holiday too and the weekend is shut: Monday 08:00.
            #expect(v.first?.retryAt == LocalDate(year: 2026, month: 11, day: 30)!.at(hour: 8, in: chicago), "\(channel)")
        }
        // The same instant is a working Thursday morning in a year without the holiday.
        let wednesday = LocalDate(year: 2026, month: 11, day: 25)!.at(hour: 10, in: chicago)
        #expect(ComplianceGate.violations(channel: .email, contact: contact, at: wednesday, sent: [], replies: [], rules: rules).isEmpty)
        // A run of holidays longer than a week still finds the opening after it.
        var long = ContactWindow.businessHours
        long.holidays = Holidays(dates: Set((0..<12).map { LocalDate(year: 2026, month: 12, day: 21)!.adding(days: $0) }))
        #expect(
            long.nextOpening(atOrAfter: LocalDate(year: 2026, month: 12, day: 21)!.at(hour: 9, in: chicago), in: chicago)
                == LocalDate(year: 2027, month: 1, day: 4)!.at(hour: 8, in: chicago))
    }
}
