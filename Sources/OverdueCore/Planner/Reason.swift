/// Why a decision was taken: a stable code for machines and a sentence for people.
public struct Reason: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Stable machine code, e.g. `outside_window`, `no_consent`, `paid_in_full`.
    public var code: String
    /// A human-readable sentence naming the specifics.
    public var message: String

    /// Creates a reason.
    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    /// What it is, in words.
    public var description: String { message }
}
