import Foundation
import Testing
@testable import OverdueCore

@Suite struct MoneyTests {
    @Test(arguments: [("1,250.00", Int64(125_000)), ("1250", 125_000), ("$1,250.5", 125_050), ("0.07", 7), ("-10.00", -1000), ("1,234,567.89", 123_456_789)])
    func parsesAmounts(text: String, minor: Int64) throws {
        // when
        let m = try Money.parse(text, currency: .usd)
        // then
        #expect(m.minorUnits == minor)
    }

    @Test(arguments: ["12,50", "1.234", "abc", "", "1,2345.00", "1..2", "12 500"])
    func rejectsMalformedAmounts(text: String) {
        #expect(throws: Money.ParseError.self) { try Money.parse(text, currency: .usd) }
    }

    @Test func zeroDecimalCurrencies() throws {
        let yen = Currency("jpy")!
        #expect(try Money.parse("1,500", currency: yen).minorUnits == 1500)
        #expect(throws: Money.ParseError.self) { try Money.parse("1.5", currency: yen) }
        #expect(Money(minorUnits: 1500, currency: yen).decimalString == "1500")
    }

    @Test func formatsDecimalAndGrouped() {
        #expect(Fx.usd(125_000).decimalString == "1250.00")
        #expect(Fx.usd(-5).decimalString == "-0.05")
        #expect(Fx.usd(123_456_789).description == "1,234,567.89 USD")
    }
}

@Suite struct DateTests {
    @Test func parsesISOAndUS() {
        #expect(LocalDate.parse("2026-03-08") == LocalDate(year: 2026, month: 3, day: 8))
        #expect(LocalDate.parse("3/8/2026") == LocalDate(year: 2026, month: 3, day: 8))
        #expect(LocalDate.parse("12/31/2026") == LocalDate(year: 2026, month: 12, day: 31))
        #expect(LocalDate.parse("2026-02-30") == nil)
        #expect(LocalDate.parse("13/1/2026") == nil)
        #expect(LocalDate.parse("2026/01/05") == nil)
    }

    @Test func arithmeticAndWeekdays() {
        let d = Fx.date("2026-12-30")
        #expect(d.adding(days: 3).description == "2027-01-02")
        #expect(Fx.date("2024-02-28").adding(days: 1).description == "2024-02-29")
        #expect(Fx.date("2026-11-25").isoWeekday == 3)  // a Wednesday
        #expect(Fx.date("2026-01-01").days(until: Fx.date("2026-03-01")) == 59)
        #expect(LocalDate(dayNumber: Fx.date("1969-07-20").dayNumber).description == "1969-07-20")
    }

    @Test func timestampsRoundTripAndOffsets() {
        #expect(Timestamp.format(Fx.t("2026-01-05T14:00:00Z")) == "2026-01-05T14:00:00Z")
        #expect(Timestamp.format(Fx.t("2026-01-05T08:00:00-06:00")) == "2026-01-05T14:00:00Z")
        #expect(Timestamp.format(Fx.t("2026-01-05")) == "2026-01-05T00:00:00Z")
        #expect(Timestamp.parse("2026-01-05T25:00:00Z") == nil)
        #expect(Timestamp.parse("yesterday") == nil)
    }

