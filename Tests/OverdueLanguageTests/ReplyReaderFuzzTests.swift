import Foundation
import OverdueCore
@testable import OverdueLanguage
import Testing

/// Issue 20's fuzzing requirement for the reply reader: 10,000 generated replies on random channels
/// and reference days. The inputs include very long ones (up to about 20 KB), repeated tokens, random
/// Unicode (RTL, combining marks, emoji, zero-width characters), digit soups, dates and amounts in many
/// forms, quoted reply chains, and English, Spanish and French mixed. Each reply must be read without a
/// crash and in under a second. Each analysis must keep the reader's promises: a confidence within
/// 0...1 that is the chosen intent's probability; promise, return and callback dates on or after the
/// reference day (and real dates); amounts as positive decimals with two digits; currencies that are
/// ISO codes; entities only for the intents that carry them; and the same analysis when the same reply
/// is read twice. Carrier keywords written in any case, with or without spaces and punctuation, still
/// opt out on SMS.
@Suite struct ReplyReaderFuzzTests {
    /// The corpus seed. Input `i` is generated from `seed + i`, so any failure can be rerun on its own.
    static let seed: UInt64 = 20_260_422
    /// The latest date a reply can name: `LocalDate` has four-digit years.
    static let latest = LocalDate(year: 9999, month: 12, day: 31)!
    static let disputeReasons: Set<String> = ["duplicate", "not_delivered", "damage_shortage", "accessorial", "rate", "amount_incorrect", "other"]
    static let optOutChannels: Set<String> = ["email", "sms", "voice", "all"]

    @Test func tenThousandHostileRepliesAreReadSafelyAndQuickly() {
        let earliest = LocalDate(year: 2000, month: 1, day: 1)!.dayNumber, last = LocalDate(year: 2100, month: 12, day: 31)!.dayNumber
        var intents: Set<Intent> = []
        var promiseDates = 0, amounts = 0, references = 0, longest = 0
        for index in 0..<10_000 {
            let seed = Self.seed &+ UInt64(index)
            var generator = HostileReply(seed: seed, large: index % 40 == 39)
            // Every 50th reply is a carrier keyword on SMS; the rest are hostile text on any channel.
            var keyword: (text: String, expected: String)?
            let text: String, channel: Channel
            if index % 50 == 0 {
                let typed = generator.keyword()
                keyword = typed
                text = typed.text
                channel = .sms
            } else {
                text = generator.text()
                channel = generator.pick(Channel.allCases)
            }
            let reference = LocalDate(dayNumber: generator.int(earliest...last))
            longest = max(longest, text.utf8.count)

            let started = threadCPUTime()
            let a = ReplyReader.read(text, channel: channel, reference: reference)
            let understanding = a.understanding(currency: .usd)
            let elapsed = threadCPUTime() - started
            _ = understanding

            let context = "seed \(seed) (input \(index), \(text.utf8.count) bytes, \(channel.rawValue), reference \(reference))"
            if elapsed > .seconds(1) { Issue.record("\(context): reading took \(elapsed), over the 1 s limit of CPU time") }
            for failure in Self.violations(a, reference: reference, channel: channel) { Issue.record("\(context): \(failure)") }
            if ReplyReader.isCarrierKeyword(text, channel: channel) != (a.keyword != nil) {
                Issue.record("\(context): isCarrierKeyword disagrees with the keyword read (\(a.keyword ?? "none"))")
            }
            if let keyword, a.intent != .optOut || a.confidence != 1 || a.keyword != keyword.expected {
                Issue.record("\(context): \(keyword.text.debugDescription) on SMS read as \(a.intent) (\(a.confidence)), keyword \(a.keyword ?? "none")")
            }
            if index % 10 == 0, ReplyReader.read(text, channel: channel, reference: reference) != a {
                Issue.record("\(context): the same reply read twice gave two analyses")
            }
            intents.insert(a.intent)
            if a.promiseDate != nil { promiseDates += 1 }
            if a.amount != nil { amounts += 1 }
            if !a.invoiceRefs.isEmpty { references += 1 }
        }
        // The corpus reaches what it is meant to reach: several intents, promise dates, amounts,
        // references, long replies.
        #expect(intents.count >= 5, "intents seen: \(intents.map(\.rawValue).sorted())")
        #expect(promiseDates > 0 && amounts > 0 && references > 0, "\(promiseDates) promise dates, \(amounts) amounts, \(references) references")
        #expect(longest > 15_000, "the longest reply has only \(longest) bytes")
    }

