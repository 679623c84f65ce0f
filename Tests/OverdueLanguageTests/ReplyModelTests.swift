import Foundation
import OverdueCore
@testable import OverdueLanguage
import Testing

/// A labelled reply as the fixtures hold it.
struct LabelledReply: Decodable {
    let id: String
    let channel: String
    let text: String
    let intent: String
    let referenceDate: String?
    let promiseDate: String?
    let hasPromiseDate: Bool
    let amount: String?

    enum CodingKeys: String, CodingKey {
        case id, channel, text, intent, amount
        case referenceDate = "reference_date"
        case promiseDate = "promise_date"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        channel = try c.decode(String.self, forKey: .channel)
        text = try c.decode(String.self, forKey: .text)
        intent = try c.decode(String.self, forKey: .intent)
        referenceDate = try c.decodeIfPresent(String.self, forKey: .referenceDate)
        hasPromiseDate = c.contains(.promiseDate)
        promiseDate = try c.decodeIfPresent(String.self, forKey: .promiseDate)
        amount = try c.decodeIfPresent(String.self, forKey: .amount)
    }

    /// The day the reply arrived: its own, else the dev set's Tuesday.
    var reference: LocalDate { referenceDate.flatMap { LocalDate.parse($0) } ?? tuesday }

    /// Reads a fixture file of labelled replies.
    static func load(_ name: String, in directory: String) throws -> [LabelledReply] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "jsonl", subdirectory: "Fixtures/" + directory))
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { try JSONDecoder().decode(LabelledReply.self, from: Data($0.utf8)) }
    }

    static func trainingSet() throws -> [LabelledReply] {
        try (1...4).flatMap { try load("part\($0)", in: "replies-train") }
    }
}

/// The trained model in Swift computes what the trainer computed.
@Suite struct ReplyModelTests {
    struct Sample: Decodable {
        let id: String
        let channel: String
        let text: String
        let referenceDate: String
        let intent: [String: Double]
        let sentiment: [String: Double]
        enum CodingKeys: String, CodingKey { case id, channel, text, intent, sentiment, referenceDate = "reference_date" }
    }

    @Test func swiftProbabilitiesEqualTheTrainers() throws {
        let url = try #require(Bundle.module.url(forResource: "model-sample", withExtension: "jsonl", subdirectory: "Fixtures"))
        let samples = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { try JSONDecoder().decode(Sample.self, from: Data($0.utf8)) }
        #expect(samples.count >= 40)
        let model = IntentModel.builtIn
        for s in samples {
            let p = ReplyReader.probabilities(s.text, channel: Channel(rawValue: s.channel)!, reference: LocalDate.parse(s.referenceDate)!, model: model)
            for (k, intent) in model.intents.enumerated() {
                #expect(
                    abs(p.intent[k] - s.intent[intent.rawValue, default: -1]) < 1e-4,
                    "\(s.id) \(intent.rawValue): Swift \(p.intent[k]), trainer \(s.intent[intent.rawValue] ?? -1)")
            }
            for (k, mood) in model.sentiments.enumerated() {
                #expect(abs(p.sentiment[k] - s.sentiment[mood.rawValue, default: -1]) < 1e-4, "\(s.id) \(mood.rawValue)")
            }
        }
    }

    @Test func theBuiltInModelKnowsEveryIntentAndSentiment() {
        #expect(Set(IntentModel.builtIn.intents) == Set(Intent.allCases))
        #expect(Set(IntentModel.builtIn.sentiments) == Set(Sentiment.allCases))
    }

    @Test func aBrokenModelFileIsRefusedWithAReason() {
        #expect(throws: IntentModel.FormatError.self) { try IntentModel(data: Data("not a model".utf8)) }
        var truncated = Data(base64Encoded: IntentModelWeights.base64, options: .ignoreUnknownCharacters)!
        truncated.removeLast(10)
        #expect(throws: IntentModel.FormatError.self) { try IntentModel(data: truncated) }
    }

    /// The validation set (never trained on): the model's macro-F1 and the promise dates the whole
    /// reader gives stay above their floors. The README reports the full figures.
    @Test func theDevelopmentSetStaysAboveItsFloors() throws {
        let items = try LabelledReply.load("replies", in: "replies")
        #expect(items.count == 260)
        var tp: [String: Int] = [:], fp: [String: Int] = [:], fn: [String: Int] = [:]
        var dateItems = 0, dateRight = 0
        for item in items {
            let a = ReplyReader.read(item.text, channel: Channel(rawValue: item.channel)!, reference: tuesday)
            let got = a.intent.rawValue
            if got == item.intent { tp[got, default: 0] += 1 } else { fp[got, default: 0] += 1; fn[item.intent, default: 0] += 1 }
            let predicted = a.promiseFrame || a.promiseDate != nil
            if item.hasPromiseDate || predicted {
                dateItems += 1
                if item.hasPromiseDate && predicted && item.promiseDate == a.promiseDate?.description { dateRight += 1 }
            }
        }
        let f1s = Intent.allCases.map(\.rawValue).map { i -> Double in
            let p = Double(tp[i, default: 0]) / Double(max(1, tp[i, default: 0] + fp[i, default: 0]))
            let r = Double(tp[i, default: 0]) / Double(max(1, tp[i, default: 0] + fn[i, default: 0]))
            return p + r == 0 ? 0 : 2 * p * r / (p + r)
        }
        let macro = f1s.reduce(0, +) / Double(f1s.count)
        #expect(macro >= 0.90, "macro-F1 \(macro)")
        #expect(Double(dateRight) / Double(dateItems) >= 0.90, "promise date \(dateRight)/\(dateItems)")
    }

    /// The grammar apart from the classifier: with the labelled intent, the promise date and the
    /// amount are read right on the validation set and on the training set.
    @Test(arguments: ["dev", "train"])
    func theGrammarReadsPromiseDatesAndAmounts(set: String) throws {
        let items = set == "dev" ? try LabelledReply.load("replies", in: "replies") : try LabelledReply.trainingSet()
        var dates = (right: 0, all: 0), amounts = (right: 0, all: 0)
        for item in items {
            let a = ReplyReader.read(
                item.text, channel: Channel(rawValue: item.channel)!, reference: item.reference, model: .builtIn,
                intent: Intent(rawValue: item.intent)!)
            let predicted = a.promiseFrame || a.promiseDate != nil
            if item.hasPromiseDate || predicted {
                dates.all += 1
                if item.hasPromiseDate && predicted && item.promiseDate == a.promiseDate?.description { dates.right += 1 }
            }
            if item.amount != nil || a.amount != nil {
                amounts.all += 1
                if item.amount == a.amount { amounts.right += 1 }
            }
        }
        #expect(Double(dates.right) / Double(dates.all) >= 0.95, "\(set): promise date \(dates.right)/\(dates.all)")
        #expect(Double(amounts.right) / Double(amounts.all) >= 0.90, "\(set): amount \(amounts.right)/\(amounts.all)")
    }
}

@Suite struct ReplyLanguageTests {
    @Test(arguments: [
        ("We will pay the invoice on Friday.", ReplyLanguage.en),
        ("Pagaremos la factura el viernes, gracias.", .es),
        ("¿Cuál es el saldo?", .es),
        ("Nous paierons la facture vendredi, merci.", .fr),
        ("Ça sera payé la semaine prochaine.", .fr),
        ("ok", .en),
        ("👍", .en),
    ])
    func eachReplysLanguageIsDetected(text: String, language: ReplyLanguage) {
        #expect(ReplyLanguage.detect(text) == language, "\(text)")
        #expect(read(text).language == language, "\(text)")
    }
}
