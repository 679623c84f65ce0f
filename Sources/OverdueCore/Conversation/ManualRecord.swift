import Foundation

/// What a person records on a case by hand — a promise heard on a call, a payment seen at the
/// bank, a dispute raised by phone — checked before anything is written. Pure: the caller loads the
/// case and writes what comes back; every refusal names the field it is about.
public enum ManualRecord {
    /// Why an entry was refused: one problem per field.
    public struct Refused: Error, Equatable, CustomStringConvertible, Sendable {
        /// (field, what is wrong) pairs.
        public var problems: [Problem]
        /// One refused field.
        public struct Problem: Equatable, Sendable {
            /// The form or JSON field.
            public var field: String
            /// What is wrong with it.
            public var message: String
            /// Creates a problem.
            public init(field: String, message: String) {
                self.field = field
                self.message = message
            }
        }

        /// Creates a refusal.
        public init(problems: [Problem]) { self.problems = problems }
        /// What it is, in words.
        public var description: String { problems.map { "\($0.field): \($0.message)" }.joined(separator: "; ") }
    }

    /// How far ahead a date a person or a caller sets may lie (a promise, a hold's end): two years.
    /// Beyond it the date is a typo or an attack (a hold until the year 7402 silences a case for good).
    public static let maxDaysAhead = 730

    /// A promise to pay `amount` (nil: the whole open balance) by `date`, heard by `who` over
    /// `channel`. Reviewed like a debtor's own promise: after `graceBusinessDays` business days.
    public static func promise(
        id: String, date: LocalDate?, amount: Money?, balance: Money, channel: Channel, by who: String,
        today: LocalDate, zone: TimeZone, graceBusinessDays: Int, now: Date
    ) throws(Refused) -> (Commitment, Reason) {
        var problems: [Refused.Problem] = []
        if date == nil { problems.append(.init(field: "date", message: "give the promised date as YYYY-MM-DD")) }
        if let date, date < today { problems.append(.init(field: "date", message: "\(date) is in the past; a promise is for today or later")) }
        if let date, date > today.adding(days: maxDaysAhead) {
            problems.append(
                .init(field: "date", message: "\(date) is more than \(maxDaysAhead) days ahead; a promise is for \(today.adding(days: maxDaysAhead)) or sooner")
            )
        }
        if balance.minorUnits <= 0 { problems.append(.init(field: "amount", message: "nothing is owed: there is nothing to promise")) }
        if let amount {
            if amount.currency != balance.currency {
                problems.append(.init(field: "amount", message: "the case is billed in \(balance.currency.code), not \(amount.currency.code)"))
            } else if amount.minorUnits <= 0 {
                problems.append(.init(field: "amount", message: "must be more than zero"))
            } else if amount.minorUnits > balance.minorUnits {
                problems.append(.init(field: "amount", message: "\(amount) is more than the open balance \(balance)"))
            }
        }
        guard problems.isEmpty, let date else { throw Refused(problems: problems) }
        let target = amount ?? balance
        let review = date.addingBusinessDays(graceBusinessDays).adding(days: 1).at(in: zone)
        let c = Commitment(
            id: id, kind: .promise, contactID: nil, channel: channel, madeAt: now, date: date, target: target,
            amountStated: amount != nil, reviewAt: review)
        return (
            c,
            Reason(
                "promise_recorded",
                "\(who) recorded a promise to pay \(target) by \(date) (heard by \(channel.rawValue)); ladder paused until \(Timestamp.format(review))")
        )
    }

    /// A dispute of `invoice` for `reason`, opened by `who`. `open` are the case's open invoice
    /// numbers; `disputes` its disputes so far.
    public static func dispute(
        id: String, invoice: String, reason: DisputeReason?, note: String?, by who: String,
        open: [String], disputes: [Dispute], now: Date
    ) throws(Refused) -> (Dispute, Reason) {
        var problems: [Refused.Problem] = []
        if reason == nil { problems.append(.init(field: "reason", message: "choose one of \(DisputeReason.allCases.map(\.rawValue).joined(separator: ", "))")) }
        if invoice.isEmpty {
            problems.append(.init(field: "invoice", message: "choose the invoice disputed"))
        } else if !open.contains(invoice) {
            problems.append(.init(field: "invoice", message: "\(invoice) is not an open invoice of this case"))
        } else if disputes.contains(where: { $0.invoiceNumber == invoice && $0.status == .open }) {
            problems.append(.init(field: "invoice", message: "\(invoice) is already disputed"))
        }
        guard problems.isEmpty, let reason else { throw Refused(problems: problems) }
        let d = Dispute(id: id, invoiceNumber: invoice, reason: reason, openedAt: now)
        let said = note.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : " — \($0)" } ?? ""
        return (d, Reason("dispute_recorded", "\(who) opened a dispute on \(invoice) (\(reason.label))\(said); not chased until resolved"))
    }

    /// Resolving open dispute `id` of the case with `resolution`.
    public static func resolution(id: String, resolution: String, by who: String, disputes: [Dispute]) throws(Refused) -> Reason {
        var problems: [Refused.Problem] = []
        let text = resolution.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let d = disputes.first(where: { $0.id == id }) else {
            throw Refused(problems: [.init(field: "dispute", message: "no dispute \(id) on this case")])
        }
        if d.status != .open { problems.append(.init(field: "dispute", message: "the dispute on \(d.invoiceNumber) is already resolved")) }
        if text.isEmpty { problems.append(.init(field: "resolution", message: "say how it was settled (credit note, rebill, proof sent…)")) }
        guard problems.isEmpty else { throw Refused(problems: problems) }
        return Reason("dispute_resolved", "\(who) resolved the dispute on \(d.invoiceNumber): \(text); chasing resumes if it is still owed")
    }

    /// A payment of `amount` received on `date`, entered by `who`.
    public static func payment(
        id: String, debtor: String, amount: Money?, date: LocalDate?, reference: String?, invoice: String?,
        invoices: [String], by who: String, today: LocalDate
    ) throws(Refused) -> (Payment, Reason) {
        var problems: [Refused.Problem] = []
        if amount == nil { problems.append(.init(field: "amount", message: "give the amount received, e.g. 1250.00")) }
        if let amount, amount.minorUnits <= 0 { problems.append(.init(field: "amount", message: "must be more than zero")) }
        if date == nil { problems.append(.init(field: "date", message: "give the date received as YYYY-MM-DD")) }
        if let date, date > today { problems.append(.init(field: "date", message: "\(date) is in the future; record a payment once it has arrived")) }
        if let invoice, !invoices.contains(invoice) { problems.append(.init(field: "invoice", message: "\(invoice) is not an invoice of this case")) }
        guard problems.isEmpty, let amount, let date else { throw Refused(problems: problems) }
        let p = Payment(id: id, debtorID: debtor, amount: amount, date: date, reference: reference, invoiceNumber: invoice)
        return (p, Reason("payment_recorded", "\(who) recorded a payment of \(amount) received \(date)\(invoice.map { " for \($0)" } ?? "")"))
    }
}
