import Foundation

/// A stored message, outbound or inbound.
public struct MessageRecord: Hashable, Sendable, Codable {
    /// Direction.
    public enum Direction: String, Sendable, Codable { case outbound = "out", inbound = "in" }
    /// Delivery status.
    public enum Status: String, Sendable, Codable {
        /// Recorded, provider not yet called (or the call's outcome unknown).
        case pending
        /// Accepted by the provider.
        case sent
        /// The provider refused it.
        case failed
        /// Inbound, stored.
        case received
        /// Written, waiting for a person to approve it (autonomy `review`).
        case draft
        /// Written as a suggestion only (autonomy `suggest`); a person may still approve it.
        case suggested
        /// To be sent at `at` (a booked callback).
        case scheduled
        /// Never sent: replaced, rejected or no longer allowed.
        case cancelled
    }

    /// Stable id.
    public var id: String
    /// Deterministic idempotency key (case/cycle/step for attempts; provider id for inbound).
    public var key: String
    /// Direction.
    public var direction: Direction
    /// Channel.
    public var channel: Channel
    /// When sent or received.
    public var at: Date
    /// The debtor (nil for an inbound message no contact matched).
    public var debtorID: String?
    /// The contact.
    public var contactID: Int64?
    /// The contact's name.
    public var contactName: String?
    /// Recipient address.
    public var to: String?
    /// Sender address.
    public var from: String?
    /// Invoices the message is about.
    public var invoiceNumbers: [String]
    /// Ladder stage (1-based) for attempts.
    public var stage: Int?
    /// Attempt within the stage (1-based).
    public var attempt: Int?
    /// `reminder` for ladder attempts, `reply` for inbound.
    public var kind: String
    /// Email subject.
    public var subject: String?
    /// Text (email/SMS) or call script (voice).
    public var body: String
    /// Delivery status.
    public var status: Status
    /// The provider's id.
    public var providerID: String?
    /// The provider's error, if it failed.
    public var error: String?
    /// HTML part (email).
    public var html: String?
    /// Documents attached (email) or linked (SMS).
    public var attachments: [DocumentRef] = []
    /// The inbound message this one answers.
    public var inReplyTo: String?
    /// What the reader understood (inbound).
    public var understanding: Understanding?
    /// Email thread: the `References` of an inbound email, oldest first.
    public var references: [String] = []
    /// How many times it was handed to the provider.
    public var deliveryAttempts = 0
    /// The secret of its unsubscribe, open-pixel and click links (email).
    public var linkToken: String?
    /// First time it was seen opened (tracking pixel; email with tracking on).
    public var openedAt: Date?
    /// How many times it was seen opened.
    public var opens = 0
    /// First time a link in it was followed (tracking on).
    public var clickedAt: Date?
    /// How many times its links were followed.
    public var clicks = 0
    /// The provider's last delivery report (`queued`, `sent`, `delivered`, `undelivered`, `failed`).
    public var deliveryStatus: String?
    /// When the provider reported it delivered.
    public var deliveredAt: Date?
    /// Where the call's recording is (voice, when recording is on).
    public var recordingURL: String?
    /// Who wrote it when a model was configured: the model, or the template and why (nil: templates only).
    public var composition: CompositionNote?

    /// Creates a record.
    public init(
        id: String, key: String, direction: Direction, channel: Channel, at: Date, debtorID: String?, contactID: Int64?,
        contactName: String?, to: String?, from: String?, invoiceNumbers: [String], stage: Int?, attempt: Int?,
        kind: String, subject: String?, body: String, status: Status, providerID: String? = nil, error: String? = nil
    ) {
        self.id = id
        self.key = key
        self.direction = direction
        self.channel = channel
        self.at = at
        self.debtorID = debtorID
        self.contactID = contactID
        self.contactName = contactName
        self.to = to
        self.from = from
        self.invoiceNumbers = invoiceNumbers
        self.stage = stage
        self.attempt = attempt
        self.kind = kind
        self.subject = subject
        self.body = body
        self.status = status
        self.providerID = providerID
        self.error = error
    }
}

/// What a tenant's model did since a date: messages it wrote, messages the template wrote instead,
/// tokens and time spent.
public struct ModelUsage: Hashable, Sendable {
    /// Messages the model wrote.
    public var written: Int
    /// Messages where the template was used instead (refused drafts, errors, timeouts, budget).
    public var fellBack: Int
    /// Tokens spent, every try.
    public var tokens: Int
    /// Average wait for the model per message, in milliseconds.
    public var averageMilliseconds: Int

    /// A value with these fields.
    public init(written: Int, fellBack: Int, tokens: Int, averageMilliseconds: Int) {
        self.written = written
        self.fellBack = fellBack
        self.tokens = tokens
        self.averageMilliseconds = averageMilliseconds
    }
}