    /// A wall clock read from the zone's offset agrees with the Gregorian calendar's reading, in
    /// zones with DST, half- and quarter-hour offsets, the date line and none, around transitions.
    @Test func theWallTimeAgreesWithTheCalendar() {
        var rng = SeededGenerator(seed: 20_261_208)
        let zones = [
            "UTC", "America/Chicago", "America/New_York", "America/Mexico_City", "America/St_Johns", "Europe/London", "Europe/Berlin",
            "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe", "Pacific/Chatham", "Pacific/Kiritimati", "Pacific/Pago_Pago",
        ].compactMap(TimeZone.init(identifier:))
        #expect(zones.count == 13)
        // 1990–2040, plus the hours around this year's transitions in Chicago.
        let spring = Timestamp.parse("2026-03-08T08:00:00Z")!.timeIntervalSince1970
        let fall = Timestamp.parse("2026-11-01T07:00:00Z")!.timeIntervalSince1970
        var instants: [Double] = [-1.5, 0, 86_399.9]
        for _ in 0..<3_000 {
            let whole = Double(Int.random(in: 631_152_000...2_208_988_800, using: &rng))
            instants.append(whole + Double.random(in: 0..<1, using: &rng))
        }
        for offset in stride(from: -7_200.0, through: 7_200, by: 450) { instants += [spring + offset, fall + offset] }
        for zone in zones {
            let cal = Calendar.gregorian(zone)
            for t in instants {
                let instant = Date(timeIntervalSince1970: t)
                let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
                let wall = LocalDate.wallTime(instant, in: zone)
                #expect(
                    wall.date == LocalDate(year: c.year!, month: c.month!, day: c.day!) && wall.minute == c.hour! * 60 + c.minute! && wall.second == c.second!,
                    "\(zone.identifier) \(t): \(wall) vs \(c)")
            }
        }
    }

    /// The byte-level writers and the canonical reader agree with the general forms, at random
    /// instants from year 1 to 9999 and at the edges.
    @Test func theFastFormsAgreeWithTheGeneralOnes() {
        var rng = SeededGenerator(seed: 20_261_208)
        let first = LocalDate(year: 1, month: 1, day: 1)!.dayNumber * 86_400
        let last = LocalDate(year: 9999, month: 12, day: 31)!.dayNumber * 86_400 + 86_399
        let edges = [first, last, 0, -1, 86_399, 951_782_400, 4_107_542_399]
        for (i, seconds) in (edges + (0..<20_000).map { _ in Int.random(in: first...last, using: &rng) }).enumerated() {
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            let text = Timestamp.format(date)
            let day = LocalDate(dayNumber: Int((Double(seconds) / 86_400).rounded(.down)))
            #expect(day.description == LocalDate.describe(year: day.year, month: day.month, day: day.day), "\(i)")
            #expect(text.hasPrefix(day.description) && text.utf8.count == 20, "\(i): \(text)")
            #expect(Timestamp.parse(text) == date, "\(i): \(text)")
            // The general reader gives the same instant (a space instead of T skips the fast path).
            #expect(Timestamp.parse(text.replacingOccurrences(of: "T", with: " ")) == date, "\(i): \(text)")
        }
        // What the fast reader refuses, the general one decides.
        for text in [
            "2026-02-30T10:00:00Z", "2026-01-05T24:00:00Z", "2026-01-05T10:60:00Z", "2026-01-05T10:00:60Z", "2026-01-05T1a:00:00Z", "+026-01-05T10:00:00Z",
        ] {
            #expect(Timestamp.canonical(text) == nil, "\(text)")
        }
        #expect(Timestamp.parse("2026-01-05T10:00:60Z") == Timestamp.parse("2026-01-05T10:01:00Z"), "a leap second, as before")
        #expect(LocalDate(dayNumber: LocalDate(year: 1, month: 1, day: 1)!.dayNumber - 1).description == "0000-12-31")
    }
}

@Suite struct PhoneNumberTests {
    @Test(arguments: [
        ("(312) 555-0101", "US", "+13125550101"), ("312.555.0101", "US", "+13125550101"), ("1-312-555-0101", "US", "+13125550101"),
        ("+1 416 555 0199", "US", "+14165550199"), ("416-555-0199", "CA", "+14165550199"), ("55 5555 0101", "MX", "+525555550101"),
        ("+52 81 5555 0101", "US", "+528155550101"), ("020 7946 0958", "GB", "+442079460958"), ("312-555-0101 x204", "US", "+13125550101"),
    ])
    func normalisesToE164(input: String, country: String, expected: String) {
        #expect(PhoneNumber.normalize(input, defaultCountry: country) == expected)
    }

    @Test(arguments: ["555-0101", "call me", "(012) 555-0101", "+1 312 555 01", ""])
    func rejectsNonNumbers(input: String) {
        #expect(PhoneNumber.normalize(input, defaultCountry: "US") == nil)
    }

    @Test func emailShape() {
        #expect(EmailAddress.normalize("Dana@Shipper.EXAMPLE") == "Dana@shipper.example")
        #expect(EmailAddress.normalize("not an email") == nil)
        #expect(EmailAddress.normalize("a@b") == nil)
    }
}

