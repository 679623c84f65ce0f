import OverdueCore

/// Dates as debtors write and say them in English, Spanish and French, resolved against the day the
/// reply arrived: weekdays ("Friday", "fri", "this Friday", "next Tuesday", "vendredi prochain",
/// "viernes de la semana que entra", "a week from Friday"), relative days ("tmrw", "pasado mañana",
/// "après-demain", "in 10 days", "in two weeks"), days of the month ("the 20th", "the twenty third",
/// "el 15", "le 30", "the 1st of next month", "15 de este mes"), month names ("March 16", "Mar. 9th",
/// "16 mars", "viernes 13 de marzo", "march twenty third", "15 December 2026"), numeric dates
/// ("3/19", "03/19/2026", "19/03/2026", "2026-03-19", "19.03.2026", "3-19"; day first in a Spanish or
/// French sentence), ends of periods ("end of the month", "EOM", "fin de mes", "fin du mois", "EOW",
/// "quincena", "mid-month") and time frames without a day ("this week", "next check run", "la
/// semaine prochaine") that are found but resolve to no date.
///
/// The grammar reads folded tokens (see `tokens(_:)`) left to right, longest form first.
enum DateExpressions {
    /// What kind of expression was found.
    enum Kind: Equatable, Sendable {
        /// A day that resolves ("Friday", "3/19", "end of month").
        case day
        /// "now", "ahorita", "maintenant": the reference day, but only a date in some sentences.
        case now
        /// A time frame without a day ("next week", "check run"): `date` is nil.
        case frame
    }

    /// One expression found: where it starts and ends (token indices) and its date (nil for a frame).
    struct Found: Equatable, Sendable {
        /// The first token of the expression.
        var token: Int
        /// The date it names, nil for a frame without a day.
        var date: LocalDate?
        /// The token after the expression.
        var end: Int = 0
        /// What kind of expression it is.
        var kind: Kind = .day
    }

    // MARK: Tokens

    /// One token with whether whitespace came before it (amounts need it: "12 480,00 $").
    struct Lexeme: Equatable, Sendable {
        /// The folded text: a word ("friday"), a number with its inner separators ("3/19",
        /// "2,150.00", "15th", "3.5k"), a line break ("\n") or a single other character ("$", ".").
        var text: String
        /// Whether whitespace separates it from the token before.
        var gap: Bool
    }

    /// Tokens for date matching (see `lex(_:)`), as text.
    static func tokens(_ scalars: String.UnicodeScalarView) -> [String] { lex(scalars).map(\.text) }

    /// Splits folded text into tokens in one pass: a letter starts a word (letters and digits); a
    /// digit starts a number, which keeps `/ . , - :` between digits and letters after digits
    /// ("15th", "2k"); a line break is a token; every other non-space character is a token alone.
    static func lex(_ scalars: String.UnicodeScalarView) -> [Lexeme] {
        var out: [Lexeme] = []
        out.reserveCapacity(String(scalars).utf8.count / 4)
        // The token being built, as UTF-8: one reused buffer, a `String` made once per token.
        var cur: [UInt8] = []
        cur.reserveCapacity(32)
        var curDigit = false
        var gap = true
        var pending: UInt8 = 0  // a separator seen after a digit, kept if a digit follows (0: none)
        for raw in scalars {
            let s = NormalizedText.fold(raw)
            let v = s.value
            let digit = v >= 48 && v <= 57
            let letter = v < 128 ? (v >= 97 && v <= 122) : s.properties.isAlphabetic
            if digit || letter {
                if pending != 0 {
                    if digit {
                        cur.append(pending)
                    } else {
                        flush(&cur, &out, &gap)
                        out.append(Lexeme(text: singles[Int(pending)], gap: false))
                    }
                    pending = 0
                }
                if cur.isEmpty { curDigit = digit }
                if v < 128 { cur.append(UInt8(v)) } else { UTF8.encode(s) { cur.append($0) } }
                continue
            }
            if curDigit, !cur.isEmpty, pending == 0, v == 47 || v == 46 || v == 44 || v == 45 || v == 58, let last = cur.last, last >= 48 && last <= 57 {
                pending = UInt8(v)
                continue
            }
            if pending != 0 {
                flush(&cur, &out, &gap)
                out.append(Lexeme(text: singles[Int(pending)], gap: false))
                pending = 0
            }
            flush(&cur, &out, &gap)
            if v == 10 {
                out.append(Lexeme(text: "\n", gap: true))
                gap = true
            } else if v == 32 || v == 9 || v == 13 || v == 0xA0 || v == 0x202F || v == 0x2009 {
                gap = true
            } else {
                out.append(Lexeme(text: v < 128 ? singles[Int(v)] : String(s), gap: gap))
                gap = false
            }
        }
        if pending != 0 {
            flush(&cur, &out, &gap)
            out.append(Lexeme(text: singles[Int(pending)], gap: false))
        }
        flush(&cur, &out, &gap)
        return out
    }

    /// Ends the token in `cur`, if any.
    @inline(__always)
    private static func flush(_ cur: inout [UInt8], _ out: inout [Lexeme], _ gap: inout Bool) {
        guard !cur.isEmpty else { return }
        out.append(Lexeme(text: String(decoding: cur, as: UTF8.self), gap: gap))
        gap = false
        cur.removeAll(keepingCapacity: true)
    }

    /// Every ASCII character as a one-character string, made once.
    static let singles: [String] = (0..<128).map { String(Unicode.Scalar(UInt8($0))) }

    // MARK: Words

    static let weekdays: WordTable<Int> = [
        "monday": 1, "mon": 1, "tuesday": 2, "tue": 2, "tues": 2, "wednesday": 3, "wed": 3, "weds": 3, "thursday": 4, "thu": 4, "thur": 4,
        "thurs": 4, "friday": 5, "fri": 5, "saturday": 6, "sunday": 7,
        "lunes": 1, "martes": 2, "miercoles": 3, "jueves": 4, "viernes": 5, "sabado": 6, "domingo": 7,
        "lundi": 1, "mardi": 2, "mercredi": 3, "jeudi": 4, "vendredi": 5, "samedi": 6, "dimanche": 7,
    ]
    /// Short weekday names that are also ordinary words: a weekday only with a modifier or a date.
    static let weakWeekdays: WordTable<Int> = ["sat": 6, "sun": 7]

