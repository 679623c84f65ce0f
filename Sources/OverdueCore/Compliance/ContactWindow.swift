import Foundation

/// Local days and hours in which a contact may be reached, evaluated in the contact's time zone.
public struct ContactWindow: Hashable, Sendable, Codable, CustomStringConvertible {
    /// ISO weekdays allowed: 1 = Monday … 7 = Sunday.
    public var weekdays: Set<Int>
    /// Opening minute of the day (480 = 08:00), inclusive.
    public var startMinute: Int
    /// Closing minute of the day (1080 = 18:00), exclusive.
    public var endMinute: Int
    /// Days the window stays shut whatever the weekday (the contact's local date).
    public var holidays: Holidays

    /// Creates a window.
    public init(weekdays: Set<Int>, startMinute: Int, endMinute: Int, holidays: Holidays = Holidays()) {
        self.weekdays = weekdays
        self.startMinute = startMinute
        self.endMinute = endMinute
        self.holidays = holidays
    }

    enum CodingKeys: String, CodingKey { case weekdays, startMinute, endMinute, holidays }

    /// Decodes a window; one stored before holidays existed has none.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            weekdays: try c.decode(Set<Int>.self, forKey: .weekdays), startMinute: try c.decode(Int.self, forKey: .startMinute),
            endMinute: try c.decode(Int.self, forKey: .endMinute), holidays: try c.decodeIfPresent(Holidays.self, forKey: .holidays) ?? Holidays())
    }

    /// Whether contacts may be reached at all on `day`.
    public func opens(on day: LocalDate) -> Bool { weekdays.contains(day.isoWeekday) && !holidays.contains(day) }

    /// Monday–Friday 08:00–18:00: the default for every channel.
    public static let businessHours = ContactWindow(weekdays: [1, 2, 3, 4, 5], startMinute: 8 * 60, endMinute: 18 * 60)

    /// The outer limit for SMS and voice, whatever a tenant configures: 08:00–21:00 local.
    public static let telephoneLimit = ContactWindow(weekdays: [1, 2, 3, 4, 5, 6, 7], startMinute: 8 * 60, endMinute: 21 * 60)

    /// This window narrowed to `limit`'s hours (days stay this window's).
    public func clamped(to limit: ContactWindow) -> ContactWindow {
        ContactWindow(
            weekdays: weekdays.intersection(limit.weekdays),
            startMinute: max(startMinute, limit.startMinute), endMinute: min(endMinute, limit.endMinute),
            holidays: holidays.union(limit.holidays))
    }

    /// Whether the window ever opens.
    public var isEmpty: Bool { weekdays.isEmpty || startMinute >= endMinute }

    /// Whether `instant` lies inside the window in `zone`.
    public func contains(_ instant: Date, in zone: TimeZone) -> Bool {
        let (day, minute, _) = LocalDate.wallTime(instant, in: zone)
        return opens(on: day) && minute >= startMinute && minute < endMinute
    }

    /// The first instant at or after `instant` inside the window in `zone`; nil if the window never opens.
    public func nextOpening(atOrAfter instant: Date, in zone: TimeZone) -> Date? {
        guard !isEmpty else { return nil }
        let wall = LocalDate.wallTime(instant, in: zone)
        var day = wall.date
        let minute = wall.minute
        if opens(on: day) {
            if minute < startMinute { return day.at(hour: startMinute / 60, minute: startMinute % 60, in: zone) }
            if minute < endMinute { return instant }
        }
        // A week, plus one day for every holiday that could fall in the way.
        for _ in 0..<(8 + holidays.count) {
            day = day.adding(days: 1)
            if opens(on: day) {
                let opening = day.at(hour: startMinute / 60, minute: startMinute % 60, in: zone)
                // A DST gap can push the opening past the close; such a day is skipped.
                if contains(opening, in: zone) { return opening }
            }
        }
        return nil
    }

    /// `Mon-Fri 08:00-18:00`.
    public var description: String {
        let names = ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        let days = weekdays.sorted()
        let dayText: String
        if days.count > 1, days.last! - days.first! == days.count - 1 {
            dayText = "\(names[days.first!])-\(names[days.last!])"
        } else {
            dayText = days.map { names[$0] }.joined(separator: ",")
        }
        return "\(dayText) \(ContactWindow.clock(startMinute))-\(ContactWindow.clock(endMinute))" + (holidays.isEmpty ? "" : " except \(holidays)")
    }

    /// `HH:MM` for a minute of the day.
    public static func clock(_ minute: Int) -> String {
        let h = minute / 60, m = minute % 60
        return (h < 10 ? "0\(h)" : "\(h)") + ":" + (m < 10 ? "0\(m)" : "\(m)")
    }

    /// Parses `HH:MM` (00:00–24:00) into a minute of the day.
    public static func parseClock(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2,
            let h = Int(parts[0]), let m = Int(parts[1]), (0...24).contains(h), (0..<60).contains(m)
        else { return nil }
        let total = h * 60 + m
        return total <= 24 * 60 ? total : nil
    }

    /// Parses `mon-fri`, `mon,wed,fri`, `mon-sat`, `all` into ISO weekdays.
    public static func parseDays(_ text: String) -> Set<Int>? {
        let names = ["mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7]
        let s = text.lowercased().replacingOccurrences(of: " ", with: "")
        if s == "all" || s == "daily" { return Set(1...7) }
        var result = Set<Int>()
        for part in s.split(separator: ",") {
            let ends = part.split(separator: "-")
            if ends.count == 1, let d = names[String(ends[0].prefix(3))] { result.insert(d); continue }
            guard ends.count == 2, let a = names[String(ends[0].prefix(3))], let b = names[String(ends[1].prefix(3))] else { return nil }
            var d = a
            while true { result.insert(d); if d == b { break }; d = d % 7 + 1 }
        }
        return result.isEmpty ? nil : result
    }
}