@Suite struct PolicyTests {
    @Test func parsesTheDocumentedFormat() throws {
        // given
        let json =
            #"{"name": "standard", "start_after_due_days": 1, "stages": [{"channel": "email", "attempts": 3, "delay_days": 3}, {"channel": "sms", "attempts": 3, "delay_days": 3}, {"channel": "voice", "attempts": 3, "delay_days": 3}], "on_exhausted": "handoff"}"#
        // when
        let p = try Policy.parse(json: Data(json.utf8))
        // then
        #expect(p == Policy.standard)
    }

    @Test func rejectsUnknownFieldsAndImpossibleValuesListingEach() {
        let json =
            #"{"name": "x", "start_after_due_day": 1, "stages": [{"channel": "fax", "attempts": 0, "delay_days": -1, "tone": "nice"}], "on_exhausted": "panic"}"#
        do {
            _ = try Policy.parse(json: Data(json.utf8))
            Issue.record("expected a validation error")
        } catch {
            let text = error.problems.joined(separator: "\n")
            #expect(text.contains("start_after_due_day: unknown field"))
            #expect(text.contains("stages[0].channel: must be email, sms or voice"))
            #expect(text.contains("stages[0].attempts: must be 1…10 (got 0)"))
            #expect(text.contains("stages[0].delay_days: must be 0…90 (got -1)"))
            #expect(text.contains("stages[0].tone: unknown field"))
            #expect(text.contains("on_exhausted"))
        }
    }

    @Test func rejectsNonIntegersBooleansAndEmptyLadders() {
        #expect(throws: Policy.ValidationError.self) { try Policy.parse(json: Data(#"{"stages": [{"channel": "email", "attempts": true}]}"#.utf8)) }
        #expect(throws: Policy.ValidationError.self) { try Policy.parse(json: Data(#"{"stages": [{"channel": "email", "attempts": 1.5}]}"#.utf8)) }
        #expect(throws: Policy.ValidationError.self) { try Policy.parse(json: Data(#"{"stages": []}"#.utf8)) }
        #expect(throws: Policy.ValidationError.self) { try Policy.parse(json: Data("[1]".utf8)) }
        #expect(throws: Policy.ValidationError.self) { try Policy.parse(json: Data("{".utf8)) }
    }

    @Test func roundTripsThroughItsJSON() throws {
        #expect(try Policy.parse(json: Policy.standard.jsonData()) == Policy.standard)
    }
}

@Suite struct SettingsTests {
    @Test func defaults() {
        let s = TenantSettings()
        #expect(s.window == ContactWindow.businessHours)
        #expect(s.country == "US")
        #expect(s.maxAttemptsPerDebtorPerDay == 1)
        #expect(s.maxCallsPerContactPer7Days == 7)
        #expect(s.promiseMaxDays == 45 && s.promiseGraceBusinessDays == 2 && s.paidPauseBusinessDays == 5 && s.acknowledgePauseBusinessDays == 3)
        #expect(s.minimumConfidence == 0.5 && s.planMaxInstallments == 3 && s.planIntervalDays == 14 && s.smsPerSecond == 1 && s.autonomy == .auto)
    }

    /// A default is written once, in the definitions: each must pass its own key's check, or a
    /// typed accessor would fall back to a value nobody chose.
    @Test func everyDefaultIsValidForItsKey() {
        for (key, def) in TenantSettings.definitions {
            guard let value = def.defaultValue else { continue }
            #expect(def.validate(value) == nil, "\(key)'s default '\(value)' fails its own check")
        }
    }

    @Test func typedValuesFollowWhatIsSet() throws {
        var s = TenantSettings()
        try s.set("promise.max_days", "30")
        try s.set("nlu.min_confidence", "0.7")
        try s.set("autonomy", "review")
        #expect(s.promiseMaxDays == 30 && s.minimumConfidence == 0.7 && s.autonomy == .review)
        try s.set("promise.max_days", nil)
        #expect(s.promiseMaxDays == 45)
    }