    static let months: WordTable<Int> = [
        "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6,
        "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11,
        "nov": 11, "december": 12, "dec": 12,
        "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8, "septiembre": 9, "setiembre": 9,
        "octubre": 10, "noviembre": 11, "diciembre": 12,
        "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8, "septembre": 9,
        "octobre": 10, "novembre": 11, "decembre": 12,
    ]
    /// Month names that are also ordinary words or abbreviations: a month only next to a day.
    static let ambiguousMonths: WordSet = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "march"]

    /// Words that make a weekday the one of the following week when they come before it.
    static let nextBefore: WordSet = ["next", "nxt", "proximo", "proxima"]
    /// Words that make a weekday the coming one (today included) when they come before it.
    static let thisBefore: WordSet = ["this", "coming", "este", "esta", "ce", "cette"]
    /// Words that make a weekday the past one when they come before it.
    static let lastBefore: WordSet = ["last", "past"]
    /// Units of "in 10 days": days per unit (0 for business days).
    static let durationUnits: WordTable<Int> = [
        "day": 1, "days": 1, "dia": 1, "dias": 1, "jour": 1, "jours": 1, "week": 7, "weeks": 7, "wk": 7, "wks": 7, "semana": 7, "semanas": 7,
        "semaine": 7, "semaines": 7,
    ]
    /// Spanish and French words that make "8/9" day first.
    static let dayFirstWords: WordSet = [
        "el", "del", "la", "los", "las", "de", "le", "du", "au", "les", "des", "por", "para", "hasta", "regreso", "retour", "jusqu", "fecha",
        "dia", "vencio", "realizo", "pago", "paiement", "al", "se", "et", "y", "depuis", "partir", "entre", "lo",
    ]
    /// Every word that can start an expression (the grammar tries nothing else but numbers).
    static let starters: WordSet = {
        var s = Set(weekdays.keys).union(weakWeekdays.keys).union(months.keys).union(nextBefore.keys).union(thisBefore.keys).union(lastBefore.keys)
        s.formUnion(SpokenNumbers.words.keys)
        s.formUnion(SpokenNumbers.ordinals.keys)
        s.formUnion([
            "the", "el", "le", "on", "dia", "del", "la", "a", "an", "few", "couple", "unos", "quelques", "today", "hoy", "tonight", "2day", "eod",
            "cob", "aujourd", "tomorrow", "tmrw", "tmr", "tomorow", "tommorow", "tommorrow", "tmw", "2morrow", "2moro", "manana", "demain", "yesterday",
            "yday", "ayer", "hier", "now", "ahora", "ahorita", "maintenant", "pasado", "apres", "day", "eom", "eow", "quincena", "quincenas", "mid",
            "middle", "mediados", "mi", "milieu", "lunch", "afternoon", "evening", "tarde", "soir", "midi", "in", "en", "dans", "within", "end", "fin",
            "finales", "month", "mo", "close", "early", "later", "late", "semaine", "semana", "check", "ach", "payment", "pay", "pmt", "eft", "wire",
            "vendor", "ap", "corrida", "paie", "au", "mois", "1st", "1er",
        ])
        return WordSet(words: s)
    }()
    /// Tokens that end a clause.
    static let boundaries: WordSet = [".", "\n", "?", "!", ";", "/", "|"]
    /// Words between two weekdays of a range ("monday through friday").
    static let rangeWords: WordSet = ["to", "through", "thru", "a", "au", "-", "till", "until"]
    /// "today" after "a week from".
    static let todayWords: WordSet = ["today", "now", "hoy"]
    /// "tomorrow" after "a week from".
    static let tomorrowWords: WordSet = ["tomorrow", "tmrw"]
    /// Words after a weekday that make it the past one.
    static let pastAfter: WordSet = ["pasado", "dernier", "passe"]
    /// Words before "mañana" that make it the morning.
    static let morningBefore: WordSet = ["la", "en", "por", "de", "esta"]
    /// Words before "afternoon", "lunch"… that make it later today.
    static let laterTodayBefore: WordSet = ["this", "after", "esta", "ce", "cet", "by"]
    /// Words before "quincena" that make it the next one.
    static let nextQuincenaBefore: WordSet = ["proxima", "siguiente"]
    /// "month" in the three languages.
    static let monthWords: WordSet = ["month", "mes", "mois"]
    /// Words before a duration ("in 10 days").
    static let inWords: WordSet = ["in", "en", "dans", "within", "d'ici"]
    /// Words after "end" ("end of").
    static let endOf: WordSet = ["of", "de", "del", "du", "d"]
    /// Articles after "end of".
    static let endArticles: WordSet = ["the", "this", "la", "le", "ce", "este", "cette"]
    /// "month" in the three languages, and "mo".
    static let monthWordsShort: WordSet = ["month", "mes", "mois", "mo"]
    /// Weeks after "end of".
    static let endWeekWords: WordSet = ["week", "wk", "semaine"]
    /// Days after "end of".
    static let dayWords: WordSet = ["day", "dia", "journee"]
    /// "of" in the three languages.
    static let ofWords: WordSet = ["of", "de", "du"]
    /// Words between "first of" and "month".
    static let firstOfArticles: WordSet = ["the", "this", "next", "el", "la", "le", "ce", "cada", "each", "every"]
    /// Words after "week"/"month" that make it the next one.
    static let nextAfter: WordSet = ["prochaine", "prochain", "proxima", "proximo"]
    /// Words after "semaine"/"semana" that make it next week.
    static let nextWeekAfter: WordSet = ["prochaine", "proxima", "entrante"]
    /// Words before "run"/"cycle"/"batch" that make it a payment run.
    static let runOwners: WordSet = ["check", "ach", "payment", "pay", "pmt", "eft", "wire", "next", "vendor", "ap"]
    /// Payment run words.
    static let runWords: WordSet = ["run", "cycle", "batch", "runs"]
    /// Payment run words after "next".
    static let nextRunWords: WordSet = ["run", "batch", "cycle"]
    /// "few" and "couple".
    static let fewWords: WordSet = ["few", "couple"]
    /// Words after "few"/"couple" that make a frame.
    static let fewAfter: WordSet = ["days", "weeks", "dias", "jours", "of"]
    /// Ordinal suffixes after a day number.
    static let ordinalSuffixes: WordSet = ["st", "nd", "rd", "th", "er", "e", "eme", "o"]
    /// Words before a number that make it an identifier, not a date.
    static let numberBefore: WordSet = ["#", "no", "num", "ticket", "ref"]
    /// Articles before a day of the month.
    static let dayArticles: WordSet = ["the", "el", "le", "on", "dia", "del"]
    /// Words after "the 15" that make it count something or be money.
    static let notDayAfter: WordSet = [
        "%", "$", "k", "one", "ones", "time", "times", "payment", "payments", "invoice", "invoices", "of", "percent", "pallets", "load", "loads", "instalment",
        "installment", "installments", "thing", "pagos", "pago", "facturas", "versements", "mil", "mille", "et", "-", ",", "half", "quarter", "chk", "check",
        "cheque", "notice", "reminder", "attempt", "pmt", "pymt", "shipment", "delivery", "round", "batch", "step", "thing", "part", "parte", "partie",
    ]
    /// Greetings before a weekday ("Happy Friday"): the weekday is not a date.
    static let greetingBefore: WordSet = ["happy", "feliz", "bon", "bonne", "joyeux", "buen"]
    /// "on", "at", "in".
    static let onAtIn: WordSet = ["on", "at", "in"]
    /// "and" and "or" in the three languages.
    static let andWords: WordSet = ["y", "and", "or", "et"]
    /// Words after a day number before "next month".
    static let monthRelativeOf: WordSet = ["of", "de", "del", "du", "-"]
    /// Articles before "month" after a day number.
    static let monthRelativeArticles: WordSet = ["the", "this", "este", "ce", "el", "each", "every", "cada", "le", "la"]
    /// Words that start a relative day, a period end or part of a day (the cases of `Parser.relative`).
    static let relativeWords: WordSet = [
        "today", "hoy", "tonight", "2day", "eod", "cob", "aujourd", "tomorrow", "tmrw", "tmr", "tomorow", "tommorow", "tommorrow", "tmw", "2morrow", "2moro",
        "manana", "demain", "lunch", "afternoon", "evening", "tarde", "soir", "midi", "yesterday", "yday", "ayer", "hier", "now", "ahora", "ahorita",
        "maintenant", "pasado", "apres", "day", "eom", "eow", "quincena", "quincenas", "mid", "middle", "mediados", "mi", "milieu",
    ]
    /// Weeks for frames.
    static let weekWords: WordSet = ["week", "wk", "weeks", "semana", "semaine"]

    // MARK: Finding

    /// Every date expression in the tokens, in order, resolved against `ref`.
    static func find(tokens t: [String], reference ref: LocalDate) -> [Found] {
        var p = Parser(t: t, ref: ref)
        return p.run()
    }

    /// The grammar over one token list.
    struct Parser {
        /// The tokens.
        let t: [String]
        /// The reference day.
        let ref: LocalDate
        /// What was found so far.
        var found: [Found] = []

        /// The token at `k`, or "" outside the list.
        func w(_ k: Int) -> String { k >= 0 && k < t.count ? t[k] : "" }

        /// Reads every expression. Only a number or a word that can start one is tried.
        mutating func run() -> [Found] {
            var i = 0
            while i < t.count {
                let x = t[i]
                let digit = x.utf8.first.map { $0 >= 48 && $0 <= 57 } ?? false
                guard digit || DateExpressions.starters.contains(x) else { i += 1; continue }
                if let end = match(i) { i = max(end, i + 1) } else { i += 1 }
            }
            return found
        }

        mutating func add(_ start: Int, _ end: Int, _ date: LocalDate?, _ kind: Kind = .day) -> Int {
            found.append(Found(token: start, date: date, end: end, kind: date == nil ? .frame : kind))
            return end
        }

        /// The expression starting at `i`, if any: appends it and returns the token after it.
        mutating func match(_ i: Int) -> Int? {
            let x = t[i]
            // A weekday range ("monday through friday", "de lunes a viernes") is office hours, not a day.
            if let wd = weekday(i, strong: true), wd.end <= t.count, rangeWords.contains(w(wd.end)),
                weekday(wd.end + 1, strong: true) != nil
            {
                return wd.end + 2
            }
            // "a week from Friday", "two weeks from today".
            if let n = count(i), let unit = durationUnits[w(n.end)], unit == 7, w(n.end + 1) == "from" {
                let k = n.end + 2
                let skip = w(k) == "this" || w(k) == "next" ? 1 : 0
                if let wd = weekday(k + skip, strong: true) {
                    let base = w(k) == "next" ? nextWeek(wd.day, ref) : upcoming(wd.day, after: ref, allowToday: false)
                    return add(i, wd.end, base.adding(days: 7 * n.value))
                }
                if todayWords.contains(w(k)) { return add(i, k + 1, ref.adding(days: 7 * n.value)) }
                if tomorrowWords.contains(w(k)) { return add(i, k + 1, ref.adding(days: 7 * n.value + 1)) }
            }
            // Modifier + weekday: "next Tuesday", "this coming Friday", "el próximo viernes", "last Monday".
            if nextBefore.contains(x) || thisBefore.contains(x) || lastBefore.contains(x) || (x == "el" && nextBefore.contains(w(i + 1))) {
                var k = i + 1
                if x == "el" { k += 1 }
                if w(k) == "coming" || w(k) == "past" { k += 1 }
                if let wd = weekday(k, strong: false) {
                    let date: LocalDate
                    if nextBefore.contains(x) || x == "el" {
                        date = nextWeek(wd.day, ref)
                    } else if lastBefore.contains(x) || w(i + 1) == "past" {
                        date = previous(wd.day, before: ref)
                    } else {
                        date = upcoming(wd.day, after: ref, allowToday: true)
                    }
                    return add(i, wd.end, date)
                }
            }
            // Weekday, maybe with its date ("Wednesday 30th September", "viernes 13 de marzo") or a
            // modifier after it ("vendredi prochain", "viernes de la semana que entra", "lunes pasado").
            if let wd = weekday(i, strong: false) {
                // "Happy Friday", "feliz viernes", "bon lundi" greet; they name no day to pay.
                if greetingBefore.contains(w(i - 1)) { return wd.end }
                var k = wd.end
                if w(k) == "," { k += 1 }
                let article = k
                if w(k) == "the" || w(k) == "el" || w(k) == "le" { k += 1 }
                if let d = monthDate(k) ?? numericDate(k) { return add(i, d.end, sameWeekday(d.date, wd.day)) }
                if let d = dayOfMonth(article, needArticle: false) ?? dayOfMonth(k, needArticle: false) {
                    return add(i, d.end, dayOnWeekday(d.date, wd.day))
                }
                if let end = followingWeek(wd.end) { return add(i, end, nextWeek(wd.day, ref)) }
                if pastAfter.contains(w(wd.end)) { return add(i, wd.end + 1, previous(wd.day, before: ref)) }
                if w(wd.end) == "after", w(wd.end + 1) == "next" { return add(i, wd.end + 2, nextWeek(wd.day, ref).adding(days: 7)) }
                if weekdays[x] == nil { return nil }  // "sat", "sun" alone are ordinary words
                return add(i, wd.end, upcoming(wd.day, after: ref, allowToday: false))
            }
            if let d = monthDate(i) ?? numericDate(i) { return add(i, d.end, d.date) }
            if let d = dayOfMonth(i, needArticle: true) { return add(i, d.end, d.date) }
            return relative(i)
        }

        /// A day of the month named with its weekday ("Friday the 30th", "el viernes 4"): the nearest
        /// such day that is that weekday (a past one as readily as a coming one: "it was wired on
        /// Friday the 30th"), when the day as read alone is not.
        func dayOnWeekday(_ date: LocalDate?, _ weekday: Int) -> LocalDate? {
            guard let d = date, d.isoWeekday != weekday else { return date }
            var best: LocalDate?
            for offset in -1...2 {
                var year = ref.year, month = ref.month + offset
                while month < 1 { month += 12; year -= 1 }
                while month > 12 { month -= 12; year += 1 }
                guard let c = LocalDate(year: year, month: month, day: d.day), c.isoWeekday == weekday else { continue }
                if let b = best, abs(ref.days(until: b)) <= abs(ref.days(until: c)) { continue }
                best = c
            }
            return best ?? date
        }

        /// A date written with its weekday but no year ("Wednesday 30th September"): the year in
        /// which that day is that weekday, when the nearest one is not.
        func sameWeekday(_ date: LocalDate?, _ weekday: Int) -> LocalDate? {
            guard let d = date, d.isoWeekday != weekday else { return date }
            for y in [d.year + 1, d.year - 1] {
                if let c = LocalDate(year: y, month: d.month, day: d.day), c.isoWeekday == weekday, abs(ref.days(until: c)) < 366 { return c }
            }
            return date
        }

        /// Relative days, period ends and frames.
        mutating func relative(_ i: Int) -> Int? {
            let x = t[i]
            // Most words name none of the cases below: one lookup instead of a comparison per case.
            if relativeWords.contains(x) {
                switch x {
                case "today", "hoy", "tonight", "2day", "eod", "cob":
                    return add(i, i + 1, ref)
                case "aujourd":
                    return add(i, w(i + 1) == "'" && w(i + 2) == "hui" ? i + 3 : i + 1, ref)
                case "tomorrow", "tmrw", "tmr", "tomorow", "tommorow", "tommorrow", "tmw", "2morrow", "2moro", "manana", "demain":
                    // "la mañana" is the morning; "mañana en la mañana" is tomorrow morning.
                    if x == "manana", morningBefore.contains(w(i - 1)) { return nil }
                    if x == "demain", w(i - 1) == "apres" || (w(i - 1) == "-" && w(i - 2) == "apres") { return nil }
                    return add(i, i + 1, ref.adding(days: 1))
                case "lunch", "afternoon", "evening", "tarde", "soir", "midi":
                    // "after lunch", "this afternoon", "esta tarde", "ce soir": later today ("this morning" is
                    // mostly past or a greeting).
                    let k = w(i - 1) == "-" && w(i - 2) == "apres" ? i - 3 : i - 1
                    guard laterTodayBefore.contains(w(k)) else { return nil }
                    return add(k, i + 1, ref)
                case "yesterday", "yday", "ayer", "hier":
                    return add(i, i + 1, ref.adding(days: -1))
                case "now", "ahora", "ahorita", "maintenant":
                    return add(i, i + 1, ref, .now)
                case "pasado" where w(i + 1) == "manana":
                    return add(i, i + 2, ref.adding(days: 2))
                case "apres" where w(i + 1) == "demain" || (w(i + 1) == "-" && w(i + 2) == "demain"):
                    return add(i, w(i + 1) == "-" ? i + 3 : i + 2, ref.adding(days: 2))
                case "day" where w(i + 1) == "after" && w(i + 2) == "tomorrow":
                    return add(i, i + 3, ref.adding(days: 2))
                case "eom":
                    return add(i, i + 1, lastDay(ref.year, ref.month))
                case "eow":
                    return add(i, i + 1, upcoming(5, after: ref, allowToday: true))
                case "quincena", "quincenas":
                    var date = ref.day <= 15 ? LocalDate(year: ref.year, month: ref.month, day: 15)! : lastDay(ref.year, ref.month)
                    if nextQuincenaBefore.contains(w(i - 1)) || w(i + 1) == "que" && w(i + 2) == "entra" {
                        date =
                            date.day == 15
                            ? lastDay(date.year, date.month) : LocalDate(year: date.adding(days: 1).year, month: date.adding(days: 1).month, day: 15)!
                    }
                    return add(i, i + 1, date)
                case "mid", "middle", "mediados", "mi", "milieu":
                    var k = i + 1
                    if w(k) == "-" { k += 1 }
                    if w(k) == "of" || w(k) == "de" || w(k) == "du" { k += 1 }
                    if w(k) == "the" || w(k) == "this" || w(k) == "le" { k += 1 }
                    if monthWords.contains(w(k)) { return add(i, k + 1, dayOnly(15)) }
                    if let m = months[w(k)], !ambiguousMonths.contains(w(k)) || w(k) == "march" {
                        return add(i, k + 1, nearest(month: m, day: 15))
                    }
                    return nil
                default:
                    break
                }
            }
            // "in 10 days", "in two weeks", "en 5 días", "dans 2 semaines", "10 days from now";
            // "within 5 business days" is a deadline, not a day: a frame.
            if inWords.contains(x), let n = count(i + 1) {
                var k = n.end
                let business = w(k) == "business" || w(k) == "working" || w(k) == "habiles" || w(k) == "ouvrables"
                if w(k) == "business" || w(k) == "working" { k += 1 }
                if let unit = durationUnits[w(k)] {
                    var end = k + 1
                    if w(end) == "habiles" || w(end) == "ouvrables" { end += 1 }
                    if x == "within" || n.vague { return add(i, end, nil) }
                    return add(i, end, business ? addBusinessDays(n.value, ref) : ref.adding(days: unit * n.value))
                }
            }
            if let n = count(i), !n.vague, let unit = durationUnits[w(n.end)], w(n.end + 1) == "from", w(n.end + 2) == "now" || w(n.end + 2) == "today" {
                return add(i, n.end + 3, ref.adding(days: unit * n.value))
            }
            // End of a period: "end of (the) month", "end of next month", "end of April", "month end",
            // "fin de mes", "a fin del mes", "fin du mois (prochain)", "end of the week", "end of day".
            if x == "end" || x == "fin" || x == "finales" || x == "finales" {
                var k = i + 1
                if endOf.contains(w(k)) { k += 1 }
                if w(k) == "'" { k += 1 }
                if endArticles.contains(w(k)) { k += 1 }
                let next = nextBefore.contains(w(k))
                if next { k += 1 }
                if monthWordsShort.contains(w(k)) {
                    let nextAfter = w(k + 1) == "prochain" || (w(k + 1) == "que" && w(k + 2) == "entra")
                    let date = next || nextAfter ? lastDay(nextMonthOf(ref).year, nextMonthOf(ref).month) : lastDay(ref.year, ref.month)
                    return add(i, k + 1 + (nextAfter ? 1 : 0), date)
                }
                if endWeekWords.contains(w(k)) {
                    return add(i, k + 1, next ? nextWeek(5, ref) : upcoming(5, after: ref, allowToday: true))
                }
                if dayWords.contains(w(k)) { return add(i, k + 1, ref) }
                if let m = months[w(k)], !ambiguousMonths.contains(w(k)) || w(k) == "march" {
                    let anchor = nearest(month: m, day: 1)
                    return add(i, k + 1, lastDay(anchor.year, anchor.month))
                }
                return nil
            }
            if (x == "month" || x == "mo") && w(i + 1) == "-" && w(i + 2) == "end" { return add(i, i + 3, lastDay(ref.year, ref.month)) }
            if x == "month" && w(i + 1) == "end" { return add(i, i + 2, lastDay(ref.year, ref.month)) }
            if x == "close" && w(i + 1) == "of" && w(i + 2) == "business" { return add(i, i + 3, ref) }
            // "first of the month", "1st of next month", "beginning of next month".
            if (x == "first" || x == "1st" || x == "primero" || x == "premier" || x == "1er") && ofWords.contains(w(i + 1)) {
                var k = i + 2
                if firstOfArticles.contains(w(k)) { k += 1 }
                if monthWords.contains(w(k)) {
                    let next = w(k - 1) == "next" || w(k + 1) == "prochain"
                    let n = nextMonthOf(ref)
                    let date = ref.day == 1 && !next ? ref : LocalDate(year: n.year, month: n.month, day: 1)!
                    return add(i, k + 1, date)
                }
            }
            // Frames without a day.
            if let end = frame(i) { return add(i, end, nil) }
            return nil
        }

        /// A time frame that names no day: "this week", "next week", "la semana que entra", "la
        /// semaine prochaine", "next month", "check run", "next batch", "in a few days", "in January".
        func frame(_ i: Int) -> Int? {
            let x = t[i]
            let week = weekWords
            let month = monthWords
            if thisBefore.contains(x) || nextBefore.contains(x) || x == "la" || x == "le" || x == "el" || x == "early" || x == "later" || x == "late" {
                var k = i + 1
                if x == "la" || x == "le" || x == "el" {
                    if nextBefore.contains(w(k)) { k += 1 } else if !(week.contains(w(k)) || month.contains(w(k))) { return nil }
                }
                if (x == "early" || x == "later" || x == "late") && (w(k) == "this" || w(k) == "next") { k += 1 }
                if w(k) == "weeks" && w(k + 1) == "run" { return k + 2 }
                if week.contains(w(k)) || month.contains(w(k)) {
                    var end = k + 1
                    if w(end) == "'" && w(end + 1) == "s" { end += 2 }
                    if nextAfter.contains(w(end)) { end += 1 }
                    if w(end) == "que" && (w(end + 1) == "entra" || w(end + 1) == "viene") { end += 2 }
                    // "la semana" alone (without a qualifier) is no frame.
                    if (x == "la" || x == "le" || x == "el") && end == k + 1 && !nextBefore.contains(w(i + 1)) { return nil }
                    return end
                }
            }
            if (x == "semaine" || x == "semana") && nextWeekAfter.contains(w(i + 1)) { return i + 2 }
            if runOwners.contains(x), runWords.contains(w(i + 1)) { return i + 2 }
            if x == "next" && nextRunWords.contains(w(i + 1)) { return i + 2 }
            if x == "corrida" || x == "paie" && w(i + 1) == "fournisseurs" { return x == "paie" ? i + 2 : i + 1 }
            if fewWords.contains(x), fewAfter.contains(w(i + 1)) { return i + 2 }
            if (x == "in" || x == "en" || x == "au"), let m = months[w(i + 1)], m > 0, !ambiguousMonths.contains(w(i + 1)) { return i + 2 }
            if x == "mois" && w(i + 1) == "prochain" { return i + 2 }
            return nil
        }

        /// Whether the words at `k` put a weekday in the following week: "next week", "prochain(e)",
        /// "que viene", "de la semana que entra", "de la próxima semana", "de la semaine prochaine".
        func followingWeek(_ k: Int) -> Int? {
            if w(k) == "prochain" || w(k) == "prochaine" { return k + 1 }
            if w(k) == "next" && (w(k + 1) == "week" || w(k + 1) == "wk") { return k + 2 }
            if w(k) == "que" && w(k + 1) == "viene" { return k + 2 }
            if (w(k) == "de" || w(k) == "of") && (w(k + 1) == "la" || w(k + 1) == "next") {
                let j = w(k + 1) == "next" ? k + 1 : k + 2
                if w(j) == "semana" && w(j + 1) == "que" && (w(j + 2) == "entra" || w(j + 2) == "viene") { return j + 3 }
                if nextBefore.contains(w(j)) && w(j + 1) == "semana" { return j + 2 }
                if w(j) == "semana" && (w(j + 1) == "proxima" || w(j + 1) == "entrante") { return j + 2 }
                if w(j) == "semaine" && w(j + 1) == "prochaine" { return j + 2 }
                if w(k + 1) == "next" && (w(j + 1) == "week" || w(j + 1) == "wk") { return j + 2 }
            }
            return nil
        }

        /// A weekday name at `k` (weak abbreviations only when `strong` is false and a modifier or date gives them away).
        func weekday(_ k: Int, strong: Bool) -> (day: Int, end: Int)? {
            let x = w(k)
            if let d = weekdays[x] ?? (strong ? nil : weakWeekdays[x]) {
                // "wed." and "fri's" are still the weekday.
                var end = k + 1
                if w(end) == "." && x.utf8.count <= 5 && !(w(end + 1) == "\n") { end += 1 }
                if w(end) == "'" && w(end + 1) == "s" { end += 2 }
                return (d, end)
            }
            return nil
        }

        /// A small count for durations: "10", "two", "a", "a couple of" (vague), "dos", "deux".
        func count(_ k: Int) -> (value: Int, end: Int, vague: Bool)? {
            let x = w(k)
            if x == "a" || x == "an" || x == "one" || x == "un" || x == "une" || x == "una" {
                if w(k + 1) == "couple" || w(k + 1) == "few" { return (2, w(k + 2) == "of" ? k + 3 : k + 2, true) }
                return (1, k + 1, false)
            }
            if x == "few" || x == "couple" || x == "unos" || x == "quelques" { return (2, w(k + 1) == "of" ? k + 2 : k + 1, true) }
            if let n = Int(x), n > 0, n < 400 { return (n, k + 1, false) }
            if let r = SpokenNumbers.read(t, at: k), r.value > 0, r.value < 100, !r.pairs { return (r.value, r.end, false) }
            return nil
        }

        /// A day number at `k`: "15", "15th", "1er", "2e", "fifteenth", "twenty third", or (when
        /// `cardinalWords`) "quince", "twenty three".
        func day(_ k: Int, cardinalWords: Bool) -> (day: Int, end: Int)? {
            let x = w(k)
            if let f = x.utf8.first, f >= 48 && f <= 57 {
                var digits = 0, n = 0
                // At most three digits are read: a longer run is no day (and would overflow).
                for b in x.utf8 {
                    guard b >= 48 && b <= 57, digits < 3 else { break }
                    n = n * 10 + Int(b - 48)
                    digits += 1
                }
                guard digits <= 2, (1...31).contains(n) else { return nil }
                let suffix = x.utf8.dropFirst(digits)
                if suffix.isEmpty || ordinalSuffixes.contains(String(decoding: suffix, as: UTF8.self)) { return (n, k + 1) }
                return nil
            }
            if let o = SpokenNumbers.ordinalDay(t, at: k) { return o }
            if cardinalWords, let c = SpokenNumbers.cardinalDay(t, at: k) { return c }
            return nil
        }

        /// A year at `k`: "2026", "26" after a comma or "de", "twenty twenty six".
        func year(_ k: Int) -> (year: Int, end: Int)? {
            var j = k
            if w(j) == "," || w(j) == "de" || w(j) == "of" { j += 1 }
            if let y = Int(w(j)), w(j).utf8.count == 4, (1990...2100).contains(y) { return (y, j + 1) }
            if let r = SpokenNumbers.read(t, at: j), r.pairs, (2000...2099).contains(r.value) { return (r.value, r.end) }
            return nil
        }

        /// "March 16", "Mar. 9th", "march twenty third", "May 26, 2026"; "16 mars", "13 de marzo",
        /// "the fifth of june", "15 December 2026", "2 de septiembre de 2026".
        func monthDate(_ i: Int) -> (date: LocalDate?, end: Int)? {
            let x = w(i)
            if let m = months[x] {
                var k = i + 1
                if w(k) == "." { k += 1 }
                if w(k) == "the" || w(k) == "el" || w(k) == "le" { k += 1 }
                if let d = day(k, cardinalWords: true) {
                    // "may 2 pallets" is no date: a day is not followed by what it counts.
                    if Amounts.unitWords.contains(w(d.end)) { return nil }
                    if let y = year(d.end) { return (LocalDate(year: y.year, month: m, day: d.day), y.end) }
                    return (nearestOrNil(month: m, day: d.day), d.end)
                }
                return nil
            }
            var k = i
            if x == "the" || x == "el" || x == "le" || x == "on" { k += 1 }
            guard let d = day(k, cardinalWords: w(k) != "first" || true) else { return nil }
            var j = d.end
            if w(j) == "of" || w(j) == "de" || w(j) == "d" { j += 1 }
            if w(j) == "'" { j += 1 }
            guard let m = months[w(j)] else {
                return nil
            }
            // "2 may" needs the day right before the month or "de"/"of".
            if ambiguousMonths.contains(w(j)) && w(j) != "march" && j != d.end && w(j - 1) != "of" { return nil }
            if let y = year(j + 1) { return (LocalDate(year: y.year, month: m, day: d.day), y.end) }
            return (nearestOrNil(month: m, day: d.day), j + 1)
        }

        /// Numeric dates: "3/19", "03/19/2026", "19/03/2026", "2026-03-19", "19.03.2026", "3-19".
        func numericDate(_ i: Int) -> (date: LocalDate?, end: Int)? {
            let x = w(i)
            guard let f = x.utf8.first, f >= 48 && f <= 57, x != "24/7" else { return nil }  // "open 24/7"
            var sep: UInt8 = 0
            for b in x.utf8 where b == 47 || b == 45 || b == 46 { sep = b; break }
            guard sep != 0 else { return nil }
            let parts = x.utf8.split(separator: sep, omittingEmptySubsequences: false)
            guard parts.count == 2 || parts.count == 3 else { return nil }
            var nums: [Int] = []
            for p in parts {
                guard !p.isEmpty, p.count <= 4, p.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
                nums.append(Int(String(decoding: p, as: UTF8.self))!)
            }
            let lengths = parts.map(\.count)
            // A count ("5-7 business days") or a code ("10-4471") is no date.
            if Amounts.unitWords.contains(w(i + 1)) || durationUnits[w(i + 1)] != nil || w(i + 1) == "business" { return nil }
            if numberBefore.contains(w(i - 1)) { return nil }
            var y = ref.year, m = 0, d = 0, hasYear = true
            if parts.count == 3 && lengths[0] == 4 {
                (y, m, d) = (nums[0], nums[1], nums[2])
            } else if parts.count == 3 {
                guard lengths[0] <= 2, lengths[1] <= 2, lengths[2] == 2 || lengths[2] == 4 else { return nil }
                y = lengths[2] == 2 ? 2000 + nums[2] : nums[2]
                (m, d) = sep == 46 || nums[0] > 12 || (nums[1] <= 12 && dayFirst(i)) ? (nums[1], nums[0]) : (nums[0], nums[1])
            } else {
                guard lengths[0] <= 2, lengths[1] <= 2, sep != 46 else { return nil }
                if sep == 45 && lengths[1] != 2 { return nil }
                hasYear = false
                (m, d) = nums[0] > 12 || (nums[1] <= 12 && dayFirst(i)) ? (nums[1], nums[0]) : (nums[0], nums[1])
            }
            guard (1...12).contains(m), (1...31).contains(d) else { return nil }
            return (hasYear ? LocalDate(year: y, month: m, day: d) : nearestOrNil(month: m, day: d), i + 1)
        }

        /// Whether the clause before `i` is Spanish or French, where "8/9" is the 8th of September.
        func dayFirst(_ i: Int) -> Bool {
            var k = i - 1
            var seen = 0
            while k >= 0 && seen < 8 {
                if boundaries.contains(t[k]) && t[k] != "/" { break }
                if dayFirstWords.contains(t[k]) { return true }
                k -= 1
                seen += 1
            }
            return false
        }

        /// A day of the month without a month: "the 20th", "on the 15", "the twenty third", "20th",
        /// "el 15", "el día 27 de este mes", "le 30", "d'ici le 30", "the 1st of next month". An
        /// article is needed unless the number carries an ordinal suffix.
        func dayOfMonth(_ i: Int, needArticle: Bool) -> (date: LocalDate?, end: Int)? {
            var k = i
            let x = w(i)
            let article = dayArticles.contains(x)
            if article {
                k += 1
                if w(k) == "the" || w(k) == "dia" { k += 1 }
            }
            let numeric = w(k).utf8.first.map { $0 >= 48 && $0 <= 57 } ?? false
            guard let d = day(k, cardinalWords: (x == "el" || x == "le" || x == "dia") && !numeric) else { return nil }
            let suffixed = numeric && w(k).utf8.count > (d.day >= 10 ? 2 : 1)
            if needArticle && !article && !suffixed {
                // "15 de este mes", "1 of next month".
                return numeric ? monthRelative(d.day, after: d.end) : nil
            }
            if !numeric && !article { return nil }
            // "the 15" must not count something ("the 2 loads", "el 15%", "the 3 payments") or be money.
            let after = w(d.end)
            if Amounts.unitWords.contains(after) || notDayAfter.contains(after) {
                if after == "of" || after == "-" { return monthRelative(d.day, after: d.end) }
                return nil
            }
            // "the first and second payments", "the first on 8/15" count instalments.
            if !numeric && onAtIn.contains(after) && w(d.end + 1) != "the" { return nil }
            if !numeric && andWords.contains(after) && (SpokenNumbers.ordinals[w(d.end + 1)] != nil) { return nil }
            // "15 de este mes", "el 1 del próximo mes".
            if after == "de" || after == "del" || after == "du" { if let r = monthRelative(d.day, after: d.end) { return r } }
            return (dayOnly(d.day), d.end)
        }

        /// "…of next month", "…of this month", "…of the month", "…de este mes", "…del próximo mes",
        /// "…du mois prochain" after a day number.
        func monthRelative(_ day: Int, after k: Int) -> (date: LocalDate?, end: Int)? {
            var j = k
            guard monthRelativeOf.contains(w(j)) else { return nil }
            j += 1
            if w(j - 1) == "-" && w(j) == "of" { j += 1 }
            let next = nextBefore.contains(w(j)) || w(j) == "el" && nextBefore.contains(w(j + 1))
            if monthRelativeArticles.contains(w(j)) || next { j += 1 }
            if nextBefore.contains(w(j)) { j += 1 }
            guard monthWords.contains(w(j)) else { return nil }
            let nextAfter = w(j + 1) == "prochain" || (w(j + 1) == "que" && w(j + 2) == "entra")
            if next || nextAfter {
                let n = nextMonthOf(ref)
                return (LocalDate(year: n.year, month: n.month, day: day), j + 1 + (nextAfter ? 1 : 0))
            }
            return (dayOnly(day), j + 1)
        }

        /// The day `day` of this month, or of the next when it has passed.
        func dayOnly(_ day: Int) -> LocalDate? {
            if day >= ref.day, let d = LocalDate(year: ref.year, month: ref.month, day: day) { return d }
            let n = nextMonthOf(ref)
            return LocalDate(year: n.year, month: n.month, day: day)
        }

        /// A date without a year: the occurrence of month/day nearest the reference (half a year either way).
        func nearestOrNil(month: Int, day: Int) -> LocalDate? {
            guard LocalDate(year: 2024, month: month, day: day) != nil else { return nil }
            return nearest(month: month, day: day)
        }

        /// The occurrence of month/day nearest the reference.
        func nearest(month: Int, day: Int) -> LocalDate {
            var best: LocalDate?
            for y in [ref.year - 1, ref.year, ref.year + 1] {
                guard let d = LocalDate(year: y, month: month, day: min(day, LocalDate.daysIn(year: y, month: month))) else { continue }
                if best == nil || abs(ref.days(until: d)) < abs(ref.days(until: best!)) { best = d }
            }
            return best!
        }
    }

    // MARK: Calendar helpers

    /// The first `weekday` (ISO 1…7) after `ref` (or `ref` itself when allowed).
    static func upcoming(_ weekday: Int, after ref: LocalDate, allowToday: Bool) -> LocalDate {
        var delta = (weekday - ref.isoWeekday + 7) % 7
        if delta == 0 && !allowToday { delta = 7 }
        return ref.adding(days: delta)
    }

    /// `weekday` in the week after the reference's (Monday-based): "next Friday".
    static func nextWeek(_ weekday: Int, _ ref: LocalDate) -> LocalDate {
        ref.adding(days: 7 - ref.isoWeekday + weekday)
    }

    /// The last `weekday` before `ref`.
    static func previous(_ weekday: Int, before ref: LocalDate) -> LocalDate {
        let delta = (ref.isoWeekday - weekday + 7) % 7
        return ref.adding(days: -(delta == 0 ? 7 : delta))
    }

    /// `n` business days after `ref` (weekends skipped).
    static func addBusinessDays(_ n: Int, _ ref: LocalDate) -> LocalDate {
        var d = ref
        var left = n
        while left > 0 {
            d = d.adding(days: 1)
            if d.isoWeekday <= 5 { left -= 1 }
        }
        return d
    }

    /// The last day of a month.
    static func lastDay(_ year: Int, _ month: Int) -> LocalDate {
        LocalDate(year: year, month: month, day: LocalDate.daysIn(year: year, month: month))!
    }

    /// The last day of the reference's month.
    static func lastDayOfMonth(_ ref: LocalDate) -> LocalDate { lastDay(ref.year, ref.month) }

    /// The first day of the month after `ref`'s.
    static func nextMonthOf(_ ref: LocalDate) -> LocalDate {
        ref.month == 12 ? LocalDate(year: ref.year + 1, month: 1, day: 1)! : LocalDate(year: ref.year, month: ref.month + 1, day: 1)!
    }
}

