import OverdueCore
@testable import OverdueLanguage
import Testing

/// The first date the grammar finds in `text`, resolved against `ref`.
func firstDate(_ text: String, _ ref: LocalDate) -> DateExpressions.Found? {
    DateExpressions.find(tokens: DateExpressions.tokens(text.unicodeScalars), reference: ref).first
}

/// Tuesday 10 March 2026, the dev set's reference day.
let grammarRef = LocalDate(year: 2026, month: 3, day: 10)!

@Suite struct DateGrammarTests {
    @Test(arguments: [
        // Weekdays and their modifiers.
        ("friday", "2026-03-13"), ("fri", "2026-03-13"), ("tuesday", "2026-03-17"), ("this friday", "2026-03-13"),
        ("next tuesday", "2026-03-17"), ("next friday", "2026-03-20"), ("viernes", "2026-03-13"), ("el próximo viernes", "2026-03-20"),
        ("viernes de la semana que entra", "2026-03-20"), ("vendredi", "2026-03-13"), ("vendredi prochain", "2026-03-20"),
        ("jeudi prochain", "2026-03-19"), ("a week from friday", "2026-03-20"), ("friday next week", "2026-03-20"),
        // A weekday with its day of the month: the nearest such day that is that weekday.
        ("friday the 27th", "2026-03-27"), ("friday the thirteenth", "2026-03-13"), ("thursday the 2nd", "2026-04-02"),
        ("monday the 2nd", "2026-03-02"), ("el viernes 27", "2026-03-27"),
        // Relative days.
        ("today", "2026-03-10"), ("tonight", "2026-03-10"), ("tmrw", "2026-03-11"), ("tomorrow", "2026-03-11"), ("mañana", "2026-03-11"),
        ("demain", "2026-03-11"), ("day after tomorrow", "2026-03-12"), ("pasado mañana", "2026-03-12"), ("après-demain", "2026-03-12"),
        ("in 10 days", "2026-03-20"), ("in two weeks", "2026-03-24"), ("en 5 días", "2026-03-15"), ("dans deux semaines", "2026-03-24"),
        ("in 3 business days", "2026-03-13"),
        // Days of the month.
        ("the 20th", "2026-03-20"), ("on the 15th", "2026-03-15"), ("the fifteenth", "2026-03-15"), ("the twenty third", "2026-03-23"),
        ("the 5th", "2026-04-05"), ("el 15", "2026-03-15"), ("le 30", "2026-03-30"), ("15 de este mes", "2026-03-15"),
        ("the 1st of next month", "2026-04-01"), ("el 1 del próximo mes", "2026-04-01"),
        // Period ends.
        ("end of the month", "2026-03-31"), ("EOM", "2026-03-31"), ("fin de mes", "2026-03-31"), ("fin du mois", "2026-03-31"),
        ("end of next month", "2026-04-30"), ("EOW", "2026-03-13"), ("end of the week", "2026-03-13"), ("quincena", "2026-03-15"),
        ("mid-month", "2026-03-15"), ("first of the month", "2026-04-01"), ("end of April", "2026-04-30"),
        // Month names.
        ("March 16", "2026-03-16"), ("Mar. 9th", "2026-03-09"), ("march twenty third", "2026-03-23"), ("16 mars", "2026-03-16"),
        ("13 de marzo", "2026-03-13"), ("viernes 13 de marzo", "2026-03-13"), ("lundi 2 mars", "2026-03-02"),
        ("Wednesday 30th September", "2026-09-30"), ("15 December 2026", "2026-12-15"), ("the fifth of june", "2026-06-05"),
        ("2 de septiembre de 2026", "2026-09-02"), ("May 26, 2026", "2026-05-26"), ("january fourth", "2026-01-04"),
        // Numeric dates.
        ("3/19", "2026-03-19"), ("03/19/2026", "2026-03-19"), ("19/03/2026", "2026-03-19"), ("2026-03-19", "2026-03-19"),
        ("19.03.2026", "2026-03-19"), ("3-19", "2026-03-19"), ("regreso el 8/9", "2026-09-08"), ("back 9/8", "2026-09-08"),
    ])
    func formsResolveAgainstTheReference(text: String, iso: String) {
        #expect(firstDate(text, grammarRef)?.date?.description == iso, "\(text)")
    }

    @Test(arguments: [
        "this week", "next week", "next week's ACH run", "next check run", "la semana que entra", "la semaine prochaine",
        "esta semana", "within 5 business days", "in a few days",
    ])
    func framesAreFoundWithoutADay(text: String) {
        let f = firstDate(text, grammarRef)
        #expect(f != nil, "\(text)")
        #expect(f?.date == nil, "\(text)")
        #expect(f?.kind == .frame, "\(text)")
    }

