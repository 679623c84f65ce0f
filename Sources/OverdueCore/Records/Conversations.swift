import Foundation

/// Something a person must look at.
public struct InboxItem: Hashable, Sendable, Codable {
    /// What kind of attention it needs.
    public enum Kind: String, Hashable, Sendable, Codable {
        /// The case was handed to a person: nothing automatic until they act.
        case handoff
        /// A person should look; automation goes on.
        case flag
        /// A written answer waits for approval.
        case draft
        /// An inbound message no contact matched.
        case unmatched
    }

    /// Store id.
    public var id: Int64
    /// The debtor (nil for unmatched mail).
    public var debtorID: String?
    /// Kind.
    public var kind: Kind
    /// Reason code.
    public var code: String
    /// Why, in words.
    public var reason: String
    /// The inbound message it is about.
    public var messageID: String?
    /// The draft waiting for approval.
    public var draftID: String?
    /// When it was raised.
    public var createdAt: Date
    /// When it was dealt with.
    public var resolvedAt: Date?
    /// How.
    public var resolution: String?

    /// A value with these fields.
    public init(
        id: Int64, debtorID: String? = nil, kind: Kind, code: String, reason: String, messageID: String? = nil, draftID: String? = nil, createdAt: Date,
        resolvedAt: Date? = nil, resolution: String? = nil
    ) {
        self.id = id
        self.debtorID = debtorID
        self.kind = kind
        self.code = code
        self.reason = reason
        self.messageID = messageID
        self.draftID = draftID
        self.createdAt = createdAt
        self.resolvedAt = resolvedAt
        self.resolution = resolution
    }
}

/// A stored document with where its file is.
public struct StoredDocument: Hashable, Sendable {
    /// Metadata.
    public var ref: DocumentRef
    /// The debtor whose invoice it belongs to.
    public var debtorID: String
    /// File path relative to the documents directory.
    public var path: String
    /// The secret token of its download link.
    public var token: String
    /// When it was added.
    public var createdAt: Date

    /// Creates a stored document.
    public init(ref: DocumentRef, debtorID: String, path: String, token: String, createdAt: Date) {
        self.ref = ref
        self.debtorID = debtorID
        self.path = path
        self.token = token
        self.createdAt = createdAt
    }
}

/// A tenant's own version of a message template.
public struct TemplateOverride: Hashable, Sendable, Codable {
    /// Template name (`reminder.friendly`, `promise_confirmation`, …).
    public var name: String
    /// Channel.
    public var channel: Channel
    /// Email subject template.
    public var subject: String?
    /// Body template.
    public var body: String

    /// Creates an override.
    public init(name: String, channel: Channel, subject: String?, body: String) {
        self.name = name
        self.channel = channel
        self.subject = subject
        self.body = body
    }
}

/// A contact a reply named (the right person, the one covering an absence), waiting for a person.
public struct ContactProposal: Hashable, Sendable {
    /// Store id.
    public var id: Int64
    /// The debtor whose contact it would be.
    public var debtorID: String
    /// The contact proposed.
    public var contact: NewContact
    /// Why (`redirect`: the replier is the wrong contact; `alternate`: the one in their absence).
    public var reason: Reason
    /// The reply that named it.
    public var messageID: String?
    /// When it was proposed.
    public var createdAt: Date

    /// A proposal as stored.
    public init(id: Int64, debtorID: String, contact: NewContact, reason: Reason, messageID: String?, createdAt: Date) {
        (self.id, self.debtorID, self.contact, self.reason, self.messageID, self.createdAt) = (id, debtorID, contact, reason, messageID, createdAt)
    }
}
