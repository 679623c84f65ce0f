import Foundation
import Testing
import OverdueTestSupport

/// `overdue eval conversations`: scripted debtor turns through the whole engine, on the built binary —
/// with templates, and with a real model server whose gibberish the guardrails refuse.
@Suite struct EvalCLITests {
    let dir = FileManager.default.temporaryDirectory
    static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/eval/conversations.jsonl").path

    @Test func everyScriptedScenarioPassesWithTemplates() throws {
        let r = try CLITests.run(["eval", "conversations", Self.scenarios], in: dir)
        #expect(r.code == 0, "\(r.out)\(r.err)")
        #expect(r.out.contains("PASS promise by email: 1 turn(s)"))
        #expect(r.out.contains("5 of 5 scenario(s) passed") && r.out.contains("0 written by the model, 0 model draft(s) refused"))
    }

    @Test func aModelsGibberishIsRefusedAndTheScenariosStillPass() throws {
        guard let url = ProcessInfo.processInfo.environment["OVERDUE_TEST_LLM_URL"] else { return }
        let r = try CLITests.run(["eval", "conversations", Self.scenarios, "--llm-base-url", url, "--llm-model", "tiny-random"], in: dir)
        #expect(r.code == 0, "\(r.out)\(r.err)")
        #expect(r.out.contains("5 of 5 scenario(s) passed") && r.out.contains("0 written by the model"))
        let refused = try #require(r.out.firstMatch(of: /(\d+) model draft\(s\) refused/)).1
        #expect((Int(refused) ?? 0) >= 2, "every answer's drafts were refused: \(r.out)")
    }

    @Test func aMissedExpectationFailsAndABadFileIsNamedByLine() throws {
        let wrong = dir.appendingPathComponent("eval-\(UUID().uuidString).jsonl")
        try Data(#"{"name": "expects a dispute", "turns": [{"channel": "email", "text": "We will pay on Friday.", "expect": ["dispute"]}]}"#.utf8).write(
            to: wrong)
        let r = try CLITests.run(["eval", "conversations", wrong.path], in: dir)
        #expect(r.code == 1)
        #expect(r.out.contains("FAIL expects a dispute") && r.out.contains("turn 1: no dispute (decided: ") && r.out.contains("promise"))
        let bad = dir.appendingPathComponent("eval-\(UUID().uuidString).jsonl")
        try Data(
            "{\"name\": \"ok\", \"turns\": [{\"channel\": \"email\", \"text\": \"hi\"}]}\n{\"name\": \"no turns\"}\n{\"name\": \"fax\", \"turns\": [{\"channel\": \"fax\", \"text\": \"x\"}]}\n"
                .utf8
        ).write(to: bad)
        let b = try CLITests.run(["eval", "conversations", bad.path], in: dir)
        #expect(b.code == 2)
        #expect(b.err.contains("line 2: \"turns\" is missing") && b.err.contains("line 3: turns[0].channel must be email, sms or voice (got fax)"), "\(b.err)")
    }
}
