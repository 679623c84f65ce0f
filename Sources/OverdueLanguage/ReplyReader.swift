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
    /// The language the reply is written in.
    public var language: ReplyLanguage = .en
    /// The model's probability of each intent (empty when a rule decided).
    public var intentProbabilities: [Intent: Double] = [:]
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
        return Understanding(
            intent: intent, confidence: confidence, sentiment: sentiment, promiseDate: promiseDate ?? callbackDate, amount: money,
            invoiceRefs: invoiceRefs, disputeReason: disputeReason.flatMap(DisputeReason.init(rawValue:)),
            document: document.flatMap(DocumentKind.init(rawValue:)), redirect: redirect, returnDate: returnDate,
            optOutChannel: channel, optOutAll: optOutChannel == "all", keyword: keyword, callbackMinute: callbackMinute,
            language: language.rawValue)
    }
}

/// Reads debtors' replies. Pure and deterministic: the same text, channel and reference date always
/// give the same analysis.
public enum ReplyReader {
    /// Carrier opt-out keywords (exact match on SMS).
    public static let stopKeywords: Set<String> = [
        "STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "END", "QUIT", "CANCEL", "REVOKE", "OPTOUT", "OPT OUT", "ALTO", "PARAR",
    ]
    /// Carrier opt-in keywords.
    public static let startKeywords: Set<String> = ["START", "UNSTOP", "YES", "SUBSCRIBE"]
    /// Carrier help keywords.
    public static let helpKeywords: Set<String> = ["HELP", "INFO", "AYUDA"]

    /// Understands `text` received on `channel`; relative dates are resolved against `reference`
    /// (the day the reply arrived, in the contact's zone). `model` is the trained reply model (the
    /// built-in one unless a trainer evaluates another).
    public static func read(_ text: String, channel: Channel, reference: LocalDate, model: IntentModel = .builtIn) -> ReplyAnalysis {
        read(text, channel: channel, reference: reference, model: model, intent: nil)
    }

    /// `read`, or — with `intent` given — only the entities the reply holds for that intent (how
    /// the tests measure the grammar apart from the classifier).
    static func read(_ text: String, channel: Channel, reference: LocalDate, model: IntentModel, intent known: Intent?) -> ReplyAnalysis {
        let parts = ReplyCleaner.split(text)
        let own = parts.own
        let t = NormalizedText(own)
        let language = ReplyLanguage.detect(t, raw: own)
        // Carrier keywords are rules, not guesses: carriers act on them exactly.
        if known == nil, channel == .sms, let keyword = smsKeyword(own) {
            if stopKeywords.contains(keyword) {
                return ReplyAnalysis(
                    intent: .optOut, confidence: 1, sentiment: .neutral, language: language, optOutChannel: keyword.contains("ALL") ? "all" : "sms",
                    keyword: keyword)
            }
            if helpKeywords.contains(keyword) {
                return ReplyAnalysis(intent: .question, confidence: 1, sentiment: .neutral, language: language, keyword: keyword)
            }
            if keyword != "YES" { return ReplyAnalysis(intent: .other, confidence: 1, sentiment: .neutral, language: language, keyword: keyword) }
        }
        let dates = DateExpressions.find(tokens: t.dateTokens, reference: reference)
        var a: ReplyAnalysis
        if let known {
            a = ReplyAnalysis(intent: known, confidence: 1, sentiment: .neutral, language: language)
        } else {
            let features = IntentFeatures(t, raw: own, channel: channel, language: language, dates: dates, reference: reference)
            if t.wordCount == 0 && !features.hasSymbol {
                a = ReplyAnalysis(intent: .other, confidence: 0.9, sentiment: .neutral, language: language)
            } else {
                let p = model.probabilities(features)
                let best = p.intent.indices.max { p.intent[$0] < p.intent[$1] }!
                let mood = p.sentiment.indices.max { p.sentiment[$0] < p.sentiment[$1] }!
                let intent = model.intents[best]
                a = ReplyAnalysis(
                    intent: intent, confidence: p.intent[best], sentiment: intent == .abusive ? .negative : model.sentiments[mood], language: language)
                a.intentProbabilities = Dictionary(uniqueKeysWithValues: zip(model.intents, p.intent))
            }
        }
        let evidence = parts.evidence.isEmpty ? own : own + "\n" + parts.evidence
        Entities.extract(into: &a, own: t, ownText: own, evidence: evidence, channel: channel, reference: reference, dates: dates)
        return a
    }

    /// The model's probabilities for `text` (intent and sentiment, in the model's class order).
    static func probabilities(_ text: String, channel: Channel, reference: LocalDate, model: IntentModel) -> (intent: [Double], sentiment: [Double]) {
        model.probabilities(modelInput(text, channel: channel, reference: reference))
    }

    /// The features the reply model reads of `text` (summed by hash), for the trainer.
    public static func features(_ text: String, channel: Channel, reference: LocalDate) -> [(hash: UInt32, value: Float)] {
        modelInput(text, channel: channel, reference: reference).aggregated.map { (hash: $0.0, value: $0.1) }
    }

    /// What the model reads of `text`, computed as `read` computes it.
    static func modelInput(_ text: String, channel: Channel, reference: LocalDate) -> IntentFeatures {
        let own = ReplyCleaner.split(text).own
        let t = NormalizedText(own)
        let dates = DateExpressions.find(tokens: t.dateTokens, reference: reference)
        return IntentFeatures(t, raw: own, channel: channel, language: ReplyLanguage.detect(t, raw: own), dates: dates, reference: reference)
    }

    /// Whether the SMS carrier keywords decide `text` on `channel` (the model is not asked).
    public static func isCarrierKeyword(_ text: String, channel: Channel) -> Bool {
        channel == .sms && smsKeyword(ReplyCleaner.split(text).own).map { $0 != "YES" } == true
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
}
