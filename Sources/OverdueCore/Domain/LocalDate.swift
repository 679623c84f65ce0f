import Foundation

/// A calendar date without time or zone (invoice issue and due dates, payment dates).
public struct LocalDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Year, e.g. 2026.
    public let year: Int
    /// Month 1–12.
    public let month: Int
    /// Day of month 1–31.
    public let day: Int

    /// Creates a date, returning nil when the combination does not exist (e.g. 2026-02-30).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1,
            day <= LocalDate.daysInMonth(year: year, month: month)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: return 31
        case 4, 6, 9, 11: return 30
        default: return isLeap(year) ? 29 : 28
        }
    }

    /// Days since 1970-01-01 (proleptic Gregorian), the basis of date arithmetic.
    public var dayNumber: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date `dayNumber` days after 1970-01-01.
    public init(dayNumber z0: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = m <= 2 ? y + 1 : y
        self.month = m
        self.day = d
    }

    /// This date moved by `days` (negative moves back).
    public func adding(days: Int) -> LocalDate { LocalDate(dayNumber: dayNumber + days) }

    /// Whole days from `self` to `other` (positive when `other` is later).
    public func days(until other: LocalDate) -> Int { other.dayNumber - dayNumber }

    /// ISO 8601 `YYYY-MM-DD`.
    public var description: String {
        // Years 0–9999 (every date a book holds) are written as ten bytes: this runs for every
        // date bound to a statement and every reason, thousands of times a second.
        guard (0...9_999).contains(year) else { return Self.describe(year: year, month: month, day: day) }
        return String(unsafeUninitializedCapacity: 10) { buffer in
            writeDigits(into: buffer)
            return 10
        }
    }

    /// Writes `YYYY-MM-DD` into the first ten bytes of `buffer` (a year of 0–9999).
    func writeDigits(into buffer: UnsafeMutableBufferPointer<UInt8>) {
        Self.write(year / 100, into: buffer, at: 0)
        Self.write(year % 100, into: buffer, at: 2)
        buffer[4] = UInt8(ascii: "-")
        Self.write(month, into: buffer, at: 5)
        buffer[7] = UInt8(ascii: "-")
        Self.write(day, into: buffer, at: 8)
    }

    /// Writes `n` (0–99) as two digits at `offset`.
    static func write(_ n: Int, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        buffer[offset] = UInt8(ascii: "0") + UInt8(n / 10)
        buffer[offset + 1] = UInt8(ascii: "0") + UInt8(n % 10)
    }

    /// The general form, for any year (negative ones and those past 9999 included).
    static func describe(year: Int, month: Int, day: Int) -> String {
        let y = String(year), m = month < 10 ? "0\(month)" : "\(month)", d = day < 10 ? "0\(day)" : "\(day)"
        return String(repeating: "0", count: max(0, 4 - y.count)) + y + "-" + m + "-" + d
    }

    /// The order they sort in.
    public static func < (a: LocalDate, b: LocalDate) -> Bool { a.dayNumber < b.dayNumber }

    /// Parses ISO 8601 `YYYY-MM-DD` or US `M/D/YYYY`; nil when neither.
    public static func parse(_ text: some StringProtocol) -> LocalDate? {
        let s = text.trimmedASCII.utf8
        // Digits of one part, or nil when it holds anything else or is empty/too long.
        func number(_ part: some Collection<UInt8>, maxDigits: Int) -> Int? {
            guard !part.isEmpty, part.count <= maxDigits else { return nil }
            var n = 0
            for b in part {
                guard b >= 0x30 && b <= 0x39 else { return nil }
                n = n * 10 + Int(b - 0x30)
            }
            return n
        }
        if s.contains(0x2F) {  // "/"
            let parts = s.split(separator: 0x2F, omittingEmptySubsequences: false)
            guard parts.count == 3, parts[2].count == 4, let m = number(parts[0], maxDigits: 2), let d = number(parts[1], maxDigits: 2),
                let y = number(parts[2], maxDigits: 4)
            else { return nil }
            return LocalDate(year: y, month: m, day: d)
        }
        // Accept a full timestamp's date part too ("2026-01-05T00:00:00Z").
        var datePart = Array(s)
        if datePart.count > 10 {
            guard datePart[10] == 0x54 || datePart[10] == 0x20 else { return nil }  // "T" or " "
            datePart = Array(datePart[0..<10])
        }
        guard datePart.count == 10, datePart[4] == 0x2D, datePart[7] == 0x2D,
            let y = number(datePart[0..<4], maxDigits: 4), let m = number(datePart[5..<7], maxDigits: 2),
            let d = number(datePart[8..<10], maxDigits: 2)
        else { return nil }
        return LocalDate(year: y, month: m, day: d)
    }

    /// The calendar date of `instant` in `zone`.
    public init(_ instant: Date, in zone: TimeZone) {
        self = LocalDate.wallTime(instant, in: zone).date
    }

    /// What a wall clock in `zone` shows at `instant`: the date, the minute of the day (0–1439) and
    /// the second. From the zone's offset at that instant, without building a calendar: the
    /// planner asks this for every case many times.
    public static func wallTime(_ instant: Date, in zone: TimeZone) -> (date: LocalDate, minute: Int, second: Int) {
        let local = Int(instant.timeIntervalSince1970.rounded(.down)) + zone.secondsFromGMT(for: instant)
        let day = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let rem = local - day * 86_400
        return (LocalDate(dayNumber: day), rem / 60, rem % 60)
    }

    /// The instant at `hour:minute` local time on this date in `zone` (DST gaps move forward).
    public func at(hour: Int = 0, minute: Int = 0, in zone: TimeZone) -> Date {
        let cal = Calendar.gregorian(zone)
        var c = DateComponents()
        c.year = year; c.month = month; c.day = day; c.hour = hour; c.minute = minute
        c.timeZone = zone
        return cal.date(from: c)!
    }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    public var isoWeekday: Int {
        // 1970-01-01 was a Thursday (ISO 4).
        let w = (dayNumber % 7 + 7) % 7
        return (w + 3) % 7 + 1
    }

    /// Reads it from its JSON form.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let d = LocalDate.parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a date: \(text)"))
        }
        self = d
    }

    /// Writes its JSON form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension Calendar {
    /// A Gregorian calendar in `zone` (ISO first weekday).
    public static func gregorian(_ zone: TimeZone) -> Calendar {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        cal.locale = Locale(identifier: "en_US_POSIX")
        return cal
    }
}
