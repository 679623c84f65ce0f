import ArgumentParser
import Foundation
import OverdueAgents
import OverdueCore
import OverdueLanguage

struct NLUCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nlu", abstract: "Reply understanding tools.", subcommands: [NLUClassifyCommand.self, NLUFeaturesCommand.self])
}

struct NLUClassifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Classify replies: JSON lines {\"id\",\"channel\",\"text\"} on stdin → {\"id\",\"intent\",\"confidence\",\"sentiment\",…entities} on stdout.",
        discussion: """
            One output line per input line, in the same order. A line that is not such an object gives \
            {"id":…,"line":N,"error":"…"} and the rest go on (exit 2 at the end if any line was bad). \
            Relative dates ("Friday", "end of the month") resolve against a line's own "reference_date" \
            (YYYY-MM-DD), else --reference-date (default: today, UTC). With --llm-base-url, lines read with \
            less confidence than --llm-below are read again by that model; "second_reader" says what it read, \
            whether its reading was used (only when consistent with the reply) and why. The key, if any, \
            comes from OVERDUE_LLM_API_KEY.
            """)
    @Option(help: "The day replies arrived (YYYY-MM-DD), for relative dates; a line's \"reference_date\" wins.") var referenceDate: String?
    @Option(help: ArgumentHelp("A reply model file written by scripts/nlu/train.py instead of the built-in one.", visibility: .hidden)) var model: String?
    @Option(help: "An OpenAI-compatible server (up to /v1) to read again the replies the classifier is unsure of.") var llmBaseUrl: String?
    @Option(help: "The model the --llm-base-url server knows.") var llmModel: String = "gpt-4o-mini"
    @Option(help: "Below this confidence a reply is read again by the model.") var llmBelow: Double = 0.5
    @Option(help: "Seconds the model may take per reply.") var llmTimeout: Int = 30

    struct Input: Decodable {
        let id: String?
        let channel: String?
        let text: String?
        let referenceDate: String?
        enum CodingKeys: String, CodingKey { case id, channel, text, referenceDate = "reference_date" }
    }

    /// Reads the JSON lines on standard input and calls `each` with every good one, writing what it
    /// returns; bad lines become error lines (exit 2 at the end).
    static func eachLine(defaultReference referenceDate: String?, _ each: (String, String, Channel, LocalDate) async -> String) async throws {
        let fallback: LocalDate
        if let referenceDate {
            guard let d = LocalDate.parse(referenceDate) else { throw CLIError.badInput("--reference-date '\(referenceDate)' is not a date (YYYY-MM-DD)") }
            fallback = d
        } else {
            fallback = LocalDate(wallClock.now(), in: TimeZone(identifier: "UTC")!)
        }
        let decoder = JSONDecoder()
        var bad = 0
        var number = 0
        var out = ""
        while let line = readLine(strippingNewline: true) {
            number += 1
            if line.utf8.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { continue }
            let input: Input
            do {
                input = try decoder.decode(Input.self, from: Data(line.utf8))
            } catch {
                bad += 1
                out += Listing.jsonLine(Failure(id: nil, line: number, error: "not a JSON object with id, channel and text")) + "\n"
                continue
            }
            guard let id = input.id, let text = input.text else {
                bad += 1
                out += Listing.jsonLine(Failure(id: input.id, line: number, error: input.id == nil ? "missing \"id\"" : "missing \"text\"")) + "\n"
                continue
            }
            guard let channel = Channel(rawValue: (input.channel ?? "email").lowercased()) else {
                bad += 1
                out += Listing.jsonLine(Failure(id: id, line: number, error: "\"channel\" must be email, sms or voice (got '\(input.channel ?? "")')")) + "\n"
                continue
            }
            var reference = fallback
            if let own = input.referenceDate {
                guard let d = LocalDate.parse(own) else {
                    bad += 1
                    out += Listing.jsonLine(Failure(id: id, line: number, error: "\"reference_date\" must be a date YYYY-MM-DD (got '\(own)')")) + "\n"
                    continue
                }
                reference = d
            }
            out += await each(id, text, channel, reference) + "\n"
            if out.utf8.count > 1 << 16 { say(String(out.dropLast())); out = "" }
        }
        if !out.isEmpty { say(String(out.dropLast())) }
        if bad > 0 {
            note("\(bad) bad line(s); see the error lines in the output")
            throw ExitCode(2)
        }
    }

    /// One output line, written by hand: keys in a fixed order, entity keys only when present
    /// (`promise_date` is `null` for a time frame without a day). JSONEncoder costs more than reading.
    static func line(id: String, _ a: ReplyAnalysis) -> String {
        var o =
            "{\"id\":" + json(id) + ",\"intent\":\"" + a.intent.rawValue + "\",\"confidence\":" + String((a.confidence * 100).rounded() / 100)
            + ",\"sentiment\":\"" + a.sentiment.rawValue + "\",\"language\":\"" + a.language.rawValue + "\""
        if a.promiseFrame || a.promiseDate != nil { o += ",\"promise_date\":" + (a.promiseDate.map { "\"\($0)\"" } ?? "null") }
        if let v = a.amount { o += ",\"amount\":" + json(v) }
        if let v = a.currency { o += ",\"currency\":" + json(v) }
        if !a.invoiceRefs.isEmpty { o += ",\"invoice_refs\":[" + a.invoiceRefs.map(json).joined(separator: ",") + "]" }
        if let v = a.disputeReason { o += ",\"dispute_reason\":" + json(v) }
        if let v = a.document { o += ",\"document\":" + json(v) }
        if let v = a.redirect { o += ",\"redirect\":" + json(v) }
        if let v = a.returnDate { o += ",\"return_date\":\"\(v)\"" }
        if let v = a.optOutChannel { o += ",\"opt_out_channel\":" + json(v) }
        if let v = a.keyword { o += ",\"keyword\":" + json(v) }
        return o + "}"
    }

    /// A JSON string literal (RFC 8259 escaping).
    static func json(_ s: String) -> String { JSONText.quoted(s) }

    struct Failure: Encodable { let id: String?; let line: Int; let error: String }

    func run() async throws {
        let reader: IntentModel
        if let model {
            do {
                reader = try IntentModel(data: try Data(contentsOf: URL(fileURLWithPath: model)))
            } catch {
                throw CLIError.badInput("--model \(model): \(error)")
            }
        } else {
            reader = .builtIn
        }
        let second = llmBaseUrl.map {
            SecondReading(
                client: OpenAIChatClient(baseURL: $0, apiKey: ProcessInfo.processInfo.environment["OVERDUE_LLM_API_KEY"] ?? ""),
                model: llmModel, timeout: .seconds(llmTimeout))
        }
        let below = llmBelow
        try await Self.eachLine(defaultReference: referenceDate) { id, text, channel, reference in
            let first = ReplyReader.read(text, channel: channel, reference: reference, model: reader)
            guard let second, first.keyword == nil, first.confidence < below else { return Self.line(id: id, first) }
            let verdict = await second.read(text, channel: channel, reference: reference, first: first)
            var line = Self.line(id: id, verdict.used ? verdict.analysis : first)
            line.removeLast()
            return line + ",\"second_reader\":{\"intent\":" + (verdict.modelIntent.map(Self.json) ?? "null")
                + ",\"used\":\(verdict.used),\"agreed\":\(verdict.agreed),\"why\":"
                + Self.json(verdict.reason) + "}}"
        }
    }
}

struct NLUFeaturesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "The reply model's features of each line (for scripts/nlu/train.py): {\"id\",\"rule\",\"f\":[[hash,value],…]}.",
        discussion: "Same input as 'nlu classify'. \"rule\" is true when a carrier keyword decides the line without the model.")
    @Option(help: "The day replies arrived (YYYY-MM-DD); a line's \"reference_date\" wins.") var referenceDate: String?

    func run() async throws {
        try await NLUClassifyCommand.eachLine(defaultReference: referenceDate) { id, text, channel, reference in
            let f = ReplyReader.features(text, channel: channel, reference: reference)
            return "{\"id\":" + NLUClassifyCommand.json(id) + ",\"rule\":" + (ReplyReader.isCarrierKeyword(text, channel: channel) ? "true" : "false")
                + ",\"f\":[" + f.map { "[\($0.hash),\($0.value)]" }.joined(separator: ",") + "]}"
        }
    }
}
