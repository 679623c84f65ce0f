/// Numbers written out in words, as speech-to-text and careful writers give them, in English,
/// Spanish and French: "twelve thousand four hundred", "two thousand one hundred and seventy",
/// "doce mil", "cuarenta y ocho mil", "mil quinientos", "deux mille", "quatre-vingt-dix", and the
/// spoken-price habit of saying a figure in pairs of digits ("twenty one fifty" = 2150,
/// "three twenty five" = 325, "fifty three twenty five" = 5325).
///
/// Tokens are folded lower-case words; a "-" token between number words is skipped
/// ("twenty-one", "dix-sept").
enum SpokenNumbers {
    /// What a number word contributes.
    enum Word: Equatable {
        /// 0–9 (and "a"/"un"/"une" before a multiplier).
        case unit(Int)
        /// 10–19 (and Spanish "veintiuno"… which act as a finished two-digit group).
        case teen(Int)
        /// 20, 30 … 90 (French "soixante"/"quatre-vingt" combine with what follows).
        case tens(Int)
        /// A finished hundreds group (Spanish "doscientos" = 200, "quinientos" = 500).
        case hundreds(Int)
        /// "hundred", "cien", "ciento", "cent", "cents".
        case hundred
        /// "thousand", "mil", "mille", "k".
        case thousand
        /// "million", "millón", "millones".
        case million
    }

