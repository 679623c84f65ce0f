import Foundation
import OverdueCore

/// What a reply says: its intent with a confidence, its tone, and the entities in the debtor's own
/// words (and in anything they forwarded as evidence — never in our quoted reminder).
public struct ReplyAnalysis: Hashable, Sendable {
    /// The dominant intent.
    public var intent: Intent
    /// How sure the reader is, in [0, 1].
    public var confidence: Double
    /// The tone.
    public var sentiment: Sentiment
    /// When the debtor will pay (promises; for payment plans, the first payment).
    public var promiseDate: LocalDate?
    /// Whether the reply names a time frame for paying at all ("next week" gives a frame but no date).
    public var promiseFrame = false
    /// The amount the reply is about, as a decimal string ("1250.00").
    public var amount: String?
    /// ISO 4217 code, only when written as a code or a currency name.
    public var currency: String?
    /// Invoice, load, PRO, BOL and PO numbers as written.
    public var invoiceRefs: [String] = []
    /// Why the debtor disputes.
    public var disputeReason: String?
    /// The document asked for.
    public var document: String?
    /// The email or phone of the right contact, when given.
    public var redirect: String?
    /// When an absent contact is back (auto-replies).
    public var returnDate: LocalDate?
    /// The channel an opt-out is about (`email|sms|voice|all`).
    public var optOutChannel: String?
    /// The SMS keyword matched, when the reply was a carrier keyword (STOP, START, HELP…).
    public var keyword: String?
    /// A time of day named for a callback, in minutes after midnight.
    public var callbackMinute: Int?
    /// The day named for a callback.
    public var callbackDate: LocalDate?

    /// The analysis as the decider reads it; amounts without a named currency are in `currency`.
    public func understanding(currency: Currency) -> Understanding {
        let cur = self.currency.flatMap { Currency($0) } ?? currency
        let money = amount.flatMap { try? Money.parse($0, currency: cur) }
        let channel: Channel? = optOutChannel.flatMap { Channel(rawValue: $0) }
        return Understanding(intent: intent, confidence: confidence, sentiment: sentiment, promiseDate: promiseDate ?? callbackDate, amount: money,
                             invoiceRefs: invoiceRefs, disputeReason: disputeReason.flatMap(DisputeReason.init(rawValue:)),
                             document: document.flatMap(DocumentKind.init(rawValue:)), redirect: redirect, returnDate: returnDate,
                             optOutChannel: channel, optOutAll: optOutChannel == "all", keyword: keyword, callbackMinute: callbackMinute)
    }
}

