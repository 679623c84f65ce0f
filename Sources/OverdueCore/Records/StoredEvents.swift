import Foundation

/// An event as stored in the outbox and listed by the API.
public struct StoredEvent: Hashable, Sendable {
    /// Its order in the store (cursor for listings).
    public var seq: Int64
    /// `evt_…`, the id subscribers see (and may deduplicate on).
    public var id: String
    /// What happened.
    public var type: EventType
    /// The debtor it is about, if any.
    public var debtorID: String?
    /// The JSON payload exactly as delivered.
    public var payload: String
    /// When it was recorded.
    public var createdAt: Date

    /// A value with these fields.
    public init(seq: Int64, id: String, type: EventType, debtorID: String?, payload: String, createdAt: Date) {
        self.seq = seq
        self.id = id
        self.type = type
        self.debtorID = debtorID
        self.payload = payload
        self.createdAt = createdAt
    }
}

/// `payment.recorded`, and a payment as the API lists it.
public struct PaymentPayload: Encodable, Sendable {
    let id: String
    let debtor_id: String
    let amount_minor: Int64
    let currency: String
    let date: String
    let reference: String?
    let invoice_number: String?

    /// The payment's JSON shape.
    public init(_ p: Payment) {
        id = p.id
        debtor_id = p.debtorID
        amount_minor = p.amount.minorUnits
        currency = p.amount.currency.code
        date = p.date.description
        reference = p.reference
        invoice_number = p.invoiceNumber
    }
}