extension LocalDate {
    /// Days in a month of a year.
    static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: return 31
        case 4, 6, 9, 11: return 30
        default: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        }
    }
}

/// Free functions the date grammar shares with the parser (kept out of `Parser` for reuse).
extension DateExpressions.Parser {
    /// The day of the month `day` this month or next (see `dayOnly`).
    func nextMonthOf(_ ref: LocalDate) -> LocalDate { DateExpressions.nextMonthOf(ref) }
    /// See `DateExpressions.lastDay`.
    func lastDay(_ y: Int, _ m: Int) -> LocalDate { DateExpressions.lastDay(y, m) }
    /// See `DateExpressions.upcoming`.
    func upcoming(_ wd: Int, after ref: LocalDate, allowToday: Bool) -> LocalDate { DateExpressions.upcoming(wd, after: ref, allowToday: allowToday) }
    /// See `DateExpressions.nextWeek`.
    func nextWeek(_ wd: Int, _ ref: LocalDate) -> LocalDate { DateExpressions.nextWeek(wd, ref) }
    /// See `DateExpressions.previous`.
    func previous(_ wd: Int, before ref: LocalDate) -> LocalDate { DateExpressions.previous(wd, before: ref) }
    /// See `DateExpressions.addBusinessDays`.
    func addBusinessDays(_ n: Int, _ ref: LocalDate) -> LocalDate { DateExpressions.addBusinessDays(n, ref) }
}