    /// What an analysis gets wrong, in words: the promises `ReplyReader.read` keeps.
    private static func violations(_ a: ReplyAnalysis, reference: LocalDate, channel: Channel) -> [String] {
        var out: [String] = []
        if !(a.confidence >= 0 && a.confidence <= 1) { out.append("confidence \(a.confidence) outside 0...1") }
        if !a.intentProbabilities.isEmpty {
            let sum = a.intentProbabilities.values.reduce(0, +)
            if !(abs(sum - 1) < 1e-6) { out.append("intent probabilities sum to \(sum)") }
            if a.intentProbabilities.values.contains(where: { !($0 >= 0 && $0 <= 1) }) { out.append("an intent probability outside 0...1") }
            if a.intentProbabilities[a.intent] != a.confidence { out.append("the confidence is not the probability of \(a.intent)") }
            if let top = a.intentProbabilities.values.max(), top > a.confidence { out.append("\(a.intent) is not the most probable intent") }
        }
        if a.intent == .abusive && a.sentiment != .negative { out.append("an abusive reply that is not negative") }
        let dated: [(String, LocalDate?, Set<Intent>)] = [
            ("promise", a.promiseDate, [.promiseToPay, .paymentPlan]), ("return", a.returnDate, [.autoReply]),
            ("callback", a.callbackDate, [.callbackRequest]),
        ]
        for (name, date, intents) in dated {
            guard let date else { continue }
            if date < reference || date > latest { out.append("\(name) date \(date) outside \(reference)...\(latest)") }
            if LocalDate(year: date.year, month: date.month, day: date.day) != date { out.append("\(name) date \(date) is no calendar day") }
            if !intents.contains(a.intent) { out.append("a \(name) date on a \(a.intent) reply") }
        }
        if let minute = a.callbackMinute, !(0..<1_440).contains(minute) || a.intent != .callbackRequest {
            out.append("callback minute \(minute) on a \(a.intent) reply")
        }
        if let amount = a.amount {
            let parts = amount.split(separator: ".", omittingEmptySubsequences: false)
            let digits = parts.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }
            if parts.count != 2 || !digits || parts[1].utf8.count != 2 || amount.utf8.allSatisfy({ $0 == 48 || $0 == 46 }) {
                out.append("amount \(amount.debugDescription) is not a positive decimal with two digits")
            }
            if !Entities.amountIntents.contains(a.intent) { out.append("an amount on a \(a.intent) reply") }
        }
        if let currency = a.currency, Currency(currency) == nil || a.amount == nil {
            out.append("currency \(currency.debugDescription) without a valid amount")
        }
        for ref in a.invoiceRefs
        where ref.utf8.count < 4 || !ref.utf8.contains(where: { $0 >= 48 && $0 <= 57 }) || ref.utf8.contains(32) || ref.utf8.contains(10) {
            out.append("invoice reference \(ref.debugDescription) is not an identifier")
        }
        if Set(a.invoiceRefs).count != a.invoiceRefs.count { out.append("invoice references repeat: \(a.invoiceRefs)") }
        if (a.disputeReason != nil) != (a.intent == .dispute) || a.disputeReason.map({ !disputeReasons.contains($0) }) == true {
            out.append("dispute reason \(a.disputeReason ?? "none") on a \(a.intent) reply")
        }
        if let document = a.document, a.intent != .documentRequest || !Entities.documents.contains(where: { $0.1 == document }) {
            out.append("document \(document) on a \(a.intent) reply")
        }
        if (a.optOutChannel != nil) != (a.intent == .optOut) || a.optOutChannel.map({ !optOutChannels.contains($0) }) == true {
            out.append("opt-out channel \(a.optOutChannel ?? "none") on a \(a.intent) reply")
        }
        if a.keyword != nil && channel != .sms { out.append("a carrier keyword on \(channel.rawValue)") }
        if let redirect = a.redirect, redirect.isEmpty || !Entities.redirectIntents.contains(a.intent) {
            out.append("redirect \(redirect.debugDescription) on a \(a.intent) reply")
        }
        return out
    }
}

