import Foundation

/// How a message came to be written: by a model (which, its tokens and time) or by the template
/// after a model's drafts were refused or it did not answer (why).
public struct CompositionNote: Hashable, Sendable, Codable {
    /// `model` or `template`.
    public var composer: String
    /// The model asked (nil when none was).
    public var model: String?
    /// Tokens spent on this message (prompt + completion, every try).
    public var tokens: Int
    /// Time spent waiting for the model, in milliseconds.
    public var milliseconds: Int
    /// Why drafts were refused or the model was not used.
    public var notes: [String]
    /// What the model proposed through its tools, each with the rules' verdict (recorded with the case's decision).
    public var proposals: [ModelProposal.Verdict] = []

    /// Creates a note.
    public init(composer: String, model: String?, tokens: Int, milliseconds: Int, notes: [String]) {
        self.composer = composer
        self.model = model
        self.tokens = tokens
        self.milliseconds = milliseconds
        self.notes = notes
    }

    /// One line for the timeline and logs.
    public var summary: String {
        var s = composer == "model" ? "written by \(model ?? "a model")" : "template" + (model.map { " (\($0) not used)" } ?? "")
        if tokens > 0 || milliseconds > 0 { s += " · \(tokens) tokens · \(milliseconds) ms" }
        if !notes.isEmpty { s += " · " + notes.joined(separator: "; ") }
        if !proposals.isEmpty { s += " · " + proposals.map(\.reason.message).joined(separator: "; ") }
        return s
    }
}
