import OverdueCore

/// Dates as debtors write them, resolved against a reference date: "Friday", "tmrw", "the 20th",
/// "end of the month", "EOW", "3/19", "23/03/2026", "March 16", "viernes 13 de marzo", "16 mars".
/// Time frames without a day ("this week", "next check run") are found but resolve to nil.
enum DateExpressions {
    /// One expression found: where it starts (token index), its date (nil for a frame without a day)
    /// and the tokens before it (to tell "dated 1 March" from "by 1 March").
    struct Found: Equatable {
        var token: Int
        var date: LocalDate?
    }

    static let weekdays: [String: Int] = [
        "monday": 1, "mon": 1, "tuesday": 2, "tue": 2, "tues": 2, "wednesday": 3, "wed": 3, "weds": 3, "thursday": 4, "thu": 4, "thur": 4,
        "thurs": 4, "friday": 5, "fri": 5, "saturday": 6, "sunday": 7,
        "lunes": 1, "martes": 2, "miercoles": 3, "jueves": 4, "viernes": 5, "sabado": 6, "domingo": 7,
        "lundi": 1, "mardi": 2, "mercredi": 3, "jeudi": 4, "vendredi": 5, "samedi": 6, "dimanche": 7,
    ]
    static let months: [String: Int] = [
        "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6,
        "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11,
        "nov": 11, "december": 12, "dec": 12,
        "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8, "septiembre": 9,
        "octubre": 10, "noviembre": 11, "diciembre": 12,
        "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8, "septembre": 9,
        "octobre": 10, "novembre": 11, "decembre": 12,
    ]
    static let spelledDays: [String: Int] = [
        "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
        "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17,
        "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
    ]
    static let frames: [[String]] = [
        ["this", "week"], ["next", "week"], ["check", "run"], ["ach", "run"], ["payment", "run"], ["next", "month"], ["this", "month"],
        ["few", "weeks"], ["next", "batch"], ["esta", "semana"], ["proxima", "semana"], ["la", "semaine", "prochaine"],
    ]

    static let frameStarts = Set(frames.map { $0[0] })

    /// Tokens for date matching: letters and digits, with `/` kept inside numbers ("3/19").
    static func tokens(_ scalars: String.UnicodeScalarView) -> [String] {
        var out: [String] = []
        var cur = String.UnicodeScalarView()
        var lastIsDigit = false
        for s in scalars {
            let v = s.value
            let digit = v >= 48 && v <= 57
            let letter = v < 128 ? (v >= 97 && v <= 122) || (v >= 65 && v <= 90) : s.properties.isAlphabetic
            if letter || digit || (v == 47 && lastIsDigit) {
                cur.append(s)
                lastIsDigit = digit
            } else if !cur.isEmpty {
                out.append(String(cur))
                cur = String.UnicodeScalarView()
                lastIsDigit = false
            }
        }
        if !cur.isEmpty { out.append(String(cur)) }
        return out
    }