/// A read-only table of words for the grammar, which looks words up at almost every token: an
/// open-addressing table hashed with FNV-1a over the UTF-8 bytes (much cheaper than `Hasher` for
/// short words). Non-ASCII words are looked up in an ordinary dictionary, so lookups agree with
/// `String` equality (canonical equivalence) everywhere.
struct WordTable<Value: Sendable>: Sendable {
    /// Where each word's value is.
    private let index: WordIndex
    /// The values, in the order of `index`.
    private let values: [Value]

    /// A table of `entries` (for a word given twice, the last value).
    init(_ entries: [(String, Value)]) {
        let dict = Dictionary(entries, uniquingKeysWith: { _, last in last })
        let keys = Array(dict.keys)
        index = WordIndex(keys)
        values = keys.map { dict[$0]! }
    }

    /// A table of the entries of `dict`.
    init(_ dict: [String: Value]) { self.init(dict.map { ($0.key, $0.value) }) }

    /// The value of `word`, if it is in the table.
    @inline(__always)
    subscript(_ word: String) -> Value? {
        guard let i = index.find(word) else { return nil }
        return values[i]
    }

    /// Whether `word` is in the table.
    @inline(__always)
    func contains(_ word: String) -> Bool { index.find(word) != nil }

    /// Every word in the table.
    var keys: [String] { index.keys }
}

