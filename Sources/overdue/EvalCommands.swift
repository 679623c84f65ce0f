import ArgumentParser
import Foundation
import OverdueAgents
import OverdueCore
import OverdueUseCases

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval", abstract: "Evaluation harnesses.", subcommands: [EvalConversationsCommand.self])
}

struct EvalConversationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conversations",
        abstract: "Replay scripted debtor turns (JSON lines) through the whole conversation engine and report each scenario.",
        discussion: """
            One scenario per line: {"name", "turns": [{"channel", "text", "expect": [reason codes], "answers": [message kinds], "after": minutes}],
            "settings": {…}, "invoices": [CSV rows], "at": ISO instant}. Each runs on a fresh in-memory database with the template composer,
            or a model when --llm-base-url is given (or the scenario's settings turn one on). Prints PASS/FAIL per scenario with what did not
            happen and how many model drafts the guardrails refused; exits 1 if any scenario failed, 2 if the file is not valid.
            """)
    @Argument(help: "The scenarios (JSON lines).") var file: String
    @Option(help: "An OpenAI-compatible server's base URL (up to /v1): a model writes the answers.") var llmBaseURL: String?
    @Option(help: "The model's name.") var llmModel: String = "gpt-4o-mini"
    @Option(help: "Its key (or env OVERDUE_LLM_API_KEY).") var llmAPIKey: String?

    func run() async throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch { throw CLIError.badInput("cannot read \(file): \(error.localizedDescription)") }
        let scenarios: [ConversationEval.Scenario]
        do { scenarios = try ConversationEval.parse(data) } catch let bad as ConversationEval.BadLine { throw CLIError.badInput("\(file) \(bad)") }
        guard !scenarios.isEmpty else { throw CLIError.badInput("\(file) has no scenarios") }
        var model: [String: String] = [:]
        if let url = llmBaseURL {
            model = ["llm.provider": "openai", "llm.base_url": url, "llm.model": llmModel]
            if let key = llmAPIKey ?? ProcessInfo.processInfo.environment["OVERDUE_LLM_API_KEY"] { model["llm.api_key"] = key }
        }
        var failed = 0, refused = 0, byModel = 0, answers = 0
        for (i, var scenario) in scenarios.enumerated() {
            scenario.settings = model.merging(scenario.settings ?? [:]) { _, own in own }
            let result: ConversationEval.Result
            do { result = try await Runtime.evaluate(scenario) } catch {
                throw CLIError.failure("scenario \(i + 1) (\(scenario.name)) could not run: \(error)")
            }
            refused += result.refusedDrafts
            byModel += result.modelAnswers
            answers += result.answers
            let cost = "\(result.turns) turn(s), \(result.answers) answer(s), \(result.modelAnswers) by the model, \(result.refusedDrafts) draft(s) refused"
            if result.passed {
                say("PASS \(result.name): \(cost)")
            } else {
                failed += 1
                say("FAIL \(result.name): \(cost)")
                for m in result.misses { say("     \(m)") }
            }
        }
        say(
            "\(scenarios.count - failed) of \(scenarios.count) scenario(s) passed; \(answers) answer(s), \(byModel) written by the model, \(refused) model draft(s) refused by the guardrails"
        )
        if failed > 0 { throw ExitCode(1) }
    }
}