    /// Every date expression in the tokens, in order.
    static func find(tokens t: [String], reference ref: LocalDate) -> [Found] {
        var found: [Found] = []
        var i = 0
        func word(_ k: Int) -> String { k >= 0 && k < t.count ? t[k] : "" }
        while i < t.count {
            let w = t[i]
            // Month name + day: "march 16", "mar 9", "march eighteenth", "april 6 2026".
            if let m = months[w], let d = dayNumber(word(i + 1)) ?? spelledDays[word(i + 1)], w != "may" || Int(word(i + 1)) != nil {
                let year = Int(word(i + 2)).flatMap { $0 > 1999 && $0 < 2100 ? $0 : nil }
                found.append(Found(token: i, date: LocalDate(year: year ?? ref.year, month: m, day: d)))
                i += year == nil ? 2 : 3
                continue
            }
            // Day + month: "15 of march", "13 de marzo", "6th march", "16 mars", "1 march 2026".
            if let d = dayNumber(w) {
                var k = i + 1
                if word(k) == "of" || word(k) == "de" { k += 1 }
                if let m = months[word(k)], word(k) != "may" || k == i + 1 || word(i + 1) == "de" {
                    let year = Int(word(k + 1 + (word(k + 1) == "de" ? 1 : 0))).flatMap { $0 > 1999 && $0 < 2100 ? $0 : nil }
                    found.append(Found(token: i, date: LocalDate(year: year ?? ref.year, month: m, day: d)))
                    i = k + 1
                    continue
                }
            }
            // Numeric: 3/19, 03/17/2026, 23/03/2026 (day first when the first part cannot be a month).
            if w.utf8.contains(47) {
                let parts = w.split(separator: "/").compactMap { Int($0) }
                if parts.count >= 2, parts.count <= 3 {
                    var (m, d) = (parts[0], parts[1])
                    if m > 12 { (m, d) = (d, m) }
                    var year = ref.year
                    if parts.count == 3 { year = parts[2] < 100 ? 2000 + parts[2] : parts[2] }
                    if let date = LocalDate(year: year, month: m, day: d) { found.append(Found(token: i, date: date)) }
                }
                i += 1
                continue
            }
            // "the 20th", "on the 15th", "20th".
            if w.count >= 3, ["st", "nd", "rd", "th"].contains(String(w.suffix(2))), let d = Int(w.dropLast(2)), (1...31).contains(d) {
                var date = LocalDate(year: ref.year, month: ref.month, day: d)
                if let dd = date, dd < ref { date = nextMonth(ref, day: d) }
                found.append(Found(token: i, date: date))
                i += 1
                continue
            }
            if w == "today" || w == "hoy" || w == "tonight" || (w == "aujourd" && word(i + 1) == "hui") {
                found.append(Found(token: i, date: ref)); i += 1; continue
            }
            if ["tomorrow", "tmrw", "tomorow", "tmr", "tmrrw", "demain"].contains(w) || (w == "manana" && word(i - 1) != "la" && word(i - 1) != "en") {
                found.append(Found(token: i, date: ref.adding(days: 1))); i += 1; continue
            }
            if (w == "end" && word(i + 1) == "of" && (word(i + 2) == "month" || (word(i + 2) == "the" && word(i + 3) == "month"))) || w == "eom"
                || (w == "fin" && word(i + 1) == "de" && word(i + 2) == "mes") {
                found.append(Found(token: i, date: lastDayOfMonth(ref))); i += 1; continue
            }
            if (w == "end" && word(i + 1) == "of" && (word(i + 2) == "week" || (word(i + 2) == "the" && word(i + 3) == "week"))) || w == "eow" {
                found.append(Found(token: i, date: upcoming(5, after: ref, allowToday: true))); i += 1; continue
            }
            if let wd = weekdays[w] {
                found.append(Found(token: i, date: upcoming(wd, after: ref, allowToday: false))); i += 1; continue
            }
            if frameStarts.contains(w), let frame = frames.first(where: { f in f.indices.allSatisfy { word(i + $0) == f[$0] } }) {
                found.append(Found(token: i, date: nil)); i += frame.count; continue
            }
            i += 1
        }
        return found
    }

    static func dayNumber(_ w: String) -> Int? {
        guard let first = w.utf8.first, first >= 48 && first <= 57, w.utf8.count <= 4 else { return nil }
        var s = Substring(w)
        for suffix in ["st", "nd", "rd", "th", "er"] where s.hasSuffix(suffix) { s = s.dropLast(suffix.count) }
        guard let d = Int(s), (1...31).contains(d), s.count <= 2 else { return nil }
        return d
    }

    /// The first `weekday` (ISO 1…7) after `ref` (or `ref` itself when allowed).
    static func upcoming(_ weekday: Int, after ref: LocalDate, allowToday: Bool) -> LocalDate {
        var delta = (weekday - ref.isoWeekday + 7) % 7
        if delta == 0 && !allowToday { delta = 7 }
        return ref.adding(days: delta)
    }

    static func lastDayOfMonth(_ ref: LocalDate) -> LocalDate {
        var d = ref
        while d.adding(days: 1).month == ref.month { d = d.adding(days: 1) }
        return d
    }

    static func nextMonth(_ ref: LocalDate, day: Int) -> LocalDate? {
        ref.month == 12 ? LocalDate(year: ref.year + 1, month: 1, day: day) : LocalDate(year: ref.year, month: ref.month + 1, day: day)
    }
}
