import Foundation

/// UTC instants as text: the one format Overdue stores and prints (`2026-01-05T14:00:00Z`).
public enum Timestamp {
    /// Formats `date` as ISO 8601 UTC with seconds precision.
    public static func format(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let day = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let rem = Int(seconds - Int64(day) * 86_400)
        let d = LocalDate(dayNumber: day)
        let (h, m, s) = (rem / 3600, rem / 60 % 60, rem % 60)
        guard (0...9_999).contains(d.year) else {
            func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
            return "\(d)T\(two(h)):\(two(m)):\(two(s))Z"
        }
        // Twenty bytes, written in place: every instant bound to a statement is formatted here.
        return String(unsafeUninitializedCapacity: 20) { buffer in
            d.writeDigits(into: buffer)
            buffer[10] = UInt8(ascii: "T")
            LocalDate.write(h, into: buffer, at: 11)
            buffer[13] = UInt8(ascii: ":")
            LocalDate.write(m, into: buffer, at: 14)
            buffer[16] = UInt8(ascii: ":")
            LocalDate.write(s, into: buffer, at: 17)
            buffer[19] = UInt8(ascii: "Z")
            return 20
        }
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` exactly, the form `format` writes and the store holds, read from its
    /// bytes; nil for anything else (the general parser decides).
    static func canonical(_ text: some StringProtocol) -> Date? {
        guard text.utf8.count == 20 else { return nil }
        let read = text.utf8.withContiguousStorageIfAvailable { b -> Date? in
            guard b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"), b[13] == UInt8(ascii: ":"),
                b[16] == UInt8(ascii: ":"), b[19] == UInt8(ascii: "Z")
            else { return nil }
            var bad = false
            func number(_ from: Int, _ count: Int) -> Int {
                var n = 0
                for i in from..<(from + count) {
                    let d = Int(b[i]) - 0x30
                    if d < 0 || d > 9 { bad = true }
                    n = n * 10 + d
                }
                return n
            }
            let (year, month, day) = (number(0, 4), number(5, 2), number(8, 2))
            let (h, m, s) = (number(11, 2), number(14, 2), number(17, 2))
            guard !bad, h < 24, m < 60, s < 60, let date = LocalDate(year: year, month: month, day: day) else { return nil }
            return Date(timeIntervalSince1970: TimeInterval(date.dayNumber * 86_400 + h * 3600 + m * 60 + s))
        }
        return read ?? nil
    }

    /// Parses ISO 8601: `YYYY-MM-DDTHH:MM[:SS][.fff](Z|±HH:MM)`, or a bare date (midnight UTC).
    public static func parse(_ text: some StringProtocol) -> Date? {
        if let canonical = canonical(text) { return canonical }
        let s = String(text).trimmingCharacters(in: .whitespaces)
        guard s.count >= 10, let date = LocalDate.parse(s.prefix(10)) else { return nil }
        if s.count == 10 { return Date(timeIntervalSince1970: TimeInterval(date.dayNumber) * 86_400) }
        var rest = Substring(s.dropFirst(10))
        guard rest.first == "T" || rest.first == " " else { return nil }
        rest = rest.dropFirst()
        // Split the offset from the clock part.
        var offsetSeconds = 0
        if rest.hasSuffix("Z") || rest.hasSuffix("z") {
            rest = rest.dropLast()
        } else if let signIndex = rest.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let off = rest[rest.index(after: signIndex)...].split(separator: ":")
            guard off.count >= 1, off.count <= 2, let oh = Int(off[0]), oh < 24 else { return nil }
            let om = off.count == 2 ? Int(off[1]) ?? -1 : 0
            guard (0..<60).contains(om) else { return nil }
            offsetSeconds = (oh * 3600 + om * 60) * (rest[signIndex] == "-" ? -1 : 1)
            rest = rest[..<signIndex]
        } else {
            return nil
        }
        let clock = rest.split(separator: ":")
        guard clock.count == 2 || clock.count == 3, let h = Int(clock[0]), let m = Int(clock[1]),
            (0..<24).contains(h), (0..<60).contains(m)
        else { return nil }
        var sec = 0.0
        if clock.count == 3 {
            guard let sv = Double(clock[2]), sv >= 0, sv < 61 else { return nil }
            sec = sv
        }
        let t = Double(date.dayNumber) * 86_400 + Double(h * 3600 + m * 60) + sec - Double(offsetSeconds)
        return Date(timeIntervalSince1970: t)
    }
}
