import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OverdueChannels

/// One message of an OpenAI-style chat-completions conversation.
public struct ChatMessage: Sendable, Hashable {
    /// `system`, `user`, `assistant` or `tool`.
    public var role: String
    /// The text (nil for an assistant turn that only calls tools).
    public var content: String?
    /// Tools the assistant asked to call.
    public var toolCalls: [ToolCall]
    /// For a `tool` message: the call it answers.
    public var toolCallID: String?

    /// Creates a message.
    public init(role: String, content: String?, toolCalls: [ToolCall] = [], toolCallID: String? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
    }

    /// One function call of the assistant.
    public struct ToolCall: Sendable, Hashable {
        /// The call's id (answered by a `tool` message with the same id).
        public var id: String
        /// The function.
        public var name: String
        /// Its arguments: a JSON object as text (as the model wrote it: may be invalid).
        public var arguments: String

        /// Creates a call.
        public init(id: String, name: String, arguments: String) {
            self.id = id
            self.name = name
            self.arguments = arguments
        }
    }

    var json: [String: Any] {
        var o: [String: Any] = ["role": role, "content": content as Any? ?? NSNull()]
        if !toolCalls.isEmpty {
            o["tool_calls"] = toolCalls.map { ["id": $0.id, "type": "function", "function": ["name": $0.name, "arguments": $0.arguments]] }
        }
        if let toolCallID { o["tool_call_id"] = toolCallID }
        return o
    }
}

/// A function the model may call: its name, what it does, and its parameters as a JSON Schema.
public struct ChatTool: Sendable {
    /// Function name.
    public var name: String
    /// What it does (the model reads this).
    public var description: String
    /// JSON Schema of the arguments, as JSON text.
    public var parameters: String

    /// Creates a tool.
    public init(name: String, description: String, parameters: String) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }
}

/// The model's answer with what it cost.
public struct ChatReply: Sendable, Hashable {
    /// The assistant's message.
    public var message: ChatMessage
    /// Tokens of the prompt.
    public var promptTokens: Int
    /// Tokens generated.
    public var completionTokens: Int
    /// `stop`, `length`, `tool_calls`…
    public var finishReason: String?
}

/// Why a model call gave nothing usable.
public struct ChatError: Error, CustomStringConvertible, Sendable {
    /// What went wrong (HTTP status and the server's words, a timeout, a malformed answer).
    public var description: String
}

/// Speaks the chat-completions protocol.
public protocol ChatClient: Sendable {
    /// One completion of `messages` (with `tools` offered), given up after `timeout`.
    func complete(model: String, messages: [ChatMessage], tools: [ChatTool], temperature: Double, maxTokens: Int, timeout: Duration) async throws -> ChatReply
}

/// Any OpenAI-compatible server (OpenAI, Azure's compatible endpoint, a gateway in front of
/// Anthropic, Ollama, vLLM, llama.cpp's server, LM Studio): `POST {base}/chat/completions`.
public struct OpenAIChatClient: ChatClient {
    /// Base URL up to and including `/v1`.
    public let baseURL: String
    /// Bearer key (empty for local servers that need none).
    public let apiKey: String
    /// Whether the base URL may reach private, loopback or link-local addresses (the operator's
    /// `OVERDUE_ALLOW_PRIVATE_TARGETS=1`): it is the tenant's setting.
    public let allowPrivateTargets: Bool

    /// Creates a client.
    public init(baseURL: String, apiKey: String, allowPrivateTargets: Bool = OutboundTarget.privateAllowedByEnvironment) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.allowPrivateTargets = allowPrivateTargets
    }

    /// Asks the model for a completion (`ChatClient`).
    public func complete(model: String, messages: [ChatMessage], tools: [ChatTool], temperature: Double, maxTokens: Int, timeout: Duration) async throws
        -> ChatReply
    {
        try await complete(model: model, messages: messages, tools: tools, temperature: temperature, maxTokens: maxTokens, timeout: timeout, forcing: nil)
    }

    /// A completion that must call the tool named `forcing` (`tool_choice`), when given.
    public func complete(
        model: String, messages: [ChatMessage], tools: [ChatTool], temperature: Double, maxTokens: Int, timeout: Duration,
        forcing: String?
    ) async throws -> ChatReply {
        var body: [String: Any] = ["model": model, "messages": messages.map(\.json), "temperature": temperature, "max_tokens": maxTokens]
        if let forcing { body["tool_choice"] = ["type": "function", "function": ["name": forcing]] }
        if !tools.isEmpty {
            body["tools"] = try tools.map { t -> [String: Any] in
                [
                    "type": "function",
                    "function": [
                        "name": t.name, "description": t.description,
                        "parameters": try JSONSerialization.jsonObject(with: Data(t.parameters.utf8)),
                    ],
                ]
            }
        }
        // The base URL is the tenant's: it may not reach the operator's own network.
        if let url = URL(string: baseURL) {
            do { try await OutboundTarget.check(url, allowPrivate: allowPrivateTargets) } catch {
                throw ChatError(description: "the model's base URL is refused: \(error.description)")
            }
        }
        var request = HTTPClientRequest(url: baseURL + "/chat/completions")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if !apiKey.isEmpty { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        let ms = Int64(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let response: HTTPClientResponse
        do { response = try await OutboundHTTP.client.execute(request, timeout: .milliseconds(max(1, ms))) } catch {
            // Not which error: "refused" against "timed out" would map the far side's ports.
            throw ChatError(description: "no answer from \(baseURL) within \(ms) ms")
        }
        let bytes = try await response.body.collect(upTo: 4 << 20)
        let data = Data(buffer: bytes)
        guard response.status == .ok else {
            // The answer itself is not repeated: it would show whatever sits at that URL.
            throw ChatError(description: "\(baseURL) answered HTTP \(response.status.code)")
        }
        return try Self.parse(data)
    }

    /// Reads a chat-completions answer (the documented `choices[0].message` and `usage`).
    public static func parse(_ data: Data) throws -> ChatReply {
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
            let choice = (root["choices"] as? [[String: Any]])?.first, let message = choice["message"] as? [String: Any]
        else {
            // Not what it said: the base URL is the tenant's, and the answer would show whatever sits there.
            throw ChatError(description: "not a chat-completions answer (\(data.count) bytes)")
        }
        let calls = (message["tool_calls"] as? [[String: Any]] ?? []).compactMap { c -> ChatMessage.ToolCall? in
            guard let f = c["function"] as? [String: Any], let name = f["name"] as? String else { return nil }
            let args =
                f["arguments"] as? String
                ?? ((try? JSONSerialization.data(withJSONObject: f["arguments"] ?? [:])).map { String(decoding: $0, as: UTF8.self) } ?? "{}")
            return ChatMessage.ToolCall(id: c["id"] as? String ?? UUID().uuidString, name: name, arguments: args)
        }
        let usage = root["usage"] as? [String: Any] ?? [:]
        return ChatReply(
            message: ChatMessage(role: "assistant", content: message["content"] as? String, toolCalls: calls),
            promptTokens: usage["prompt_tokens"] as? Int ?? 0, completionTokens: usage["completion_tokens"] as? Int ?? 0,
            finishReason: choice["finish_reason"] as? String)
    }
}