/// Reads debtors' replies. Pure and deterministic: the same text, channel and reference date always
/// give the same analysis.
public enum ReplyReader {
    /// Carrier opt-out keywords (exact match on SMS).
    public static let stopKeywords: Set<String> = ["STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "END", "QUIT", "CANCEL", "REVOKE", "OPTOUT", "OPT OUT", "ALTO", "PARAR"]
    /// Carrier opt-in keywords.
    public static let startKeywords: Set<String> = ["START", "UNSTOP", "YES", "SUBSCRIBE"]
    /// Carrier help keywords.
    public static let helpKeywords: Set<String> = ["HELP", "INFO", "AYUDA"]

    /// Understands `text` received on `channel`; relative dates are resolved against `reference`
    /// (the day the reply arrived, in the tenant's zone).
    public static func read(_ text: String, channel: Channel, reference: LocalDate) -> ReplyAnalysis {
        let parts = ReplyCleaner.split(text)
        let own = parts.own
        if channel == .sms, let keyword = smsKeyword(own) {
            if stopKeywords.contains(keyword) {
                return ReplyAnalysis(intent: .optOut, confidence: 1, sentiment: .neutral, optOutChannel: keyword.contains("ALL") ? "all" : "sms", keyword: keyword)
            }
            if helpKeywords.contains(keyword) { return ReplyAnalysis(intent: .question, confidence: 1, sentiment: .neutral, keyword: keyword) }
            if keyword != "YES" { return ReplyAnalysis(intent: .other, confidence: 1, sentiment: .neutral, keyword: keyword) }
        }
        let t = NormalizedText(own)
        let dates = DateExpressions.find(tokens: t.dateTokens, reference: reference)
        var (intent, confidence) = classify(t, channel: channel, hasDates: !dates.isEmpty)
        var a = ReplyAnalysis(intent: intent, confidence: confidence, sentiment: sentiment(t, intent: intent))
        let evidence = parts.evidence.isEmpty ? own : own + "\n" + parts.evidence
        Entities.extract(into: &a, own: t, ownText: own, evidence: evidence, channel: channel, reference: reference, dates: dates)
        // A promise with neither a date nor a time frame is only a promise when it commits plainly.
        if a.intent == .promiseToPay && a.promiseDate == nil && !a.promiseFrame && confidence < 0.5 {
            intent = .acknowledge
            confidence = 0.4
            a.intent = intent
            a.confidence = confidence
        }
        return a
    }

    static let keywordTrim = CharacterSet.whitespacesAndNewlines.union(.punctuationCharacters)

    /// The carrier keyword an SMS consists of, upper-cased, if it is one.
    static func smsKeyword(_ text: String) -> String? {
        // Keywords are short: anything longer is a sentence.
        guard text.utf8.count <= 16 else { return nil }
        let k = text.trimmingCharacters(in: keywordTrim).uppercased()
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return stopKeywords.contains(k) || startKeywords.contains(k) || helpKeywords.contains(k) ? k : nil
    }

    static func score(_ t: NormalizedText, _ table: [(NormalizedText.Needle, Double)]) -> Double {
        var total = 0.0
        for (needle, weight) in table where t.has(needle) { total += weight }
        return total
    }

    /// The intent with a confidence: cue scores per intent, then the rules that settle the known
    /// conflicts (insults beat everything; "send the POD before we pay" is a document request; a
    /// direct question is not an auto-reply).
    static func classify(_ t: NormalizedText, channel: Channel, hasDates: Bool) -> (Intent, Double) {
        if t.wordCount == 0 { return (.other, 0.9) }
        let isQuestion = t.raw("?")
        var s: [Intent: Double] = [:]
        s[.abusive] = score(t, Cues.Compiled.abusive) + (t.raw("🤬") ? 4 : 0)
        s[.autoReply] = score(t, Cues.Compiled.autoReply) - (isQuestion ? 2.5 : 0)
        s[.optOut] = score(t, Cues.Compiled.optOut)
        s[.wrongContact] = score(t, Cues.Compiled.wrongContact)
        s[.callbackRequest] = score(t, Cues.Compiled.callback)
        s[.paymentPlan] = score(t, Cues.Compiled.plan)
        s[.dispute] = score(t, Cues.Compiled.dispute)
        s[.paid] = score(t, Cues.Compiled.paid)
        s[.promiseToPay] = score(t, Cues.Compiled.promise)
        s[.acknowledge] = score(t, Cues.Compiled.acknowledge)
        var q = score(t, Cues.Compiled.question)
        // A question mark makes a question of a reply about money, not of one about a pickup or a job.
        if isQuestion && (q > 0 || Cues.Compiled.financeTopic.contains { t.has($0) }) { q += 1.5 }
        s[.question] = q
        // "Paid 3/9." — a reply that opens with the fact.
        if t.startsWith(word: "paid") && !isQuestion { s[.paid]! += 3 }
        // A document named together with a request for it.
        let names = Cues.Compiled.documentNouns.contains { t.has($0) }
        let ask = score(t, Cues.Compiled.document)
        s[.documentRequest] = names ? ask + (isQuestion || ask > 0 ? 1.5 : 0) : 0
        // Paying in the future needs a when; a day or frame makes a promise firmer.
        if s[.promiseToPay]! > 0 && hasDates { s[.promiseToPay]! += 1.5 }
        // Contact elsewhere named: an address or number given instead.
        if t.raw("@") || t.has("555") { s[.wrongContact]! += s[.wrongContact]! > 0 ? 1 : 0 }
        // A few words ending in "?" ("paid?", "W9?") ask about that thing.
        if isQuestion && t.wordCount <= 3 {
            if names { return (.documentRequest, 0.7) }
            if s[.paid]! > 0 { return (.question, 0.7) }
        }
        if s[.abusive]! >= 4 || (s[.abusive]! >= 3 && s.values.filter { $0 >= 3 }.count <= 2) { return (.abusive, confidence(s, .abusive)) }
        let ranked = s.sorted { $0.value != $1.value ? $0.value > $1.value : order($0.key) < order($1.key) }
        guard let best = ranked.first, best.value >= 1.5 else {
            // Nothing recognisable: a short acknowledgement, or something else.
            if (t.wordCount <= 3 && s[.acknowledge]! > 0) || t.raw("👍") { return (.acknowledge, 0.6) }
            if isQuestion && Cues.Compiled.financeTopic.contains(where: { t.has($0) }) { return (.question, 0.45) }
            return (.other, 0.55)
        }
        return (best.key, confidence(s, best.key))
    }

    /// Ties go to the intent that needs the more careful handling.
    static func order(_ i: Intent) -> Int { Intent.allCases.firstIndex(of: i)! }

    static func confidence(_ s: [Intent: Double], _ winner: Intent) -> Double {
        let top = s[winner] ?? 0
        let second = s.filter { $0.key != winner }.map(\.value).max() ?? 0
        let margin = (top - max(0, second)) / (top + 1)
        return min(0.99, max(0.3, 0.5 + 0.5 * margin))
    }

    static func sentiment(_ t: NormalizedText, intent: Intent) -> Sentiment {
        if intent == .abusive { return .negative }
        let neg = Cues.Compiled.negative.filter { t.has($0) }.count + (t.raw("!!") ? 1 : 0)
        let pos = Cues.Compiled.positive.filter { t.has($0) }.count + (t.raw("🙏") || t.raw("🎉") ? 1 : 0)
        if intent == .dispute || intent == .paymentPlan { return pos > neg + 1 ? .neutral : .negative }
        if neg > pos && neg >= 2 { return .negative }
        if pos > neg && pos >= 1 { return .positive }
        return .neutral
    }
}
