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
        var offered: [Int] = []
        let lock = NSLock()
        init(_ answers: [Result<String, ChatError>]) { self.answers = answers }
        func complete(model: String, messages: [ChatMessage], tools: [ChatTool], temperature: Double, maxTokens: Int, timeout: Duration) async throws
            -> ChatReply
        {
            let next: Result<String, ChatError> = lock.withLock {
                asked.append(messages)
                offered.append(tools.count)
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
        let invoice = Invoice(
            number: "INV-1001", debtorID: "sample", amount: Money(minorUnits: 245_000, currency: .usd),
            issueDate: LocalDate(year: 2026, month: 10, day: 3)!, dueDate: LocalDate(year: 2026, month: 11, day: 2)!, loadNumber: "LD-5521")
        var r = CompositionRequest(
            kind: .reminder, channel: .email, tone: .friendly, debtor: Debtor(id: "sample", name: "Sample Shipper Inc"),
            contactName: "Alex Payables", invoices: [InvoiceLine(invoice: invoice, balance: invoice.amount, daysPastDue: 24)],
            settings: settings)
        r.now = Timestamp.parse("2026-11-20T16:00:00Z")
        r.history = ["2026-11-18T15:00:00Z to the debtor by email: Invoice INV-1001 is past due."]
        return r
    }

    static func composer(_ replay: Replay, budget: Int = 0, spent: Int = 0) -> LLMComposer {
        var c = LLMComposer.Configuration.from(request.settings)!
        c.monthlyTokens = budget
        return LLMComposer(configuration: c, client: replay, fallback: TemplateComposer(), spent: { _ in spent })
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
    }

    @Test func toolsReadTheCaseAndProposalsAreJudgedNeverDone() async throws {
        let replay = Replay([.success("proposals.json"), .success("good-email.json")])
        let m = try await Self.composer(replay).compose(Self.request)
        #expect(m.composition?.composer == "model" && m.composition?.tokens == 694 + 508)
        // The three calls were answered, in order, each by its id.
        let answered = replay.asked[1].filter { $0.role == "tool" }
        #expect(answered.map(\.toolCallID) == ["call_fx_2", "call_fx_3", "call_fx_4"])
        #expect(answered[0].content?.contains("Sample Shipper Inc") == true && answered[0].content?.contains("2,450.00 USD") == true)
        #expect(answered[1].content?.contains("\"accepted\":true") == true && answered[2].content?.contains("\"accepted\":false") == true)
        let verdicts = try #require(m.composition?.proposals)
        #expect(verdicts.map(\.tool) == ["propose_promise", "propose_dispute"] && verdicts.map(\.accepted) == [true, false])
        #expect(verdicts[0].reason.message.contains("1,000.00 USD by 2026-11-30") && verdicts[1].reason.message.contains("INV-9999 is not an open invoice"))
        // Every tool was offered on the first call.
        #expect(replay.offered.first == 9)
    }

    @Test func aModelThatOnlyCallsToolsMustWriteAfterThreeRounds() async throws {
        let replay = Replay(Array(repeating: .success("tool-call.json"), count: 8))
        let m = try await Self.composer(replay).compose(Self.request)
        #expect(m.composition?.composer == "template" && m.composition?.notes.count == 2)
        #expect(m.composition?.notes.allSatisfy { $0.contains("empty") } == true)
        #expect(replay.offered == [9, 9, 9, 0, 9, 9, 9, 0], "the fourth call of each draft offers no tools")
        let listed = try #require(replay.asked[1].last { $0.role == "tool" }?.content)
        #expect(listed.contains("\"number\":\"INV-1001\"") && listed.contains("\"load\":\"LD-5521\""))
    }

    @Test func aSpokenTurnGetsOneTryAndNoTools() async throws {
        var r = Self.request
        r.channel = .voice
        let replay = Replay([.success("threat.json"), .success("good-email.json")])
        let m = try await Self.composer(replay).compose(r)
        #expect(m.composition?.composer == "template" && m.composition?.notes.count == 1)
        #expect(replay.offered == [0], "one call, no tools: the debtor is on the line")
    }

    @Test func proposalRulesAreChecked() {
        let view = ModelProposal.Case(
            open: ["INV-1": Money(minorUnits: 100_000, currency: .usd)], documents: [("INV-1", .pod)],
            today: LocalDate(year: 2026, month: 11, day: 20)!, maxPromiseDays: 45)
        let now = Timestamp.parse("2026-11-20T16:00:00Z")!
        func judge(_ tool: String, _ args: String) -> ModelProposal.Verdict { ModelProposal.judge(tool: tool, arguments: args, case: view, now: now) }
        #expect(judge("propose_promise", #"{"date":"2026-12-01"}"#).accepted)
        #expect(judge("propose_promise", #"{"date":"2027-03-01"}"#).reason.code == "promise_too_far")
        #expect(!judge("propose_promise", #"{"date":"2026-11-01"}"#).accepted)
        #expect(!judge("propose_promise", #"{"date":"2026-12-01","amount":"5000.00"}"#).accepted)
        #expect(judge("attach_document", #"{"invoice":"INV-1","kind":"pod"}"#).accepted)
        #expect(judge("attach_document", #"{"invoice":"INV-1","kind":"bol"}"#).reason.code == "document_missing")
        #expect(!judge("propose_callback", #"{"at":"2026-11-19T10:00:00Z"}"#).accepted)
        #expect(judge("propose_callback", #"{"at":"2026-11-21T15:00:00Z"}"#).accepted)
        #expect(!judge("delete_invoice", "{}").accepted)
        #expect(!judge("propose_dispute", "not json").accepted)
    }

    @Test func carrierRequiredTextsAreNeverRewritten() async throws {
        var r = Self.request
        r.kind = .optOutConfirmation
        r.channel = .sms
        let replay = Replay([.success("good-email.json")])
        let m = try await Self.composer(replay).compose(r)
        #expect(m == (try TemplateComposer().compose(r)) && replay.asked.isEmpty)
    }

    @Test func theDocumentedAnswerShapesParse() throws {
        let reply = try OpenAIChatClient.parse(try Data(contentsOf: Self.fixtures.appendingPathComponent("tool-call.json")))
        #expect(reply.message.toolCalls == [ChatMessage.ToolCall(id: "call_fx_1", name: "list_invoices", arguments: #"{"status": "open"}"#)])
        #expect(reply.finishReason == "tool_calls" && reply.promptTokens == 380 && reply.completionTokens == 18)
        #expect(throws: ChatError.self) { try OpenAIChatClient.parse(Data(#"{"error": {"message": "model not found"}}"#.utf8)) }
    }

    /// Issue 20, finding 4: whatever sits at a tenant's model URL is not shown back (in the case's
    /// timeline, where a failed draft's reason goes).
    @Test func anAnswerThatIsNotAModelsIsNotRepeated() {
        do {
            _ = try OpenAIChatClient.parse(Data("<html>internal admin console: db password hunter2</html>".utf8))
            Issue.record("parsed")
        } catch {
            #expect(!"\(error)".contains("hunter2") && !"\(error)".contains("admin console"), "\(error)")
        }
    }
}
