import Foundation
import Testing
@testable import OverdueAgents
@testable import OverdueCore
@testable import OverdueStore
import OverdueTestSupport

/// The model composer against a real OpenAI-compatible server: llama.cpp's, through
/// llama-cpp-python, serving a tiny random-weight model (`scripts/lib/llm.sh`). What it writes is
/// gibberish by construction: every draft must be refused and the template's message go out, with
/// the tokens spent and the refusals on the message. CI always has the server.
@Suite(.serialized) struct LLMServerTests {
    static var url: String? { ProcessInfo.processInfo.environment["OVERDUE_TEST_LLM_URL"] }

    /// The conversation tests' world (tenant `acme` with these settings, their invoices and
    /// contacts) for `body`.
    func withTenant(_ settings: [String: String], _ body: (Store) async throws -> Void) async throws {
        try await ConversationTests().withWorld(.sqlite, settings: settings) { try await body($0.store) }
    }

    @Test func theServerIsThereInCI() {
        #expect(!TestDatabases.isCI || Self.url != nil, "CI=true but OVERDUE_TEST_LLM_URL is not set (scripts/lib/llm.sh)")
    }

    @Test func theClientSpeaksChatCompletions() async throws {
        guard let url = Self.url else { return }
        let reply = try await OpenAIChatClient(baseURL: url, apiKey: "").complete(
            model: "tiny-random",
            messages: [ChatMessage(role: "system", content: "You write one short text."), ChatMessage(role: "user", content: "Say hello.")],
            tools: [], temperature: 0.3, maxTokens: 24, timeout: .seconds(30))
        #expect(reply.promptTokens > 0 && reply.completionTokens > 0)
        #expect(reply.message.role == "assistant" && reply.message.content != nil)
        // A server error is an error, named.
        await #expect(throws: ChatError.self) {
            _ = try await OpenAIChatClient(baseURL: url + "/nothing-here", apiKey: "").complete(
                model: "tiny-random", messages: [], tools: [], temperature: 0,
                maxTokens: 4, timeout: .seconds(10))
        }
    }

    /// Issue 20, finding 4: `llm.base_url` is the tenant's. Unless the operator allows it, it may
    /// not reach loopback, the private network or the cloud's metadata address, and nothing is
    /// sent there (not the tenant's key either).
    @Test func aModelURLOnTheOperatorsNetworkIsRefused() async throws {
        for target in [Self.url ?? "http://127.0.0.1:9/v1", "http://169.254.169.254/latest/v1", "http://10.0.0.7:8000/v1", "http://[::1]:11434/v1"] {
            do {
                _ = try await OpenAIChatClient(baseURL: target, apiKey: "sk-tenant-secret", allowPrivateTargets: false).complete(
                    model: "tiny-random", messages: [ChatMessage(role: "user", content: "Say hello.")], tools: [], temperature: 0, maxTokens: 4,
                    timeout: .seconds(10))
                Issue.record("\(target) was reached")
            } catch let error as ChatError {
                #expect(error.description.contains("refused"), "\(target): \(error.description)")
                #expect(!error.description.contains("sk-tenant-secret"))
            }
        }
    }

    /// The server's own tool-call answers (llama-cpp-python's `chatml-function-calling`, a call
    /// forced with `tool_choice`): parsed, answered through the composer's tools, and judged — a
    /// random model's arguments are nonsense, so the proposal is refused, with the reason.
    @Test func theServersToolCallsArePlumbedAndJudged() async throws {
        guard let url = Self.url else { return }
        let request = LLMComposerTests.request
        let reply = try await OpenAIChatClient(baseURL: url, apiKey: "").complete(
            model: "tiny-random", messages: [ChatMessage(role: "user", content: "When will you pay?")], tools: LLMComposer.tools, temperature: 0.3,
            maxTokens: 48, timeout: .seconds(60), forcing: "propose_promise")
        let call = try #require(reply.message.toolCalls.first, "the server answered without a tool call: \(reply)")
        #expect(call.name == "propose_promise" && !call.id.isEmpty)
        let (result, verdict) = LLMComposer.run(call, request, now: request.now!)
        #expect(verdict?.tool == "propose_promise" && verdict?.accepted == false)
        #expect(result.contains("\"accepted\":false") && verdict?.reason.message.contains("model proposal refused") == true)
        // A read tool the server calls is answered from the case.
        let read = try await OpenAIChatClient(baseURL: url, apiKey: "").complete(
            model: "tiny-random", messages: [ChatMessage(role: "user", content: "Which invoices?")], tools: LLMComposer.tools, temperature: 0.3,
            maxTokens: 16, timeout: .seconds(60), forcing: "list_invoices")
        let listed = try #require(read.message.toolCalls.first)
        #expect(listed.name == "list_invoices" && LLMComposer.run(listed, request, now: request.now!).result.contains("INV-1001"))
    }

    @Test func gibberishIsRefusedAndTheTemplateGoesOutEndToEnd() async throws {
        guard let url = Self.url else { return }
        try await withTenant([
            "llm.provider": "openai", "llm.base_url": url, "llm.model": "tiny-random", "llm.timeout_ms": "30000",
            "company.name": "Lakeside Freight", "window.days": "all", "window.start": "00:00", "window.end": "23:59",
        ]) { store in
            let outcome = try await CaseProcessor(store: store).process(tenant: "acme", debtorID: "SHIP1", now: Timestamp.parse("2026-02-10T16:00:00Z")!)
            let sent = try #require(outcome.sent.first)
            let stored = try #require(try await store.read { try await $0.message("acme", id: sent.id) })
            let note = try #require(stored.composition)
            #expect(note.composer == "template" && note.model == "tiny-random")
            #expect(note.tokens > 0 && note.notes.count == 2 && note.notes.allSatisfy { $0.hasPrefix("draft") && $0.contains("refused") }, "\(note.notes)")
            // What went out is the template's message, word for word.
            #expect(stored.body.lowercased().contains("unsubscribe") && stored.body.contains("INV-100"))
            #expect(try await store.read { try await $0.tokensSpent("acme", since: Timestamp.parse("2026-02-01T00:00:00Z")!) } == note.tokens)
        }
    }

    /// `nlu.llm on`: a reply the classifier is unsure of is read again by the model, and the
    /// decision says what the model read and whether it was used (a random model's guess is not,
    /// unless the reply's words support it).
    @Test func anUnsureReplyIsReadAgainAndTheDecisionSaysWhatTheModelRead() async throws {
        guard let url = Self.url else { return }
        try await withTenant(["nlu.llm": "on", "llm.base_url": url, "llm.model": "tiny-random", "llm.timeout_ms": "30000", "nlu.min_confidence": "0.99"]) {
            store in
            let engine = ConversationEngine(store: store, documents: DocumentLibrary(directory: FileManager.default.temporaryDirectory))
            _ = try await engine.receive(
                tenant: "acme", channel: .sms, from: "+13125550101", text: "hmm we will see about that one",
                at: Timestamp.parse("2026-02-10T16:00:00Z")!)
            let decisions = try await store.read { try await $0.decisions("acme", debtor: "SHIP1") }
            let second = try #require(decisions.flatMap(\.reasons).first { $0.code.rawValue.hasPrefix("second_reader") }, "\(decisions)")
            #expect(second.message.hasPrefix("second reader (model): "))
            if second.code == "second_reader_refused" { #expect(second.message.contains("refused")) }
        }
    }
}
