import Foundation

/// The account that owes money: a shipper, broker or consignee.
public struct Debtor: Hashable, Sendable, Codable {
    /// The tenant's own id for the debtor (from the CSV's `debtor_id`).
    public var id: String
    /// Display name.
    public var name: String

    /// Creates a debtor.
    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

/// A person or mailbox at a debtor that Overdue may contact.
public struct Contact: Hashable, Sendable, Codable {
    /// Store-assigned id, stable across re-imports.
    public var id: Int64
    /// The debtor this contact belongs to.
    public var debtorID: String
    /// Name as imported.
    public var name: String
    /// Email address, if any.
    public var email: String?
    /// E.164 phone number, if any.
    public var phone: String?
    /// Free-text role ("AP clerk", "Controller").
    public var role: String?
    /// IANA time zone identifier in which contact rules are evaluated.
    public var timeZone: String
    /// Recorded consent to receive SMS.
    public var smsConsent: Bool
    /// Recorded consent to receive calls.
    public var callConsent: Bool
    /// The channel the contact prefers, if stated.
    public var preferredChannel: Channel?
    /// The language the contact writes in (`en`, `es`, `fr`), learned from their replies.
    public var language: String?

    /// Creates a contact.
    public init(
        id: Int64, debtorID: String, name: String, email: String? = nil, phone: String? = nil,
        role: String? = nil, timeZone: String, smsConsent: Bool = false, callConsent: Bool = false,
        preferredChannel: Channel? = nil, language: String? = nil
    ) {
        self.id = id
        self.debtorID = debtorID
        self.name = name
        self.email = email
        self.phone = phone
        self.role = role
        self.timeZone = timeZone
        self.smsConsent = smsConsent
        self.callConsent = callConsent
        self.preferredChannel = preferredChannel
        self.language = language
    }

    /// The language to keep for this contact after a reply in `replyLanguage` of `words` words
    /// with `intent`: a reply of three words or more that a person wrote (not an auto-reply or a
    /// carrier keyword) says which language they write in; "ok" or "STOP" says nothing.
    public func learningLanguage(_ replyLanguage: String?, words: Int, intent: Intent, keyword: String?) -> String? {
        guard let replyLanguage, words >= 3, intent != .autoReply, keyword == nil else { return language }
        return replyLanguage
    }

    /// The address for `channel`, if the contact has one.
    public func address(for channel: Channel) -> String? {
        switch channel {
        case .email: return email
        case .sms, .voice: return phone
        }
    }

    /// Whether consent for `channel` is recorded (email needs none).
    public func hasConsent(for channel: Channel) -> Bool {
        switch channel {
        case .email: return true
        case .sms: return smsConsent
        case .voice: return callConsent
        }
    }

    /// The contact's zone, falling back to UTC for an identifier the system does not know.
    public var zone: TimeZone { TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")! }
}

/// A freight invoice.
public struct Invoice: Hashable, Sendable, Codable {
    /// The invoice number, unique per tenant.
    public var number: String
    /// The debtor billed.
    public var debtorID: String
    /// The invoiced amount.
    public var amount: Money
    /// Issue date.
    public var issueDate: LocalDate
    /// Due date.
    public var dueDate: LocalDate
    /// Load number, if any.
    public var loadNumber: String?
    /// PRO number, if any.
    public var proNumber: String?
    /// Bill of lading number, if any.
    public var bolNumber: String?
    /// Purchase order number, if any.
    public var poNumber: String?
    /// Payment terms text ("Net 30").
    public var terms: String?
    /// Sold to a factoring company: never dunned by Overdue.
    public var factored: Bool

    /// Creates an invoice.
    public init(
        number: String, debtorID: String, amount: Money, issueDate: LocalDate, dueDate: LocalDate,
        loadNumber: String? = nil, proNumber: String? = nil, bolNumber: String? = nil,
        poNumber: String? = nil, terms: String? = nil, factored: Bool = false
    ) {
        self.number = number
        self.debtorID = debtorID
        self.amount = amount
        self.issueDate = issueDate
        self.dueDate = dueDate
        self.loadNumber = loadNumber
        self.proNumber = proNumber
        self.bolNumber = bolNumber
        self.poNumber = poNumber
        self.terms = terms
        self.factored = factored
    }