    /// Number words of the three languages, folded (no accents).
    static let words: WordTable<Word> = {
        var w: [String: Word] = [:]
        let units = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
        for (i, s) in units.enumerated() { w[s] = .unit(i) }
        let teens = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
        for (i, s) in teens.enumerated() { w[s] = .teen(10 + i) }
        for (i, s) in ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"].enumerated() { w[s] = .tens(20 + 10 * i) }
        w["hundred"] = .hundred
        w["thousand"] = .thousand
        w["grand"] = .thousand
        w["million"] = .million
        // Spanish.
        for (i, s) in ["cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"].enumerated() { w[s] = .unit(i) }
        w["un"] = .unit(1)
        w["una"] = .unit(1)
        for (i, s) in ["diez", "once", "doce", "trece", "catorce", "quince", "dieciseis", "diecisiete", "dieciocho", "diecinueve"].enumerated() {
            w[s] = .teen(10 + i)
        }
        for (i, s) in ["veinte", "treinta", "cuarenta", "cincuenta", "sesenta", "setenta", "ochenta", "noventa"].enumerated() { w[s] = .tens(20 + 10 * i) }
        for (i, s) in ["veintiuno", "veintidos", "veintitres", "veinticuatro", "veinticinco", "veintiseis", "veintisiete", "veintiocho", "veintinueve"]
            .enumerated()
        {
            w[s] = .teen(21 + i)
        }
        w["veintiun"] = .teen(21)
        w["cien"] = .hundred
        w["ciento"] = .hundred
        for (v, s) in [
            (200, "doscientos"), (300, "trescientos"), (400, "cuatrocientos"), (500, "quinientos"), (600, "seiscientos"),
            (700, "setecientos"), (800, "ochocientos"), (900, "novecientos"),
        ] {
            w[s] = .hundreds(v)
            w[String(s.dropLast(2)) + "as"] = .hundreds(v)
        }
        w["mil"] = .thousand
        w["millon"] = .million
        w["millones"] = .million
        // French ("un" is shared with Spanish).
        for (i, s) in ["zero", "une", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"].enumerated() where i > 0 { w[s] = .unit(i) }
        for (i, s) in ["dix", "onze", "douze", "treize", "quatorze", "quinze", "seize"].enumerated() { w[s] = .teen(10 + i) }
        for (i, s) in ["vingt", "trente", "quarante", "cinquante", "soixante"].enumerated() { w[s] = .tens(20 + 10 * i) }
        w["vingts"] = .tens(20)
        w["cent"] = .hundred
        w["cents"] = .hundred
        w["mille"] = .thousand
        w["millions"] = .million
        return WordTable(w)
    }()

    /// Connectors allowed between number words ("one hundred and seventy", "cuarenta y ocho", "vingt et un").
    static let connectors: WordSet = ["and", "y", "et", "-"]
    /// French units that "cents" multiplies ("deux cents").
    static let centsMultipliers: WordSet = ["deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"]

    /// A number read from the tokens.
    struct Reading: Equatable {
        /// The value in whole units.
        var value: Int
        /// The token after the last one read.
        var end: Int
        /// Whether it was said in digit pairs ("twenty one fifty"), a way of saying prices and years.
        var pairs: Bool
        /// How many number words were read.
        var words: Int
    }

    /// The number written in words starting at `start`, if one starts there.
    static func read(_ t: [String], at start: Int) -> Reading? {
        guard start < t.count else { return nil }
        // "a thousand", "a hundred": "a" counts as one only before a multiplier.
        if t[start] == "a", start + 1 < t.count, let next = words[t[start + 1]], next == .hundred || next == .thousand {
            guard let r = read(t, at: start + 1) else { return nil }
            return Reading(value: r.value, end: r.end, pairs: r.pairs, words: r.words + 1)
        }
        guard words[t[start]] != nil else { return nil }
        var total = 0  // finished thousands and millions
        var group = 0  // the group below a thousand being built
        var last: Word?  // the previous number word
        var pairs = false
        var count = 0
        var i = start
        var end = start
        while i < t.count {
            var w = t[i]
            if connectors.contains(w), count > 0, i + 1 < t.count, words[t[i + 1]] != nil {
                i += 1
                w = t[i]
            }
            guard let word = words[w] else { break }
            // "cents" multiplies only in French ("deux cents"); "forty cents" is money.
            if w == "cents" && !centsMultipliers.contains(t[i - 1]) { break }
            switch word {
            case .unit(let v):
                switch last {
                case nil, .hundred?, .hundreds?, .thousand?, .million?: group += v
                case .tens? where group % 10 == 0:
                    group += v
                case .teen(10)? where group % 100 == 70 || group % 100 == 90:
                    // "soixante-dix-sept" = 77, "quatre-vingt-dix-neuf" = 99.
                    group += v
                default:
                    return finish()
                }
            case .teen(let v):
                switch last {
                case nil, .hundred?, .hundreds?, .thousand?, .million?: group += v
                case .tens(let tv)? where v < 20 && (tv == 60 || (tv == 20 && group % 100 == 80)):
                    // "soixante-dix" = 70, "quatre-vingt-douze" = 92.
                    group += v
                case .unit?, .teen?, .tens?:
                    // A second two-digit group: the first said the hundreds ("seventeen fifty").
                    guard group > 0, group < 100, !(last == .unit(0)) else { return finish() }
                    group = group * 100 + v
                    pairs = true
                }
            case .tens(let v):
                switch last {
                case nil, .hundred?, .hundreds?, .thousand?, .million?: group += v
                case .unit(4)? where v == 20 && group % 100 == 4 && w.hasPrefix("vingt"):
                    // "quatre-vingt(s)" = 80.
                    group += 76
                case .unit?, .teen?, .tens?:
                    guard group > 0, group < 100 else { return finish() }
                    group = group * 100 + v
                    pairs = true
                }
            case .hundreds(let v):
                switch last {
                case nil, .thousand?, .million?: group += v
                default: return finish()
                }
            case .hundred:
                if case .hundred? = last { return finish() }
                if case .hundreds? = last { return finish() }
                group = (group == 0 ? 1 : group) * 100
            case .thousand:
                if case .thousand? = last { return finish() }
                total += (group == 0 ? 1 : group) * 1000
                group = 0
            case .million:
                total = (total + (group == 0 ? 1 : group)) * 1_000_000
                group = 0
            }
            last = word
            count += 1
            i += 1
            end = i
        }
        return finish()

        func finish() -> Reading? {
            count == 0 ? nil : Reading(value: total + group, end: end, pairs: pairs, words: count)
        }
    }

    /// Ordinal day words ("first" … "thirty first", "primero", "premier").
    static let ordinals: WordTable<Int> = {
        var o: [String: Int] = [:]
        let names = [
            "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth",
            "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth",
        ]
        for (i, s) in names.enumerated() { o[s] = i + 1 }
        o["thirtieth"] = 30
        o["primero"] = 1
        o["premier"] = 1
        o["1er"] = 1
        return WordTable(o)
    }()

    /// A day of the month said as a word ordinal ("fifth", "twenty third", "twenty-first",
    /// "thirty first"), with the token after it.
    static func ordinalDay(_ t: [String], at i: Int) -> (day: Int, end: Int)? {
        guard i < t.count else { return nil }
        if let d = ordinals[t[i]] { return (d, i + 1) }
        if t[i] == "twenty" || t[i] == "thirty" {
            var k = i + 1
            if k < t.count, t[k] == "-" { k += 1 }
            if k < t.count, let u = ordinals[t[k]], u <= 9 {
                let d = (t[i] == "twenty" ? 20 : 30) + u
                return d <= 31 ? (d, k + 1) : nil
            }
        }
        return nil
    }

    /// A day of the month said as a cardinal in words ("quince", "twenty three", "trente et un"), 1–31.
    static func cardinalDay(_ t: [String], at i: Int) -> (day: Int, end: Int)? {
        guard let r = read(t, at: i), !r.pairs, (1...31).contains(r.value) else { return nil }
        return (r.value, r.end)
    }
}
