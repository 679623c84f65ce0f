/// OverdueChannels — the ways Overdue reaches people: the `ChannelAdapter` protocol and its
/// adapters — email over SMTP (`EmailChannel`), texts over Twilio, Vonage and Plivo (`SMS/`),
/// calls over Twilio Programmable Voice (`Voice/`), the sandbox and the recording channel — plus
/// tracking links, the one outbound HTTP client (`OutboundHTTP`, no redirects) and what a tenant's
/// URL may reach (`OutboundTarget`). Adapters deliver what they are given; they never decide whether or when to
/// contact anyone. The composition root (`Runtime`) picks which adapter serves each channel.
import Foundation
import OverdueCore

/// A message ready to hand to a provider.
public struct OutboundMessage: Hashable, Sendable {
    /// Overdue's message id.
    public var id: String
    /// Idempotency key: a provider that supports one receives it, so a retry never sends twice.
    public var key: String
    /// Channel.
    public var channel: Channel
    /// Recipient address (email or E.164).
    public var to: String
    /// Sender identity.
    public var from: String
    /// Email subject.
    public var subject: String?
    /// Text or call script.
    public var body: String
    /// HTML part (email).
    public var html: String?
    /// Documents to attach (email); their files are read by the adapter from the documents directory.
    public var attachments: [DocumentRef] = []
    /// The tenant sending it (adapters with per-tenant settings need it).
    public var tenant: String?
    /// The `Message-ID` of the message this one answers (email threading).
    public var inReplyTo: String?
    /// The thread's `Message-ID`s, oldest first.
    public var references: [String] = []
    /// The secret of the message's unsubscribe and tracking links (email).
    public var linkToken: String?
    /// Which try this is (1 for the first; more after temporary failures).
    public var attempt = 1
    /// When the first try was made (retries and failover look for it from then on).
    public var firstTriedAt: Date?

    /// Creates a message.
    public init(id: String, key: String, channel: Channel, to: String, from: String, subject: String?, body: String) {
        self.id = id
        self.key = key
        self.channel = channel
        self.to = to
        self.from = from
        self.subject = subject
        self.body = body
    }
}

/// What a provider answered.
public struct DeliveryReceipt: Hashable, Sendable {
    /// The provider's id for the message.
    public var providerID: String
    /// Creates a receipt.
    public init(providerID: String) { self.providerID = providerID }
}

/// Why a provider did not take a message.
public enum DeliveryError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Worth retrying later (4xx SMTP, 5xx HTTP, timeouts).
    case temporary(String)
    /// Never worth retrying (configuration refused, message refused).
    case permanent(String)
    /// The recipient's address itself was refused permanently (unknown mailbox, landline): the address is bad.
    case rejectedAddress(String)

    /// What it is, in words.
    public var description: String {
        switch self {
        case .temporary(let m): return "temporary failure: \(m)"
        case .permanent(let m): return "permanent failure: \(m)"
        case .rejectedAddress(let m): return "address refused: \(m)"
        }
    }
}

/// What a provider knows of a message Overdue recorded but never heard back about.
public enum DeliveryTrace: Hashable, Sendable {
    /// The provider has it: it was sent.
    case delivered(DeliveryReceipt)
    /// The provider has no trace of it: it was never sent and may be sent now.
    case notFound
    /// The provider cannot tell: it must not be sent again blindly.
    case unknown
}

/// A channel adapter.
public protocol ChannelAdapter: Sendable {
    /// The channels this adapter delivers.
    var channels: Set<Channel> { get }
    /// Hands `message` to the provider.
    func send(_ message: OutboundMessage) async throws(DeliveryError) -> DeliveryReceipt
    /// Whether the provider received the message with idempotency key `key` (after a crash between
    /// recording an attempt and learning the provider's answer).
    func trace(key: String) async throws(DeliveryError) -> DeliveryTrace
}

extension ChannelAdapter {
    /// Providers that cannot look messages up answer `.unknown`: such a message is never resent blindly.
    public func trace(key: String) async throws(DeliveryError) -> DeliveryTrace { .unknown }
}

/// The sandbox: accepts every message and delivers nothing. The outbox in the store is the record
/// of what would have been sent.
public struct SandboxChannel: ChannelAdapter {
    /// Creates the sandbox.
    public init() {}

    /// The channels this adapter serves.
    public var channels: Set<Channel> { Set(Channel.allCases) }

    /// Hands the message to the provider (`ChannelAdapter`).
    public func send(_ message: OutboundMessage) async throws(DeliveryError) -> DeliveryReceipt {
        DeliveryReceipt(providerID: "sandbox-\(message.id)")
    }

    /// The sandbox delivers nothing, so nothing is ever lost by "sending" again.
    public func trace(key: String) async throws(DeliveryError) -> DeliveryTrace { .notFound }
}
