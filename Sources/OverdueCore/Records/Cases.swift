import Foundation

/// A case as listed by `overdue cases` and the API.
public struct CaseRecord: Hashable, Sendable, Codable {
    /// Debtor id.
    public var debtorID: String
    /// Debtor name.
    public var debtorName: String
    /// Status.
    public var status: CaseStatus
    /// Open balance in `currency`.
    public var balance: Money?
    /// Open balances in other currencies, if the debtor is billed in several.
    public var otherBalances: [Money]
    /// Number of open invoices.
    public var openInvoices: Int
    /// When the next action is planned.
    public var nextActionAt: Date?
    /// On which channel.
    public var nextActionChannel: Channel?
    /// The earliest due date among the open invoices (aging).
    public var oldestDue: LocalDate?
    /// The planner's latest reasons.
    public var reasons: [Reason]
    /// The ladder state.
    public var state: CaseState
    /// When the case last changed.
    public var updatedAt: Date?

    /// A value with these fields.
    public init(
        debtorID: String, debtorName: String, status: CaseStatus, balance: Money? = nil, otherBalances: [Money], openInvoices: Int, nextActionAt: Date? = nil,
        nextActionChannel: Channel? = nil, oldestDue: LocalDate? = nil, reasons: [Reason], state: CaseState, updatedAt: Date? = nil
    ) {
        self.debtorID = debtorID
        self.debtorName = debtorName
        self.status = status
        self.balance = balance
        self.otherBalances = otherBalances
        self.openInvoices = openInvoices
        self.nextActionAt = nextActionAt
        self.nextActionChannel = nextActionChannel
        self.oldestDue = oldestDue
        self.reasons = reasons
        self.state = state
        self.updatedAt = updatedAt
    }
}

/// What a case listing asks for.
public struct CaseQuery: Hashable, Sendable {
    /// Sortable fields.
    public enum Field: String, CaseIterable, Sendable {
        /// Debtor id.
        case debtor
        /// Primary balance (minor units).
        case balance
        /// Oldest open due date (aging).
        case oldest_due
        /// When the next action is due.
        case next_action_at
        /// Last change.
        case updated_at
    }

    /// `field` ascending, or `-field` descending.
    public struct Sort: Hashable, Sendable {
        /// The field.
        public var field: Field
        /// Whether largest first.
        public var descending: Bool
        /// Creates a sort.
        public init(field: Field, descending: Bool) {
            self.field = field
            self.descending = descending
        }
        /// Parses `balance` / `-balance`.
        public init?(_ text: String) {
            let desc = text.hasPrefix("-")
            guard let f = Field(rawValue: desc ? String(text.dropFirst()) : text) else { return nil }
            self.init(field: f, descending: desc)
        }
    }

    /// Statuses to include (empty: all).
    public var statuses: [CaseStatus] = []
    /// Oldest open invoice due on or after this date.
    public var dueOnOrAfter: LocalDate?
    /// …and on or before this date.
    public var dueOnOrBefore: LocalDate?
    /// Balance range (minor units).
    public var minBalance: Int64?
    /// Balance range (minor units).
    public var maxBalance: Int64?
    /// Balance currency.
    public var currency: Currency?
    /// Channel of the next action.
    public var channel: Channel?
    /// Text in the debtor's name or id.
    public var search: String?
    /// Order.
    public var sort = Sort(field: .debtor, descending: false)

    /// Creates an empty query (everything, by debtor).
    public init() {}

    /// The sort value of a record, for the next page's cursor.
    public func key(of r: CaseRecord) -> String {
        switch sort.field {
        case .debtor: return r.debtorID
        case .balance: return String(r.balance?.minorUnits ?? 0)
        case .oldest_due: return r.oldestDue?.description ?? "9999-12-31"
        case .next_action_at: return r.nextActionAt.map(Timestamp.format) ?? "9999-12-31T00:00:00Z"
        case .updated_at: return r.updatedAt.map(Timestamp.format) ?? ""
        }
    }
}

/// A case as lists show it.
public struct CaseSummary: Hashable, Sendable {
    /// Debtor id.
    public var debtorID: String
    /// Debtor name.
    public var debtorName: String
    /// Status.
    public var status: CaseStatus
    /// Open balance in the case's main currency (nil: nothing open).
    public var balance: Money?
    /// Earliest due date among open invoices.
    public var oldestDue: LocalDate?
    /// When the next action is due.
    public var nextActionAt: Date?
    /// Its channel.
    public var nextActionChannel: Channel?

    /// A value with these fields.
    public init(
        debtorID: String, debtorName: String, status: CaseStatus, balance: Money? = nil, oldestDue: LocalDate? = nil, nextActionAt: Date? = nil,
        nextActionChannel: Channel? = nil
    ) {
        self.debtorID = debtorID
        self.debtorName = debtorName
        self.status = status
        self.balance = balance
        self.oldestDue = oldestDue
        self.nextActionAt = nextActionAt
        self.nextActionChannel = nextActionChannel
    }
}
