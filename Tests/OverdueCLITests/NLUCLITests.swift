import Foundation
import Testing

/// `overdue nlu classify`: the evaluation interface, driven on the built binary.
@Suite struct NLUCLITests {
    let dir = FileManager.default.temporaryDirectory

    struct Line: Decodable {
        let id: String?
        let intent: String?
        let confidence: Double?
        let promise_date: String?
        let line: Int?
        let error: String?
    }

    @Test func classifiesJSONLinesInOrderAndReportsBadLinesWithoutStopping() throws {
        let input = """
            {"id":"a","channel":"sms","text":"STOP"}
            {"id":"b","channel":"email","text":"We will pay on Friday."}
            not json
            {"id":"c","channel":"fax","text":"hello"}

            {"id":"d","channel":"voice","text":"uh can you call me back tomorrow morning"}
            {"id":"e","channel":"email"}
            """
        let r = try CLITests.run(["nlu", "classify", "--reference-date", "2026-03-10"], in: dir, stdin: input)
        #expect(r.code == 2, "bad lines make the exit code 2")
        #expect(r.err.contains("3 bad line(s)"))
        let lines = try r.out.split(separator: "\n").map { try JSONDecoder().decode(Line.self, from: Data($0.utf8)) }
        #expect(lines.map { $0.id ?? "?" } == ["a", "b", "?", "c", "d", "e"])
        #expect(lines[0].intent == "opt_out")
        #expect(lines[1].intent == "promise_to_pay")
        #expect(lines[1].promise_date == "2026-03-13")
        #expect(lines[2].line == 3)
        #expect(lines[2].error != nil)
        #expect(lines[3].error?.contains("channel") == true)
        #expect(lines[4].intent == "callback_request")
        #expect(lines[5].error?.contains("text") == true)
        #expect(lines.compactMap(\.confidence).allSatisfy { (0...1).contains($0) })
    }

    @Test func aBadReferenceDateIsAUsageError() throws {
        let r = try CLITests.run(["nlu", "classify", "--reference-date", "2026-13-40"], in: dir, stdin: "")
        #expect(r.code == 2)
        #expect(r.err.contains("--reference-date"))
    }

    /// The model as second reader, against the real llama.cpp server the tests run (a tiny random
    /// model): it is asked about the unsure replies only, its forced `read_reply` call is read, and
    /// its reading is used only when consistent with the reply — a random model's guesses are not.
    @Test func unsureRepliesAreReadAgainByTheModelAndItsInconsistentReadingsRefused() throws {
        guard let url = ProcessInfo.processInfo.environment["OVERDUE_TEST_LLM_URL"] else { return }
        let input = """
            {"id":"sure","channel":"sms","text":"will pay fri"}
            {"id":"unsure","channel":"voice","text":"uh hmm"}
            {"id":"per-line","channel":"sms","text":"mmm purple","reference_date":"2026-04-14"}
            """
        let r = try CLITests.run(
            ["nlu", "classify", "--reference-date", "2026-03-10", "--llm-base-url", url, "--llm-model", "tiny-random", "--llm-below", "0.6"],
            in: dir, stdin: input)
        #expect(r.code == 0, "\(r.err)")
        let lines = try r.out.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(lines.count == 3)
        #expect(lines[0]["second_reader"] == nil, "a confident reading is not asked again")
        for line in lines.dropFirst() {
            let second = try #require(line["second_reader"] as? [String: Any], "\(line)")
            #expect(second["intent"] is String, "the server's forced call was read: \(second)")
            let used = try #require(second["used"] as? Bool)
            let why = try #require(second["why"] as? String)
            #expect(used ? !why.contains("refused") : why.hasPrefix("model's reading refused"), "\(why)")
            if !used { #expect(line["intent"] as? String != second["intent"] as? String || second["agreed"] as? Bool == true) }
        }
    }
}