    /// Every reference a payment remittance may use to name this invoice.
    public var references: [String] {
        [number, loadNumber, proNumber, bolNumber, poNumber].compactMap { $0 }.filter { !$0.isEmpty }
    }
}

/// Money received from a debtor.
public struct Payment: Hashable, Sendable, Codable {
    /// Stable id (from the file or derived from its contents).
    public var id: String
    /// The paying debtor.
    public var debtorID: String
    /// Amount received.
    public var amount: Money
    /// Date received.
    public var date: LocalDate
    /// Remittance text that may name invoice, load, PRO, BOL or PO numbers.
    public var reference: String?
    /// The invoice explicitly paid, if given.
    public var invoiceNumber: String?

    /// Creates a payment.
    public init(id: String, debtorID: String, amount: Money, date: LocalDate, reference: String? = nil, invoiceNumber: String? = nil) {
        self.id = id
        self.debtorID = debtorID
        self.amount = amount
        self.date = date
        self.reference = reference
        self.invoiceNumber = invoiceNumber
    }
}

/// A pause on a debtor (all invoices) or on one invoice, until an instant.
public struct Hold: Hashable, Sendable, Codable {
    /// The debtor held.
    public var debtorID: String
    /// The invoice held, or nil for the whole debtor.
    public var invoiceNumber: String?
    /// Why (shown in reasons).
    public var reason: String
    /// When the hold ends.
    public var until: Date

    /// Creates a hold.
    public init(debtorID: String, invoiceNumber: String? = nil, reason: String, until: Date) {
        self.debtorID = debtorID
        self.invoiceNumber = invoiceNumber
        self.reason = reason
        self.until = until
    }

    /// Whether the hold is in force at `now`.
    public func isActive(at now: Date) -> Bool { now < until }

    /// How a hold that waits for a person to read a reply starts its reason; resolving the reply's
    /// inbox item ends it.
    public static let replyReviewPrefix = "a person reads the reply"
    /// How long a reply waits for a person before the ladder goes on without them.
    public static let replyReviewBusinessDays = 2
    /// The inbox codes of replies a person reads while the ladder waits.
    public static let replyReviewCodes: Set<String> = ["not_understood", "low_confidence"]
}

/// A contact's opt-out from a channel (or from all channels when `channel` is nil).
public struct Suppression: Hashable, Sendable, Codable {
    /// The contact.
    public var contactID: Int64
    /// The channel, or nil for every channel.
    public var channel: Channel?
    /// Why (e.g. "replied STOP").
    public var reason: String

    /// Creates a suppression.
    public init(contactID: Int64, channel: Channel?, reason: String) {
        self.contactID = contactID
        self.channel = channel
        self.reason = reason
    }

    /// Whether this suppression blocks `channel`.
    public func blocks(_ c: Channel) -> Bool { channel == nil || channel == c }
}

/// A past outbound attempt, as the compliance gate needs it.
public struct SentAttempt: Hashable, Sendable, Codable {
    /// When it was sent.
    public var at: Date
    /// Over which channel.
    public var channel: Channel
    /// To which contact.
    public var contactID: Int64

    /// Creates a record.
    public init(at: Date, channel: Channel, contactID: Int64) {
        self.at = at
        self.channel = channel
        self.contactID = contactID
    }
}

/// A past inbound message from one of the debtor's contacts.
public struct ReceivedReply: Hashable, Sendable, Codable {
    /// When it arrived.
    public var at: Date
    /// Over which channel.
    public var channel: Channel
    /// From which contact (nil if not matched to a contact).
    public var contactID: Int64?

    /// Creates a record.
    public init(at: Date, channel: Channel, contactID: Int64?) {
        self.at = at
        self.channel = channel
        self.contactID = contactID
    }
}
