import Foundation

/// Invoice balances after payments, and how each payment was applied.
public struct Ledger: Hashable, Sendable {
    /// One application of (part of) a payment to an invoice.
    public struct Application: Hashable, Sendable {
        /// The payment.
        public var paymentID: String
        /// The invoice paid.
        public var invoiceNumber: String
        /// Minor units applied.
        public var minorUnits: Int64
        /// How the invoice was chosen: `invoice_number`, `reference` or `oldest_first`.
        public var rule: String
    }

    /// Open balance per invoice number, in the invoice's currency (0 when paid).
    public var balances: [String: Int64]
    /// Every application, in the order made.
    public var applications: [Application]
    /// Money received but not applied to any invoice (overpayment), per currency.
    public var unapplied: [Currency: Int64]
    /// The last payment date taken into account.
    public var lastPaymentDate: LocalDate?

    /// Those of `invoices` still owed and chased: a balance left, not factored.
    public func open(_ invoices: [Invoice]) -> [Invoice] {
        invoices.filter { !$0.factored && (balances[$0.number] ?? 0) > 0 }
    }

    /// Applies `payments` dated on or before `asOf` (all when nil) to `invoices`.
    ///
    /// Matching order per payment: the explicit `invoice_number`; then invoice, load, PRO, BOL or PO
    /// numbers named in `reference`; then the oldest open invoice first. Factored invoices take money
    /// only when named explicitly, never by the oldest-first rule.
    public static func allocate(invoices: [Invoice], payments: [Payment], asOf: LocalDate? = nil) -> Ledger {
        var balances: [String: Int64] = [:]
        for inv in invoices { balances[inv.number] = inv.amount.minorUnits }
        let byNumber = Dictionary(invoices.map { ($0.number.uppercased(), $0) }, uniquingKeysWith: { a, _ in a })
        let oldestFirst = invoices.sorted { ($0.dueDate, $0.issueDate, $0.number) < ($1.dueDate, $1.issueDate, $1.number) }
        var applications: [Application] = []
        var unapplied: [Currency: Int64] = [:]
        var last: LocalDate?
        let ordered = payments.filter { asOf == nil || $0.date <= asOf! }.sorted { ($0.date, $0.id) < ($1.date, $1.id) }
        for p in ordered {
            last = p.date
            var remaining = p.amount.minorUnits
            func apply(_ inv: Invoice, _ rule: String) {
                guard remaining > 0, inv.amount.currency == p.amount.currency, inv.debtorID == p.debtorID else { return }
                let open = balances[inv.number] ?? 0
                guard open > 0 else { return }
                let take = min(open, remaining)
                balances[inv.number] = open - take
                remaining -= take
                applications.append(Application(paymentID: p.id, invoiceNumber: inv.number, minorUnits: take, rule: rule))
            }
            if let n = p.invoiceNumber?.uppercased(), let inv = byNumber[n] { apply(inv, "invoice_number") }
            if remaining > 0, let ref = p.reference, !ref.isEmpty {
                let text = ref.uppercased()
                for inv in oldestFirst where inv.references.contains(where: { Ledger.mentions(text, $0.uppercased()) }) {
                    apply(inv, "reference")
                }
            }
            if remaining > 0 {
                for inv in oldestFirst where !inv.factored { apply(inv, "oldest_first") }
            }
            if remaining > 0 { unapplied[p.amount.currency, default: 0] += remaining }
        }
        return Ledger(balances: balances, applications: applications, unapplied: unapplied, lastPaymentDate: last)
    }

    /// Whether `text` names `token` as a whole word (no letter or digit on either side).
    static func mentions(_ text: String, _ token: String) -> Bool {
        guard token.count >= 3 else { return false }
        var search = text.startIndex..<text.endIndex
        while let r = text.range(of: token, range: search) {
            let before = r.lowerBound == text.startIndex ? nil : text[text.index(before: r.lowerBound)]
            let after = r.upperBound == text.endIndex ? nil : text[r.upperBound]
            let isWordChar: (Character?) -> Bool = { c in c.map { $0.isLetter || $0.isNumber } ?? false }
            if !isWordChar(before) && !isWordChar(after) { return true }
            search = text.index(after: r.lowerBound)..<text.endIndex
        }
        return false
    }
}