    @Test(arguments: [
        "monday through friday", "de lunes a viernes", "Happy Friday!!", "feliz viernes", "bon lundi à tous", "5-7 business days", "open 24/7", "two pallets",
        "the 2 loads",
    ])
    func thingsThatAreNotDays(text: String) {
        #expect(firstDate(text, grammarRef)?.date == nil, "\(text)")
    }

    /// Random reference days; each generated phrase parses back to the day it was made from.
    @Test func generatedPhrasesParseBackToTheirDay() {
        var rng = SeededGenerator(seed: 20_260_310)
        let english = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
        let spanish = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]
        let french = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
        let monthsEN = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
        let monthsES = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"]
        let monthsFR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]
        for _ in 0..<400 {
            let ref = LocalDate(dayNumber: LocalDate(year: 2026, month: 1, day: 1)!.dayNumber + Int.random(in: 0..<1_500, using: &rng))
            // A weekday: the next one after the reference.
            let wd = Int.random(in: 1...7, using: &rng)
            let names = [english, spanish, french][Int.random(in: 0..<3, using: &rng)]
            let upcoming = ref.adding(days: (wd - ref.isoWeekday + 6) % 7 + 1)
            #expect(firstDate("pay on " + names[wd - 1], ref)?.date == upcoming, "\(names[wd - 1]) from \(ref)")
            // "next <weekday>": that weekday in the following week.
            let nextMonday = ref.adding(days: 8 - ref.isoWeekday)
            #expect(firstDate("next " + english[wd - 1], ref)?.date == nextMonday.adding(days: wd - 1))
            #expect(firstDate(french[wd - 1] + " prochain", ref)?.date == nextMonday.adding(days: wd - 1))
            // "in N days".
            let n = Int.random(in: 1...60, using: &rng)
            #expect(firstDate("in \(n) days", ref)?.date == ref.adding(days: n))
            // A day of the month ahead (this month or next).
            let target = ref.adding(days: Int.random(in: 0...27, using: &rng))
            #expect(firstDate("on the \(target.day)th", ref)?.date == target, "the \(target.day)th from \(ref)")
            // Month-name and numeric dates with a year.
            let m = target.month - 1
            #expect(firstDate("\(monthsEN[m]) \(target.day), \(target.year)", ref)?.date == target)
            #expect(firstDate("\(target.day) de \(monthsES[m]) de \(target.year)", ref)?.date == target)
            #expect(firstDate("le \(target.day) \(monthsFR[m]) \(target.year)", ref)?.date == target)
            #expect(firstDate("\(target.month)/\(target.day)/\(target.year)", ref)?.date == target)
            #expect(firstDate(target.description, ref)?.date == target)
            // Month-name and numeric dates without a year: the nearest occurrence.
            #expect(firstDate("\(monthsEN[m]) \(target.day)", ref)?.date == target)
            #expect(firstDate("\(target.month)/\(target.day)", ref)?.date == target)
        }
    }
}

@Suite struct PromiseDateSelectionTests {
    func promise(_ text: String, _ intent: Intent = .promiseToPay) -> (frame: Bool, date: LocalDate?) {
        let tokens = DateExpressions.tokens(text.unicodeScalars)
        return PromiseDate.choose(DateExpressions.find(tokens: tokens, reference: grammarRef), tokens: tokens, intent: intent, reference: grammarRef)
    }

    @Test func theDayTheyPayOrSendIsThePromise() {
        #expect(promise("We cut the check tomorrow, you'll have it Thursday").date?.description == "2026-03-11")
        #expect(promise("Check cut today, mailing it monday").date?.description == "2026-03-16")
        #expect(promise("Call me back tomorrow. We will wire it Friday.").date?.description == "2026-03-13")
        #expect(promise("Per your invoice dated 3/1 we will pay on the 20th").date?.description == "2026-03-20")
        #expect(promise("paying monday, no wait, tuesday").date?.description == "2026-03-17")
        #expect(promise("we can't pay today but it goes out friday").date?.description == "2026-03-13")
    }

    @Test func framesAndPlans() {
        let frame = promise("It will go out in next week's ACH run.")
        #expect(frame.frame && frame.date == nil)
        #expect(promise("can we do $500 now and the rest on the 30th", .paymentPlan).date?.description == "2026-03-10")
        #expect(promise("we can't do it right now, can we split it", .paymentPlan).frame == false)
        #expect(promise("half on the 30th and the rest in April", .paymentPlan).date?.description == "2026-03-30")
        #expect(promise("three hundred every friday", .paymentPlan).date?.description == "2026-03-13")
    }
}
