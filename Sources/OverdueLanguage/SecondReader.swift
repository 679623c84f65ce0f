import Foundation
import OverdueCore

/// A language model as second reader, for the replies the trained model is unsure of: what to ask
/// it (the intents, the entity fields, a JSON schema for its answer as a forced function call) and
/// whether its answer may be used. Pure: the call itself is the caller's. The answer is used only
/// when it is consistent with the reply — an intent from the list, every entity it names present
/// in the reply's words, a promise date the date grammar finds in them — and then the entities
/// come from Overdue's own grammar for that intent, never from the model; otherwise a person reads
/// the reply. Whether the model agreed with the classifier is said either way.
public enum SecondReader {
    /// The least probability the classifier must give the model's intent for it to count.
    public static let minimumSupport = 0.05

    /// The function the model must call with its reading.
    public static let toolName = "read_reply"

    /// What the function does, for the model.
    public static let toolDescription = "Record how you read the debtor's reply: its intent and the entities it states."

    /// The JSON schema of the function's arguments.
    public static let schema: String = {
        let intents = Intent.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ",")
        return """
            {"type":"object","properties":{\
            "intent":{"type":"string","enum":[\(intents)]},\
            "promise_date":{"type":"string","description":"YYYY-MM-DD the debtor says they will pay, only when stated"},\
            "amount":{"type":"string","description":"decimal amount the reply is about, e.g. 1250.00"},\
            "invoice_refs":{"type":"array","items":{"type":"string"},"description":"invoice, load, PRO, BOL or PO numbers exactly as written"},\
            "redirect":{"type":"string","description":"email or phone of the right contact, when given"}},\
            "required":["intent"]}
            """
    }()

    /// The instructions sent with the reply.
    public static func instructions(channel: Channel, reference: LocalDate) -> String {
        """
        You read replies that debtors send to a freight carrier's payment reminders (by \(channel.rawValue)). \
        Today is \(reference) (\(weekday(reference))). Call \(toolName) once with the reply's intent — \
        promise_to_pay (commits to pay), paid (says it was paid), dispute (contests an amount, charge or delivery), \
        document_request (asks for an invoice, POD, BOL, rate confirmation, W-9 or statement), payment_plan \
        (instalments or hardship), wrong_contact, opt_out (stop contacting), callback_request, question, \
        auto_reply, acknowledge (noted, no commitment), abusive, other — and only the entities the reply itself \
        states. Never invent a date, amount or number.
        """
    }

    static func weekday(_ d: LocalDate) -> String {
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][d.isoWeekday - 1]
    }

    /// The judgement of one answer.
    public struct Verdict: Hashable, Sendable {
        /// The intent the model gave (nil when its answer had none that could be read).
        public var modelIntent: String?
        /// Whether the answer is used.
        public var used: Bool
        /// Whether the model's intent is the classifier's.
        public var agreed: Bool
        /// Why the answer is used or refused.
        public var reason: String
        /// The reading to act on: the model's intent with Overdue's own entities when used, the
        /// classifier's otherwise.
        public var analysis: ReplyAnalysis

        /// Creates a verdict.
        public init(modelIntent: String?, used: Bool, agreed: Bool, reason: String, analysis: ReplyAnalysis) {
            self.modelIntent = modelIntent
            self.used = used
            self.agreed = agreed
            self.reason = reason
            self.analysis = analysis
        }
    }

    /// Judges the model's answer (`arguments`, the JSON of its function call) about `text`, which
    /// the classifier read as `first`.
    public static func judge(arguments: String, text: String, channel: Channel, reference: LocalDate, first: ReplyAnalysis) -> Verdict {
        func refuse(_ why: String, intent: String? = nil) -> Verdict {
            Verdict(modelIntent: intent, used: false, agreed: intent == first.intent.rawValue, reason: "model's reading refused: " + why, analysis: first)
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(arguments.utf8))) as? [String: Any] else {
            return refuse("its answer is not a JSON object")
        }
        guard let name = object["intent"] as? String else { return refuse("its answer names no intent") }
        guard let intent = Intent(rawValue: name) else { return refuse("'\(name.prefix(40))' is not one of the intents", intent: name) }
        // An intent is consistent with the reply when its words support it: among the classifier's
        // three likeliest, with a probability that is not negligible.
        if !first.intentProbabilities.isEmpty {
            let p = first.intentProbabilities[intent] ?? 0
            let rank = first.intentProbabilities.values.filter { $0 > p }.count
            if p < SecondReader.minimumSupport || rank >= 3 {
                return refuse("the reply's words hardly support \(name) (the classifier gives it \(String(format: "%.2f", p)), rank \(rank + 1))", intent: name)
            }
        }
        let own = ReplyCleaner.split(text).own
        let folded = NormalizedText(own)
        let plainDigits = String(own.unicodeScalars.filter { CharacterSet.decimalDigits.contains($0) }.map(Character.init))
        func present(_ s: String) -> Bool {
            let needle = s.trimmingCharacters(in: .whitespaces)
            return !needle.isEmpty && own.range(of: needle, options: [.caseInsensitive, .diacriticInsensitive]) != nil
        }
        if let refs = object["invoice_refs"] as? [Any] {
            for case let ref as String in refs where !present(ref) {
                return refuse("it names \(ref.prefix(40)), which the reply does not contain", intent: name)
            }
        }
        if let redirect = object["redirect"] as? String, !redirect.isEmpty, !present(redirect) {
            return refuse("the contact \(redirect.prefix(60)) is not in the reply", intent: name)
        }
        if let amount = object["amount"] as? String, !amount.isEmpty {
            let whole = amount.split(separator: ".").first.map(String.init) ?? amount
            let digits = whole.filter(\.isNumber)
            if digits.isEmpty || !plainDigits.contains(digits) { return refuse("the amount \(amount.prefix(20)) is not in the reply", intent: name) }
        }
        if let dateText = object["promise_date"] as? String, !dateText.isEmpty {
            guard let date = LocalDate.parse(dateText) else { return refuse("'\(dateText.prefix(20))' is not a date", intent: name) }
            let found = DateExpressions.find(tokens: folded.dateTokens, reference: reference).compactMap(\.date)
            guard found.contains(date) else { return refuse("no words of the reply resolve to \(date)", intent: name) }
        }
        var analysis = ReplyReader.read(text, channel: channel, reference: reference, model: .builtIn, intent: intent)
        analysis.confidence = first.confidence
        analysis.sentiment = intent == .abusive ? .negative : first.sentiment
        let agreed = intent == first.intent
        return Verdict(
            modelIntent: name, used: true, agreed: agreed,
            reason: agreed
                ? "the model agrees: \(name)"
                : "the model reads \(name) where the classifier read \(first.intent.rawValue) (\(String(format: "%.2f", first.confidence)))",
            analysis: analysis)
    }
}