/// Days nobody is contacted: fixed dates (`2026-11-26`) and dates every year (`12-25`), each read
/// as the contact's local date.
public struct Holidays: Hashable, Sendable, Codable, CustomStringConvertible {
    /// One-off dates.
    public var dates: Set<LocalDate>
    /// Yearly dates as month × 100 + day (1225 = 25 December).
    public var yearly: Set<Int>

    /// Creates a calendar (empty by default).
    public init(dates: Set<LocalDate> = [], yearly: Set<Int> = []) {
        self.dates = dates
        self.yearly = yearly
    }

    /// Whether `day` is a holiday.
    public func contains(_ day: LocalDate) -> Bool { dates.contains(day) || yearly.contains(day.month * 100 + day.day) }

    /// How many entries there are.
    public var count: Int { dates.count + yearly.count }
    /// Whether there are none.
    public var isEmpty: Bool { count == 0 }

    /// Both calendars' days.
    public func union(_ other: Holidays) -> Holidays { Holidays(dates: dates.union(other.dates), yearly: yearly.union(other.yearly)) }

    /// `12-25, 2026-11-26` (yearly first, then dates, each in order).
    public var description: String {
        (yearly.sorted().map { String(format: "%02d-%02d", $0 / 100, $0 % 100) } + dates.sorted().map(\.description)).joined(separator: ", ")
    }

    /// Parses a comma- or space-separated list of `YYYY-MM-DD` and `MM-DD` entries; the error names
    /// the first entry that is neither.
    public static func parse(_ text: String) -> Result<Holidays, HolidayError> {
        var h = Holidays()
        for raw in text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" || $0 == ";" }) {
            let entry = String(raw)
            if let d = LocalDate.parse(entry) { h.dates.insert(d); continue }
            let parts = entry.split(separator: "-")
            // Validated against a leap year so 02-29 is accepted.
            if parts.count == 2, parts.allSatisfy({ $0.count == 2 }), let m = Int(parts[0]), let d = Int(parts[1]),
                LocalDate(year: 2028, month: m, day: d) != nil
            {
                h.yearly.insert(m * 100 + d)
                continue
            }
            return .failure(HolidayError(entry: entry))
        }
        return .success(h)
    }

    /// An entry that is not a date.
    public struct HolidayError: Error, Equatable, CustomStringConvertible {
        /// The entry as written.
        public var entry: String
        /// What it is, in words.
        public var description: String { "'\(entry)' is not a date (YYYY-MM-DD, or MM-DD for every year)" }
    }
}