/// The positions of distinct words (see `WordTable`): not generic, so lookups are direct calls.
struct WordIndex: Sendable {
    /// The slots: a word's position in `keys` plus one, or 0 for an empty slot.
    private let slots: [Int32]
    private let mask: Int
    /// The words.
    let keys: [String]
    /// The same positions, for words that are not ASCII.
    private let fallback: [String: Int]

    init(_ keys: [String]) {
        var capacity = 16
        while capacity < keys.count * 3 { capacity *= 2 }
        var slots = [Int32](repeating: 0, count: capacity)
        for (n, k) in keys.enumerated() {
            var s = Int(truncatingIfNeeded: WordIndex.hash(k).hash) & (capacity - 1)
            while slots[s] != 0 { s = (s + 1) & (capacity - 1) }
            slots[s] = Int32(n + 1)
        }
        self.slots = slots
        mask = capacity - 1
        self.keys = keys
        fallback = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($0.element, $0.offset) })
    }

    /// FNV-1a of the bytes, and whether they are all ASCII.
    @inline(__always)
    static func hash(_ s: String) -> (hash: UInt64, ascii: Bool) {
        // Over a buffer (small strings are copied to the stack): iterating `utf8` itself is slower.
        if let r = s.utf8.withContiguousStorageIfAvailable({ hash(bytes: $0) }) { return r }
        return hash(bytes: Array(s.utf8))
    }

    /// FNV-1a of `bytes`, and whether they are all ASCII.
    @inline(__always)
    static func hash<C: Collection>(bytes: C) -> (hash: UInt64, ascii: Bool) where C.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var all: UInt8 = 0
        for b in bytes {
            all |= b
            h = (h ^ UInt64(b)) &* 0x100_0000_01b3
        }
        return (h ^ (h >> 29), all < 128)
    }

    /// The position of `word`, if it is in the table.
    func find(_ word: String) -> Int? {
        let (h, ascii) = WordIndex.hash(word)
        guard ascii else { return fallback[word] }
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let n = Int(slots[s])
            if n == 0 { return nil }
            if keys[n - 1] == word { return n - 1 }
            s = (s + 1) & mask
        }
    }
}

extension WordTable: ExpressibleByDictionaryLiteral {
    init(dictionaryLiteral elements: (String, Value)...) { self.init(elements) }
}

extension WordTable: ExpressibleByArrayLiteral where Value == Bool {
    init(arrayLiteral elements: String...) { self.init(elements.map { ($0, true) }) }
}

/// A set of words (see `WordTable`).
typealias WordSet = WordTable<Bool>

extension WordTable where Value == Bool {
    /// A set of the words in `words`.
    init<S: Sequence>(words: S) where S.Element == String { self.init(words.map { ($0, true) }) }
}
