import Foundation

/// Something the debtor told us that pauses the chase until it can be checked: a promise to pay by
/// a date, or a claim that the money was already sent.
public struct Commitment: Hashable, Sendable, Codable {
    /// What was said.
    public enum Kind: String, Hashable, Sendable, Codable {
        /// "We will pay on Friday."
        case promise
        /// "We already paid."
        case paymentClaim = "payment_claim"
    }

    /// Where it stands.
    public enum Status: String, Hashable, Sendable, Codable, CaseIterable {
        /// Not yet due for checking.
        case open
        /// The money arrived.
        case kept
        /// A promise whose date and grace passed without the money.
        case broken
        /// A payment claim no payment matched in time: a person looks for it.
        case unmatched
    }

    /// Stable id (derived from the inbound message).
    public var id: String
    /// What was said.
    public var kind: Kind
    /// The contact who said it.
    public var contactID: Int64?
    /// Over which channel.
    public var channel: Channel
    /// When it was said.
    public var madeAt: Date
    /// The promised date (promises) or the day of the claim (payment claims).
    public var date: LocalDate
    /// The money that must arrive for it to count as kept.
    public var target: Money
    /// Whether the debtor named the amount (otherwise the open balance when it was made).
    public var amountStated: Bool
    /// When it is checked: the promised date plus grace, or the end of the claim's matching window.
    public var reviewAt: Date
    /// Where it stands.
    public var status: Status
    /// Invoices it is about (empty: all open invoices).
    public var invoiceNumbers: [String]
    /// The inbound message it came from.
    public var messageID: String?

    /// Creates a commitment.
    public init(
        id: String, kind: Kind, contactID: Int64?, channel: Channel, madeAt: Date, date: LocalDate, target: Money,
        amountStated: Bool, reviewAt: Date, status: Status = .open, invoiceNumbers: [String] = [], messageID: String? = nil
    ) {
        self.id = id
        self.kind = kind
        self.contactID = contactID
        self.channel = channel
        self.madeAt = madeAt
        self.date = date
        self.target = target
        self.amountStated = amountStated
        self.reviewAt = reviewAt
        self.status = status
        self.invoiceNumbers = invoiceNumbers
        self.messageID = messageID
    }

    /// The verdict on an open commitment at `now`, or nil while it is still open and unmet.
    /// `payments` are the debtor's payments; `openBalance` its open balance in the target currency.
    public func review(payments: [Payment], openBalance: Int64, zone: TimeZone, now: Date) -> (Status, Reason)? {
        guard status == .open else { return nil }
        let since = LocalDate(madeAt, in: zone)
        // A payment dated a few days before a claim is what a claim is about.
        let from = kind == .paymentClaim ? since.adding(days: -10) : since
        let received = payments.filter { $0.amount.currency == target.currency && $0.date >= from && $0.date <= LocalDate(now, in: zone) }
            .reduce(Int64(0)) { $0 + $1.amount.minorUnits }
        let got = Money(minorUnits: received, currency: target.currency)
        let what = kind == .promise ? "promise to pay \(target) by \(date)" : "payment claim of \(date) (\(target))"
        if received >= target.minorUnits || openBalance <= 0 {
            return (.kept, Reason(kind == .promise ? "promise_kept" : "claim_matched", "\(what): \(got) received since \(from) — kept"))
        }
        guard now >= reviewAt else { return nil }
        switch kind {
        case .promise:
            return (
                .broken,
                Reason(
                    "promise_broken",
                    "\(what) broken: \(received > 0 ? "only \(got)" : "nothing") received by \(Timestamp.format(reviewAt)); the ladder resumes with a follow-up"
                )
            )
        case .paymentClaim:
            return (.unmatched, Reason("claim_unmatched", "\(what): no matching payment by \(Timestamp.format(reviewAt)); handed to a person to find it"))
        }
    }
}

/// A debtor's dispute of one invoice. While open, that invoice is not chased; the rest of the case is.
public struct Dispute: Hashable, Sendable, Codable {
    /// Where it stands.
    public enum Status: String, Hashable, Sendable, Codable { case open, resolved }

    /// Stable id.
    public var id: String
    /// The invoice disputed.
    public var invoiceNumber: String
    /// Why.
    public var reason: DisputeReason
    /// When it was opened.
    public var openedAt: Date
    /// Where it stands.
    public var status: Status
    /// How it was settled (resolved disputes).
    public var resolution: String?
    /// The inbound message it came from.
    public var messageID: String?

    /// Creates a dispute.
    public init(
        id: String, invoiceNumber: String, reason: DisputeReason, openedAt: Date, status: Status = .open, resolution: String? = nil, messageID: String? = nil
    ) {
        self.id = id
        self.invoiceNumber = invoiceNumber
        self.reason = reason
        self.openedAt = openedAt
        self.status = status
        self.resolution = resolution
        self.messageID = messageID
    }
}

/// A stored document's metadata (the file itself lives on disk).
public struct DocumentRef: Hashable, Sendable, Codable {
    /// Stable id.
    public var id: String
    /// The invoice it belongs to.
    public var invoiceNumber: String
    /// What it is.
    public var kind: DocumentKind
    /// The file name shown to the debtor.
    public var filename: String
    /// MIME type.
    public var contentType: String
    /// Size in bytes.
    public var size: Int64
    /// SHA-256 of the content, hex.
    public var sha256: String

    /// Creates a reference.
    public init(id: String, invoiceNumber: String, kind: DocumentKind, filename: String, contentType: String, size: Int64, sha256: String) {
        self.id = id
        self.invoiceNumber = invoiceNumber
        self.kind = kind
        self.filename = filename
        self.contentType = contentType
        self.size = size
        self.sha256 = sha256
    }
}

extension LocalDate {
    /// The date `n` business days (Monday–Friday) after this one.
    public func addingBusinessDays(_ n: Int) -> LocalDate {
        var d = self
        var left = n
        while left > 0 {
            d = d.adding(days: 1)
            if d.isoWeekday <= 5 { left -= 1 }
        }
        return d
    }
}

extension Invoice {
    /// Whether `reference` (as a debtor wrote it) names this invoice: its number or its load, PRO,
    /// BOL or PO number, ignoring case, `#` and leading zeros.
    public func matches(reference: String) -> Bool {
        let r = Invoice.canonical(reference)
        guard !r.isEmpty else { return false }
        let candidates = ([number] + references).map(Invoice.canonical)
        if candidates.contains(r) { return true }
        // "1001" for INV-1001: a bare number names the reference whose digits it is.
        guard r.count >= 4, r.allSatisfy(\.isNumber) else { return false }
        return candidates.contains { c in
            let digits = c.filter(\.isNumber)
            return c.count - digits.count <= 4 && Invoice.canonical(String(digits)) == r
        }
    }

    static func canonical(_ s: String) -> String {
        var t = s.uppercased().filter { $0.isLetter || $0.isNumber }
        while t.hasPrefix("0") && t.count > 1 { t.removeFirst() }
        return t
    }
}
