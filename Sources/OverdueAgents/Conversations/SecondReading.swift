import Foundation
import OverdueCore
import OverdueLanguage

/// Asks an OpenAI-compatible model to read a reply again (`SecondReader` says what to ask and
/// judges the answer). Off unless the tenant sets `nlu.llm on`; an error or a timeout leaves the
/// classifier's reading, which a person then reads.
public struct SecondReading: Sendable {
    let client: any ChatClient
    let model: String
    let timeout: Duration

    /// Creates a second reader on `client`.
    public init(client: any ChatClient, model: String, timeout: Duration) {
        self.client = client
        self.model = model
        self.timeout = timeout
    }

    /// The tenant's second reader, when `nlu.llm` is on (the model and server of the `llm.*` settings;
    /// in a live call, the spoken turn's shorter timeout).
    public static func from(_ settings: TenantSettings, inCall: Bool = false) -> SecondReading? {
        guard settings.isOn("nlu.llm") else { return nil }
        let client = OpenAIChatClient(baseURL: settings.value("llm.base_url")!, apiKey: settings.value("llm.api_key") ?? "")
        return SecondReading(
            client: client, model: settings.value("llm.model")!,
            timeout: .milliseconds(Int(settings.value(inCall ? "llm.voice_timeout_ms" : "llm.timeout_ms") ?? "") ?? (inCall ? 1500 : 8000)))
    }

    /// The model's reading of `text`, judged: used only when consistent with the reply.
    public func read(_ text: String, channel: Channel, reference: LocalDate, first: ReplyAnalysis) async -> SecondReader.Verdict {
        let messages = [
            ChatMessage(role: "system", content: SecondReader.instructions(channel: channel, reference: reference)),
            ChatMessage(role: "user", content: ReplyCleaner.split(text).own),
        ]
        let tool = ChatTool(name: SecondReader.toolName, description: SecondReader.toolDescription, parameters: SecondReader.schema)
        do {
            let reply: ChatReply
            if let openAI = client as? OpenAIChatClient {
                reply = try await openAI.complete(
                    model: model, messages: messages, tools: [tool], temperature: 0, maxTokens: 200, timeout: timeout,
                    forcing: SecondReader.toolName)
            } else {
                reply = try await client.complete(model: model, messages: messages, tools: [tool], temperature: 0, maxTokens: 200, timeout: timeout)
            }
            guard let call = reply.message.toolCalls.first(where: { $0.name == SecondReader.toolName }) else {
                return SecondReader.judge(arguments: reply.message.content ?? "", text: text, channel: channel, reference: reference, first: first)
            }
            return SecondReader.judge(arguments: call.arguments, text: text, channel: channel, reference: reference, first: first)
        } catch {
            return SecondReader.Verdict(modelIntent: nil, used: false, agreed: false, reason: "model's reading unavailable: \(error)", analysis: first)
        }
    }
}
