import Foundation
import OverdueCore
import OverdueStore

/// What a person records on a case by hand (the case page): a promise, a payment, a dispute opened.
/// Each is checked by the pure `ManualRecord`, written with its reason in the case's decisions (and
/// the outbox's events), and the case is re-planned at once. A refusal names each field; a debtor
/// the tenant does not have is `notFound`.
extension UseCases {
    /// The case's ledger as a person sees it: what is open and in which currency.
    struct Ledgered {
        var settings: TenantSettings
        var invoices: [Invoice]
        var open: [String]
        var balance: Money
        var disputes: [Dispute]
    }

    func ledgered(_ s: Session, tenant: String, debtor: String, now: Date) async throws -> Ledgered {
        guard try await s.debtor(tenant, debtor) != nil else { throw UseCaseError.notFound("debtor", "no debtor '\(debtor)' in tenant \(tenant)") }
        let settings = try await s.settings(tenant)
        let invoices = try await s.invoices(tenant, debtor: debtor)
        let ledger = Ledger.allocate(invoices: invoices, payments: try await s.payments(tenant, debtor: debtor), asOf: LocalDate(now, in: settings.timeZone))
        let open = ledger.open(invoices)
        let currency = open.first?.amount.currency ?? settings.currency
        let owed = open.filter { $0.amount.currency == currency }.reduce(Int64(0)) { $0 + (ledger.balances[$1.number] ?? 0) }
        return Ledgered(
            settings: settings, invoices: invoices, open: open.map(\.number), balance: Money(minorUnits: owed, currency: currency),
            disputes: try await s.disputes(tenant, debtor: debtor))
    }

    /// Records a promise a person heard (`amount` nil: the whole open balance).
    @discardableResult
    public func recordPromise(tenant: String, debtor: String, date: LocalDate?, amount: Money?, channel: Channel, by who: String, at: Date? = nil) async throws
        -> Commitment
    {
        let now = at ?? clock.now()
        return try await store.write { s in
            let l = try await ledgered(s, tenant: tenant, debtor: debtor, now: now)
            let grace = l.settings.promiseGraceBusinessDays
            let id = "prm_" + StableHash.hex("\(tenant)/\(debtor)/manual/\(UUID().uuidString)")
            let (c, why) = try UseCaseError.checked { () throws(ManualRecord.Refused) in
                try ManualRecord.promise(
                    id: id, date: date, amount: amount, balance: l.balance, channel: channel, by: who,
                    today: LocalDate(now, in: l.settings.timeZone), zone: l.settings.timeZone, graceBusinessDays: grace, now: now)
            }
            try await s.insertCommitment(tenant, debtor: debtor, c)
            try await s.recordDecision(tenant, debtor: debtor, at: now, action: .pause, reasons: [why])
            try await s.schedule(tenant, subjects: [debtor], at: now, mode: .earliest)
            return c
        }
    }

    /// Records a payment a person saw arrive.
    @discardableResult
    public func recordPayment(
        tenant: String, debtor: String, amount: Money?, date: LocalDate?, reference: String?, invoice: String?,
        by who: String, at: Date? = nil
    ) async throws -> Payment {
        let now = at ?? clock.now()
        return try await store.write { s in
            let l = try await ledgered(s, tenant: tenant, debtor: debtor, now: now)
            let id = "pay_" + StableHash.hex("\(tenant)/\(debtor)/manual/\(UUID().uuidString)")
            let (p, why) = try UseCaseError.checked { () throws(ManualRecord.Refused) in
                try ManualRecord.payment(
                    id: id, debtor: debtor, amount: amount, date: date, reference: reference, invoice: invoice,
                    invoices: l.invoices.map(\.number), by: who, today: LocalDate(now, in: l.settings.timeZone))
            }
            try await s.upsertPayments(tenant, [p])
            try await s.recordDecision(tenant, debtor: debtor, at: now, action: .wait, reasons: [why])
            try await s.schedule(tenant, subjects: [debtor], at: now, mode: .earliest)
            return p
        }
    }

    /// Opens a dispute a person was told about.
    @discardableResult
    public func openDispute(tenant: String, debtor: String, invoice: String, reason: DisputeReason?, note: String?, by who: String, at: Date? = nil)
        async throws -> Dispute
    {
        let now = at ?? clock.now()
        return try await store.write { s in
            let l = try await ledgered(s, tenant: tenant, debtor: debtor, now: now)
            let id = "dsp_" + StableHash.hex("\(tenant)/\(debtor)/manual/\(UUID().uuidString)")
            let (d, why) = try UseCaseError.checked { () throws(ManualRecord.Refused) in
                try ManualRecord.dispute(id: id, invoice: invoice, reason: reason, note: note, by: who, open: l.open, disputes: l.disputes, now: now)
            }
            try await s.insertDispute(tenant, debtor: debtor, d)
            try await s.recordDecision(tenant, debtor: debtor, at: now, action: .wait, reasons: [why])
            try await s.schedule(tenant, subjects: [debtor], at: now, mode: .earliest)
            return d
        }
    }
}