    @Test func telephoneWindowsCanNeverLeave8To21() {
        var s = TenantSettings()
        #expect(throws: TenantSettings.SettingError.self) { try s.set("window.sms.start", "07:30") }
        #expect(throws: TenantSettings.SettingError.self) { try s.set("window.voice.end", "21:30") }
        // A wide general window is allowed for email but clamped for SMS and voice.
        try? s.set("window.start", "06:00")
        try? s.set("window.end", "23:00")
        #expect(s.window(for: .email).startMinute == 360)
        #expect(s.window(for: .sms).startMinute == 480)
        #expect(s.window(for: .voice).endMinute == 21 * 60)
    }

    @Test func rejectsUnknownKeysAndBadValues() {
        var s = TenantSettings()
        #expect(throws: TenantSettings.SettingError.self) { try s.set("company.nmae", "x") }
        #expect(throws: TenantSettings.SettingError.self) { try s.set("company.timezone", "Mars/Olympus") }
        #expect(throws: TenantSettings.SettingError.self) { try s.set("window.days", "funday") }
        #expect(throws: TenantSettings.SettingError.self) { try s.set("window.start", "19:00") }  // after the 18:00 end
        #expect(throws: Never.self) { try s.set("window.days", "mon-sat") }
        #expect(s.window.weekdays == Set(1...6))
    }
}

/// Issue 20, finding 4: `email.tls.ca_file` answered "does this path exist" to a manager; the CA
/// is now the certificates themselves, checked by their shape, and the path setting is refused.
@Suite struct MailCASettingTests {
    static let pem = """
        -----BEGIN CERTIFICATE-----
        MIIBszCCAVmgAwIBAgIUU2FtcGxlQ0FmaXh0dXJlMDAwMDAwMDAwCgYIKoZIzj0EAwIw
        -----END CERTIFICATE-----
        """

    @Test func certificatesAreTextAndAPathIsNeverLookedAt() throws {
        var settings = TenantSettings()
        try settings.set("email.tls.ca_pem", Self.pem)
        try settings.set("email.tls.ca_pem", Self.pem + "\n" + Self.pem)
        for bad in ["/etc/passwd", "-----BEGIN CERTIFICATE-----\nnot base64 !!\n-----END CERTIFICATE-----", "-----BEGIN CERTIFICATE-----\nAAAA"] {
            #expect(throws: TenantSettings.SettingError.self, "\(bad)") { try settings.set("email.tls.ca_pem", bad) }
        }
        // The old setting is refused the same way whether the path exists or not.
        var answers: Set<String> = []
        for path in ["/etc/passwd", "/nonexistent/\(UUID().uuidString)"] {
            do { try settings.set("email.tls.ca_file", path) } catch { answers.insert(error.description) }
        }
        #expect(answers.count == 1 && answers.first?.contains("email.tls.ca_pem") == true, "\(answers)")
    }
}

/// Issue 20, finding 4: a manager could point the mail server (or the model) at their own host and
/// receive the password stored for the real one. Changing where a secret goes now forgets it.
@Suite struct SecretDestinationTests {
    @Test func movingWhereASecretGoesForgetsItUnlessGivenAgain() throws {
        var s = TenantSettings()
        // Configuring for the first time keeps what was given, in any order.
        var r = s.applying([("email.smtp.password", "s3cret"), ("email.smtp.host", "mail.carrier.example")])
        #expect(r.errors.isEmpty && r.settings.value("email.smtp.password") == "s3cret")
        s = r.settings
        // Moved elsewhere without the password: it is forgotten, and said so.
        r = s.applying([("email.smtp.host", "mail.evil.example")])
        #expect(r.settings.value("email.smtp.password") == nil && r.changed.contains("email.smtp.password"), "\(r.changed)")
        // Moved with the password given again: kept.
        r = s.applying([("email.smtp.host", "mail2.carrier.example"), ("email.smtp.password", "n3w")])
        #expect(r.settings.value("email.smtp.password") == "n3w")
        // Unrelated changes keep it.
        r = s.applying([("company.name", "Prairie Line")])
        #expect(r.settings.value("email.smtp.password") == "s3cret")
    }
}