/// Makes one hostile reply from a seed.
private struct HostileReply: SeededDrawing {
    var rng: SeededGenerator
    /// Whether this is one of the long replies (2 to 20 KB).
    let large: Bool

    init(seed: UInt64, large: Bool) {
        rng = SeededGenerator(seed: seed)
        self.large = large
    }

    static let phrases = [
        "We will pay on Friday", "I'll send the check next week", "Paid yesterday, ref 123456", "we dispute this invoice, the load was never delivered",
        "please send the POD", "can you call me at 3pm", "I'm out of the office until March 16", "wrong contact, email ap2@shipper.example",
        "stop calling me", "STOP", "can we do $500 a month", "half now and the rest on the 1st", "Pagaremos el viernes", "ya pagamos la factura",
        "mándeme la prueba de entrega", "Nous paierons lundi", "le virement partira vendredi", "merci", "thanks", "who is this?", "f*** off you idiots",
        "Monday, no wait, Tuesday", "approved today, goes out Friday", "VP is back Monday to sign", "you'll have it Thursday", "every other Thursday",
        "$600 now and the rest on the 1st", "unsubscribe", "HELP", "AYUDA", "the rate con says $1.95/mile not $2.25", "we were billed twice for load 448812",
        "detention was not agreed", "send me a W9 and the BOL", "please remove me from your list", "llámame mañana a las 10", "rappelez-moi demain matin",
        "el pago sale el 15 de marzo", "le chèque partira le 2 avril", "payment of $2,150.00 goes out 3/19", "check #4471 mailed today for 1.250,00 €",
        "we can pay 500 every 2 weeks starting next Friday", "out of office, back on Monday, contact ap@shipper.example", "ok", "?", "...",
    ]
    static let words = [
        "pay", "paid", "will", "next", "week", "friday", "viernes", "vendredi", "mañana", "demain", "tomorrow", "invoice", "factura", "facture",
        "dispute", "pod", "bol", "wire", "ach", "check", "cheque", "$", "€", "usd", "cad", "pesos", "k", "mil", "mille", "thousand", "twenty",
        "one", "fifty", "doce", "deux", "the", "el", "le", "de", "of", "not", "no", "never", "wait", "actually", "every", "each", "call", "at",
        "back", "until", "hasta", "jusqu'au", "rate", "detention", "lumper", "stop", "email", "text", "all", "&", "#", "/", "-", ":", "=", "%",
    ]
    static let weekdays = ["Monday", "Friday", "fri", "viernes", "lunes", "vendredi", "lundi", "Tues", "thursday", "sábado", "Sun"]
    static let months = ["March", "Mar.", "mars", "marzo", "December", "dic", "août", "Sept", "january", "feb", "mayo", "juillet"]
    static let unicode = [
        "مرحبا سندفع يوم الجمعة", "שלום, נשלם ביום שישי", "\u{202E}yap lliw ew\u{202C}", "e\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}",
        "Z\u{0337}\u{0327}a\u{0336}l\u{0338}g\u{0334}o",
        "👨‍👩‍👧‍👦", "🇺🇸🇲🇽🇨🇦", "\u{200B}\u{200C}\u{200D}\u{FEFF}", "\u{0}", "\u{FFFD}", "１２３４", "٣/١٩", "Ⅻ", "①②③", "ß", "İstanbul", "ﬁnance",
        "\u{1F4A9}", "\u{E000}", "\u{10FFFF}", "〇", "\u{2028}", "\u{85}", "\u{000B}\u{000C}", "💵💵💵", "👍🏽", "\u{0660}\u{0661}\u{0662}", "$\u{0301}5",
    ]
    static let repeatable = [
        "pay ", "$", "1/", "next ", "> ", "\n", "friday ", "9", "1,", "INV-1 ", "stop ", "pay 4500 ", "on the 3rd ", "=?", "😀", "\u{0301}", "a\u{0301}",
        "-- ", "wrote:\n", "mañana ", "15 de marzo ", "$1,250.00 ", "twenty ", "k", "thousand ", "no wait ", "\u{200B}", "((", "every other ", "de ",
    ]
    static let quoteHeaders = [
        "On Mon, Mar 9, 2026 at 9:02 AM Acme Billing <ar@acme.example> wrote:",
        "-----Original Message-----\nFrom: Bank Notices <notices@bank.example>\nSent: Friday, March 6, 2026 4:11 PM\nAmount: $2,000.00  Invoice: ZX-4410",
        "Le lun. 9 mars 2026 à 09:02, Acme <ar@acme.example> a écrit :", "El lun, 9 mar 2026 a las 9:02, Acme (<cobranza@acme.example>) escribió:",
        "From: ar@acme.example\nSent: Monday\nTo: ap@shipper.example\nSubject: RE: Invoice 2041", "________________________________\nFrom: Acme",
        "wrote:", "> ", "Begin forwarded message:", "On", "-----Original Message-----",
    ]
    static let signatures = [
        "Sent from my iPhone", "--\nAnn Lee | Payables\nShipper Inc.\n(312) 555-0101", "Best regards,\nAnn", "Saludos,\nJosé",
        "CONFIDENTIALITY NOTICE: This e-mail and any attachments are for the sole use of the intended recipient.", "Cordialement,\nMarie",
    ]
    static let contacts = [
        "ap2@shipper.example", "call 312-555-0101", "(312) 555-0199 ext 4", "+52 55 1234 5678", "a@b", "@@@", "ap@shipper..example",
        "mailto:ap@x.example", "ap@shipper.example.", "+1 (312) 555-0101 x12", "555 5555 5555 5555 5555",
    ]
    static let amountForms = [
        "$1,250.00", "1.250,00 €", "12 480,00 $", "$2150", "2k", "$3.5k", "USD 1,200", "1 200 $ CAD", "5 mil", "doce mil pesos", "deux mille",
        "twenty one fifty", "999999999999999999999", "$99999999999999999999.99", "1e308", "-$500", "$0.00", "$.", "$,", "0k", "9999999k", "$1.95/mile",
        "£12", "€ 40", "nineteen thousand two hundred six dollars and forty cents", "one point five k", "a thousand thousand thousand thousand dollars",
        "nine hundred ninety nine million billion trillion", "$1,2,3,4", "1.2.3.4", "$ 1 000 000 000 000", "C$500", "MX$ 1,000", "500 a week",
    ]
    static let joints = [" ", " ", " ", "\n", "\n\n", ", ", ". ", "\r\n", "\t", "", " -- ", "; ", "!\n"]
    static let digitChars: [Character] = Array("0123456789")
    static let soupChars: [Character] = Array("0123456789,./-: $#k")
    static let scalarRanges: [ClosedRange<Int>] = [
        0x20...0x7E, 0xA0...0x24F, 0x300...0x36F, 0x590...0x6FF, 0x200B...0x202E, 0x3040...0x30FF, 0x1F300...0x1FAFF, 0xFE00...0xFE0F, 0x0...0x1F,
    ]

