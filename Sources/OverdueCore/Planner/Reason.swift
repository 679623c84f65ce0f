/// Why a decision was taken: a stable code for machines and a sentence for people.
public struct Reason: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Stable machine code, e.g. `outside_window`, `no_consent`, `paid_in_full`.
    public var code: ReasonCode
    /// A human-readable sentence naming the specifics.
    public var message: String

    /// Creates a reason.
    public init(_ code: ReasonCode, _ message: String) {
        self.code = code
        self.message = message
    }

    /// What it is, in words.
    public var description: String { message }
}

/// A reason's stable machine code. Codes are data (stored with decisions, sent in webhooks and
/// API answers as plain strings), so the type is open: any code reads and writes as its text.
/// The ones code branches on are named here, so a typo is a compile error, not a silent miss.
public struct ReasonCode: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The code as stored and sent.
    public let rawValue: String

    /// The code `rawValue`.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The code written in the source.
    public init(stringLiteral value: String) { rawValue = value }

    /// Reads the plain string.
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }

    /// Writes the plain string.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }

    /// The code as text.
    public var description: String { rawValue }

    /// The debtor named the right contact; the ladder restarts there.
    public static let redirect: ReasonCode = "redirect"
    /// A reply a person should read before anything else is done.
    public static let replyReview: ReasonCode = "reply_review"
    /// The ladder ran out of attempts.
    public static let exhausted: ReasonCode = "exhausted"
    /// No contact can be reached on any channel.
    public static let unreachable: ReasonCode = "unreachable"
    /// The voice agent asks the question again.
    public static let askingAgain: ReasonCode = "asking_again"
}
