import Foundation
import Testing
@testable import OverdueAgents
@testable import OverdueCore

/// The model composer's decisions, on recorded chat-completions answers (`Tests/Fixtures/llm`):
/// a faithful draft is used; a refused one gets one retry told why; two refusals, an error, a
/// timeout or a spent budget leave the template's message — each noted.
@Suite struct LLMComposerTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/llm")

    /// Answers with the given fixtures in order (or throws), and keeps what it was asked.
    final class Replay: ChatClient, @unchecked Sendable {
        var answers: [Result<String, ChatError>]
        var asked: [[ChatMessage]] = []
        let lock = NSLock()
        init(_ answers: [Result<String, ChatError>]) { self.answers = answers }
        func complete(model: String, messages: [ChatMessage], tools: [ChatTool], temperature: Double, maxTokens: Int, timeout: Duration) async throws -> ChatReply {
            let next: Result<String, ChatError> = lock.withLock {
                asked.append(messages)
                return answers.isEmpty ? .failure(ChatError(description: "no more answers")) : answers.removeFirst()
            }
            switch next {
            case .success(let file): return try OpenAIChatClient.parse(try Data(contentsOf: fixtures.appendingPathComponent(file)))
            case .failure(let e): throw e
            }
        }
    }

    static var request: CompositionRequest {
        let settings = TenantSettings(values: ["company.name": "Lakeside Freight", "llm.provider": "openai", "llm.model": "fixture-model"])
        let invoice = Invoice(number: "INV-1001", debtorID: "sample", amount: Money(minorUnits: 245_000, currency: .usd),
                              issueDate: LocalDate(year: 2026, month: 10, day: 3)!, dueDate: LocalDate(year: 2026, month: 11, day: 2)!, loadNumber: "LD-5521")
        return CompositionRequest(kind: .reminder, channel: .email, tone: .friendly, debtor: Debtor(id: "sample", name: "Sample Shipper Inc"),
                                  contactName: "Alex Payables", invoices: [InvoiceLine(invoice: invoice, balance: invoice.amount, daysPastDue: 24)],
                                  settings: settings)
    }

    static func composer(_ replay: Replay, budget: Int = 0, spent: Int = 0) -> LLMComposer {
        var c = LLMComposer.Configuration.from(request.settings)!
        c.monthlyTokens = budget
        return LLMComposer(configuration: c, client: replay, fallback: TemplateComposer(), spent: { spent })
    }

    @Test func aFaithfulDraftIsUsedWithItsCost() async throws {
        let replay = Replay([.success("good-email.json")])
        let m = try await Self.composer(replay).compose(Self.request)
        #expect(m.subject == "Invoice INV-1001 is past due")
        #expect(m.body.contains("A quick note from Lakeside Freight") && m.html?.contains("<p>") == true)
        #expect(m.composition == CompositionNote(composer: "model", model: "fixture-model", tokens: 508, milliseconds: m.composition!.milliseconds, notes: []))
        // The model saw the case and the template's message, and no contact address.
        let prompt = replay.asked[0].map { $0.content ?? "" }.joined(separator: "\n")
        #expect(prompt.contains("\"number\":\"INV-1001\"") && prompt.contains("REFERENCE") && prompt.contains("use only the amounts"))
        #expect(!prompt.contains("@"), "no email address reaches the model")
    }

    @Test func aRefusedDraftIsRetriedOnceWithTheReasons() async throws {
        let replay = Replay([.success("invented-amount.json"), .success("good-email.json")])
        let m = try await Self.composer(replay).compose(Self.request)
        #expect(m.composition?.composer == "model" && m.composition?.tokens == 471 + 508)
        #expect(m.composition?.notes.first?.contains("4,250.00 USD") == true)
        let retry = try #require(replay.asked.last?.last?.content)
        #expect(retry.contains("That draft cannot be sent") && retry.contains("the amount \"4,250.00 USD\" is not one the case holds"))
    }

    @Test func twoRefusalsLeaveTheTemplatesMessage() async throws {
        let replay = Replay([.success("threat.json"), .success("invented-amount.json")])
        let template = try TemplateComposer().compose(Self.request)
        let m = try await Self.composer(replay).compose(Self.request)
        #expect(m.body == template.body && m.subject == template.subject)
        let note = try #require(m.composition)
        #expect(note.composer == "template" && note.tokens == 578 + 471 && note.notes.count == 2)
        #expect(note.notes[0].contains("legal action") && note.notes[1].contains("4,250.00 USD"))
        #expect(note.summary.hasPrefix("template (fixture-model not used)"))
    }

    @Test func anErrorATimeoutOrASpentBudgetNeverHoldsAMessageUp() async throws {
        let template = try TemplateComposer().compose(Self.request)
        let failing = Replay([.failure(ChatError(description: "no answer from http://127.0.0.1:9 within 8000 ms"))])
        let m = try await Self.composer(failing).compose(Self.request)
        #expect(m.body == template.body && m.composition?.notes.first?.contains("did not answer") == true)
        let unused = Replay([.success("good-email.json")])
        let broke = try await Self.composer(unused, budget: 10_000, spent: 10_000).compose(Self.request)
        #expect(broke.body == template.body && broke.composition?.notes == ["the month's token budget (10000) is spent"])
        #expect(unused.asked.isEmpty, "no call once the budget is spent")
        // A reply that only calls a tool (none is offered here) is no draft.
        let tools = Replay([.success("tool-call.json"), .success("tool-call.json")])
        let t = try await Self.composer(tools).compose(Self.request)
        #expect(t.composition?.composer == "template" && t.composition?.notes.allSatisfy { $0.contains("empty") } == true)
    }

    @Test func theDocumentedAnswerShapesParse() throws {
        let reply = try OpenAIChatClient.parse(try Data(contentsOf: Self.fixtures.appendingPathComponent("tool-call.json")))
        #expect(reply.message.toolCalls == [ChatMessage.ToolCall(id: "call_fx_1", name: "list_invoices", arguments: #"{"status": "open"}"#)])
        #expect(reply.finishReason == "tool_calls" && reply.promptTokens == 380 && reply.completionTokens == 18)
        #expect(throws: ChatError.self) { try OpenAIChatClient.parse(Data(#"{"error": {"message": "model not found"}}"#.utf8)) }
    }
}