    /// The reply: segments joined until the target length.
    mutating func text() -> String {
        let target = large ? int(2_000...20_000) : int(0...300)
        var out = ""
        while out.utf8.count < target {
            out += segment(room: target - out.utf8.count)
            out += pick(Self.joints)
        }
        return out
    }

    mutating func segment(room: Int) -> String {
        switch int(0...19) {
        case 0...4: return pick(Self.phrases)
        case 5, 6: return date()
        case 7: return amount()
        case 8: return soup()
        case 9: return pick(Self.unicode)
        case 10: return scalars(int(1...30))
        case 11: return quotedChain()
        case 12: return repeated(room: room)
        case 13: return reference()
        case 14: return pick(Self.contacts)
        case 15: return pick(Self.signatures)
        default:
            var words: [String] = []
            for _ in 0..<int(1...8) { words.append(pick(Self.words)) }
            return words.joined(separator: " ")
        }
    }

    /// A date in one of many forms, valid or not.
    mutating func date() -> String {
        let y = int(1990...2100), m = int(0...13), d = int(0...32), n = int(0...500), hour = int(0...25)
        let weekday = pick(Self.weekdays), other = pick(Self.weekdays), month = pick(Self.months)
        let mm = m < 10 ? "0\(m)" : "\(m)", dd = d < 10 ? "0\(d)" : "\(d)"
        let forms = [
            "\(m)/\(d)", "\(m)/\(d)/\(y)", "\(d)/\(m)/\(y)", "\(y)-\(mm)-\(dd)", "\(dd).\(mm).\(y)", "\(m)-\(d)", "\(m)/\(d)/\(y % 100)", "\(month) \(d)",
            "\(d) \(month)", "\(d) de \(month) de \(y)", "the \(d)th", "el \(d)", "le \(d)", "in \(n) days", "in \(n) weeks", "in \(n) business days",
            "within \(n) business days", "\(n) days from now", "a week from \(weekday)", "next \(weekday)", "this coming \(weekday)", weekday,
            "\(weekday), no wait, \(other)", "every other \(weekday)", "by \(weekday) at \(hour)pm", "tomorrow", "tmrw", "pasado mañana", "après-demain",
            "end of month", "EOM", "EOW", "fin de mes", "fin du mois prochain", "mid-month", "quincena", "9999-12-31", "0000-00-00", "12/31/9999",
            "2/29/2025", "2/29/2024", "march twenty third", "\(d) December \(y)", "viernes 13 de marzo", "the 1st of next month", "15 de este mes",
            "\(weekday) \(d)th \(month)", "today", "now", "ahorita", "\(n) weeks from today", "end of next month", "\(hour):\(mm)", "\(hour)h\(dd)",
        ]
        return pick(forms)
    }

    mutating func amount() -> String {
        var digits = ""
        for _ in 0..<int(1...24) { digits.append(pick(Self.digitChars)) }
        let cents = int(0...999)
        let forms = [
            "$\(digits)", "\(digits),00 €", "USD \(digits)", "\(digits) $ CAD", "\(digits)k", "$\(digits).\(cents)", "pay \(digits)", "total \(digits)",
        ]
        return chance(0.5) ? pick(forms) : pick(Self.amountForms)
    }

    mutating func soup() -> String {
        var s = ""
        for _ in 0..<int(1...60) { s.append(pick(Self.soupChars)) }
        return s
    }

    /// Random scalars from scripts, marks, emoji, zero-width and control ranges.
    mutating func scalars(_ n: Int) -> String {
        var view = String.UnicodeScalarView()
        for _ in 0..<n {
            let range = pick(Self.scalarRanges)
            if let scalar = Unicode.Scalar(UInt32(int(range))) { view.append(scalar) }
        }
        return String(view)
    }

    /// A header of quoted history followed by lines quoted ever deeper.
    mutating func quotedChain() -> String {
        var lines = [pick(Self.quoteHeaders)]
        for level in 1...int(1...(large ? 60 : 6)) {
            let phrase = pick(Self.phrases)
            lines.append(String(repeating: ">", count: level) + " " + phrase)
        }
        return lines.joined(separator: "\n")
    }

    /// One token many times over (bounded by the room left).
    mutating func repeated(room: Int) -> String {
        let token = pick(Self.repeatable)
        let most = max(1, min(large ? 3_000 : 60, room / max(1, token.utf8.count)))
        return String(repeating: token, count: int(1...most))
    }

    mutating func reference() -> String {
        let forms = [
            "INV-\(int(0...99_999))", "PRO \(int(0...9_999_999))", "#\(int(0...999))-\(int(0...9_999))", "BOL\(int(0...99_999))", "load 448812", "PO# 5521",
            "invoices 2041, 2042 and 2043", "555-0101", "INV-\(String(repeating: "9", count: int(1...40)))", "ZX-4410", "ref 123456",
            "factura A-\(int(0...999))",
        ]
        return pick(forms)
    }

    /// A carrier stop keyword as people type it, and the keyword the reader must find.
    mutating func keyword() -> (text: String, expected: String) {
        let keyword = pick(ReplyReader.stopKeywords.sorted())
        var typed = ""
        for ch in keyword { typed += chance(0.5) ? ch.lowercased() : String(ch) }
        let before = pick(["", " ", "\n"]), after = pick(["", ".", "!", " ", ". ", "!\n"])
        return (before + typed + after, keyword)
    }
}

/// CPU time this thread has used: the per-input limit is on the work itself, not on how busy the
/// machine is with other tests.
private func threadCPUTime() -> Duration {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return .seconds(ts.tv_sec) + .nanoseconds(ts.tv_nsec)
}
