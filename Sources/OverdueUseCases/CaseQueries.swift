import Foundation
import OverdueCore
import OverdueStore

/// What the doors show about cases: the listings (`GET /api/v1/cases`, `overdue cases`, the
/// worklist), one case with its history (`GET /api/v1/cases/{debtor}`, the case page), the
/// overview's figures, the outbox and the inbox.
extension UseCases {
    /// One case with everything a person reads on its page.
    public struct CaseFile: Sendable {
        /// The case.
        public let record: CaseRecord
        /// The debtor's contacts.
        public let contacts: [Contact]
        /// Its contacts' opt-outs.
        public let suppressions: [Suppression]
        /// Its invoices.
        public let invoices: [Invoice]
        /// Documents on file.
        public let documents: [StoredDocument]
        /// Every message, both ways.
        public let messages: [MessageRecord]
        /// The planner's decisions, oldest first.
        public let decisions: [(at: Date, action: String, reasons: [Reason])]
        /// Promises.
        public let promises: [Commitment]
        /// Disputes.
        public let disputes: [Dispute]
        /// Holds.
        public let holds: [Hold]
        /// Payments.
        public let payments: [Payment]
        /// When it was read.
        public let now: Date
        /// Invoice numbers with money still owed.
        public var openInvoices: [String] = []
        /// The tenant's zone, for "today".
        public var zone: TimeZone = TimeZone(identifier: "UTC")!

        /// A case file with these parts.
        public init(
            record: CaseRecord, contacts: [Contact], suppressions: [Suppression], invoices: [Invoice], documents: [StoredDocument],
            messages: [MessageRecord], decisions: [(at: Date, action: String, reasons: [Reason])], promises: [Commitment], disputes: [Dispute],
            holds: [Hold], payments: [Payment], now: Date
        ) {
            self.record = record
            self.contacts = contacts
            self.suppressions = suppressions
            self.invoices = invoices
            self.documents = documents
            self.messages = messages
            self.decisions = decisions
            self.promises = promises
            self.disputes = disputes
            self.holds = holds
            self.payments = payments
            self.now = now
        }
    }

    /// The overview's figures.
    public struct OverviewFigures: Sendable {
        /// Balances and aging.
        public let overview: Overview
        /// Collected this month, in the tenant's currency (minor units).
        public let collected: Int64
        /// Promises due, kept and broken.
        public let promises: PromiseFigures
        /// Open disputes by reason, most first.
        public let disputes: [(reason: String, count: Int)]
        /// Attempts, replies and payments per channel and stage (90 days).
        public let effectiveness: [ChannelEffectiveness]
        /// DSO month by month.
        public let dso: [DSOTrend.Point]
        /// What the model did this month (nil: no model in use).
        public var model: ModelUsage?

        /// Figures with these parts.
        public init(
            overview: Overview, collected: Int64, promises: PromiseFigures, disputes: [(reason: String, count: Int)],
            effectiveness: [ChannelEffectiveness], dso: [DSOTrend.Point], model: ModelUsage? = nil
        ) {
            self.overview = overview
            self.collected = collected
            self.promises = promises
            self.disputes = disputes
            self.effectiveness = effectiveness
            self.dso = dso
            self.model = model
        }
    }

    /// A case on the worklist, with its priority and why.
    public struct WorkItem: Sendable {
        /// The case.
        public let record: CaseSummary
        /// Its priority (higher first).
        public let score: Double
        /// Why it ranks where it does.
        public let reasons: [String]
        /// Days the oldest open invoice is past due.
        public let daysPastDue: Int

        /// A worklist row.
        public init(record: CaseSummary, score: Double, reasons: [String], daysPastDue: Int) {
            self.record = record
            self.score = score
            self.reasons = reasons
            self.daysPastDue = daysPastDue
        }
    }

    /// An inbox item with what a person needs to act on it.
    public typealias InboxRow = (item: InboxItem, debtorName: String?, message: MessageRecord?, draft: MessageRecord?)

    /// The tenant's cases, with `status` only when given.
    public func cases(tenant: String, status: CaseStatus? = nil) async throws -> [CaseRecord] {
        try await store.read { try await $0.cases(tenant, status: status) }
    }

    /// Up to `limit` cases matching `query`, after the cursor `after` (the sort key and debtor
    /// of the last case shown).
    public func cases(tenant: String, query: CaseQuery, after: (key: String, debtor: String)?, limit: Int) async throws -> [CaseRecord] {
        try await store.read { try await $0.cases(tenant, query: query, after: after, limit: limit) }
    }

    /// Debtor `debtor`'s case, if there is one.
    public func caseRecord(tenant: String, debtor: String) async throws -> CaseRecord? {
        try await store.read { try await $0.caseRecord(tenant, debtor: debtor) }
    }

    /// Debtor `debtor`'s case with its whole history (nil: no such case).
    public func caseFile(tenant: String, debtor: String) async throws -> CaseFile? {
        let now = clock.now()
        return try await store.read { s -> CaseFile? in
            guard let record = try await s.caseRecord(tenant, debtor: debtor) else { return nil }
            let zone = try await s.settings(tenant).timeZone
            let invoices = try await s.invoices(tenant, debtor: debtor)
            let payments = try await s.payments(tenant, debtor: debtor)
            let ledger = Ledger.allocate(invoices: invoices, payments: payments, asOf: LocalDate(now, in: zone))
            var file = CaseFile(
                record: record, contacts: try await s.contacts(tenant, debtor: debtor), suppressions: try await s.suppressions(tenant, debtor: debtor),
                invoices: invoices, documents: try await s.documents(tenant, debtor: debtor),
                messages: try await s.messages(tenant, direction: nil, debtor: debtor),
                decisions: try await s.decisions(tenant, debtor: debtor),
                promises: try await s.commitments(tenant, debtor: debtor), disputes: try await s.disputes(tenant, debtor: debtor),
                holds: try await s.holds(tenant, debtor: debtor), payments: payments, now: now)
            file.openInvoices = ledger.open(invoices).map(\.number)
            file.zone = zone
            return file
        }
    }

    /// The currency a person's amounts on `debtor`'s case are in: the case's, else the tenant's.
    public func caseCurrency(tenant: String, debtor: String) async throws -> Currency {
        try await store.read { s in
            if let c = try await s.caseRecord(tenant, debtor: debtor)?.balance?.currency { return c }
            return try await s.settings(tenant).currency
        }
    }

    /// The overview: balances and aging, this month's collections, promises, disputes by reason,
    /// channel effectiveness (90 days), DSO over six months and the model's month. The figures over
    /// months of history are reused for a minute.
    public func overview(tenant: String) async throws -> OverviewFigures {
        let now = clock.now()
        return try await store.read { s in
            let settings = try await s.settings(tenant)
            let today = LocalDate(now, in: settings.timeZone)
            let cases = try await s.caseSummaries(tenant)
            let promises = try await s.promises(tenant)
            let disputes = try await s.disputes(tenant, openOnly: true)
            let figures = cases.map { CaseFigures(debtorID: $0.debtorID, balance: $0.balance, oldestDue: $0.oldestDue, status: $0.status) }
            let byReason = Dictionary(grouping: disputes, by: \.reason).map { ($0.key.label, $0.value.count) }.sorted { ($0.1, $1.0) > ($1.1, $0.0) }
            let slow = try await aggregates.get(tenant, currency: settings.currency, now: now) {
                (try await s.effectiveness(tenant, since: now.addingTimeInterval(-90 * 86_400)), try await s.monthlyFlows(tenant, currency: settings.currency))
            }
            let month = LocalDate(year: today.year, month: today.month, day: 1)!
            return OverviewFigures(
                overview: Overview(cases: figures, currency: settings.currency, today: today),
                collected: try await s.collected(tenant, since: month)[settings.currency.code] ?? 0,
                promises: PromiseFigures(promises: promises.map(\.promise), today: today),
                disputes: byReason,
                effectiveness: ChannelEffectiveness.table(slow.effectiveness),
                dso: DSOTrend.compute(invoiced: slow.flows.invoiced, collected: slow.flows.collected, today: today, months: 6),
                model: try await s.modelUsage(tenant, since: month.at(in: settings.timeZone)))
        }
    }

    /// The worklist: cases with `status` (any when nil) whose debtor matches `search` — or owes an
    /// invoice, load, PRO, BOL or PO numbered `search` — ranked by `WorkPriority`.
    public func worklist(tenant: String, search: String, status: CaseStatus?) async throws -> [WorkItem] {
        let now = clock.now()
        let (records, today, broken) = try await store.read { s in
            let settings = try await s.settings(tenant)
            let matches = search.isEmpty ? [] : Array(Set(try await s.invoices(tenant, referencedBy: [search]).map(\.debtorID))).sorted()
            let records = try await s.caseSummaries(tenant, statuses: status.map { [$0] } ?? [], search: search, orDebtors: matches)
            let promises = try await s.promises(tenant)
            let broken = Dictionary(grouping: promises.filter { $0.promise.status == .broken }, by: \.debtor).mapValues(\.count)
            return (records, LocalDate(now, in: settings.timeZone), broken)
        }
        return
            records
            .map { r -> WorkItem in
                let f = CaseFigures(debtorID: r.debtorID, balance: r.balance, oldestDue: r.oldestDue, status: r.status, brokenPromises: broken[r.debtorID] ?? 0)
                let (score, reasons) = WorkPriority.score(f, today: today)
                return WorkItem(record: r, score: score, reasons: reasons, daysPastDue: f.daysPastDue(today: today))
            }
            .sorted { ($0.score, $1.record.debtorID) > ($1.score, $0.record.debtorID) }
    }

    /// Messages of `debtor` (every debtor when nil) in `direction` (both when nil), oldest first.
    public func messages(tenant: String, direction: MessageRecord.Direction? = .outbound, debtor: String? = nil) async throws -> [MessageRecord] {
        try await store.read { try await $0.messages(tenant, direction: direction, debtor: debtor) }
    }

    /// Up to `limit` messages after the cursor `after`, filtered like `messages`, and by `channel`.
    public func messages(
        tenant: String, direction: MessageRecord.Direction?, debtor: String?, channel: Channel?, after: (at: String, id: String)?,
        limit: Int
    ) async throws -> [MessageRecord] {
        try await store.read { try await $0.messages(tenant, direction: direction, debtor: debtor, channel: channel, after: after, limit: limit) }
    }

    /// The inbox: open items (every item when `includeResolved`), of `debtor` when given.
    public func inbox(tenant: String, includeResolved: Bool = false, debtor: String? = nil) async throws -> [InboxItem] {
        try await store.read { try await $0.inbox(tenant, includeResolved: includeResolved, debtor: debtor) }
    }

    /// One page of open inbox items with their debtor's name, message and draft, and how many are open.
    public func inboxPage(tenant: String, page: Int, pageSize: Int) async throws -> (rows: [InboxRow], open: Int) {
        try await store.read { s in
            var out: [InboxRow] = []
            for item in try await s.inbox(tenant, limit: pageSize, offset: (max(1, page) - 1) * pageSize) {
                out.append(
                    (
                        item, try await item.debtorID.asyncMap { try await s.debtor(tenant, $0)?.name } ?? nil,
                        try await item.messageID.asyncMap { try await s.message(tenant, id: $0) } ?? nil,
                        try await item.draftID.asyncMap { try await s.message(tenant, id: $0) } ?? nil
                    ))
            }
            return (out, try await s.openInboxCount(tenant))
        }
    }

    /// The tenant's disputes (open ones only when `openOnly`).
    public func disputes(tenant: String, openOnly: Bool) async throws -> [Dispute] {
        try await store.read { try await $0.disputes(tenant, openOnly: openOnly) }
    }
}

/// The overview's figures over months of history, reused for a minute per tenant and currency.
actor AggregateCache {
    typealias Flows = (invoiced: [String: Int64], collected: [String: Int64])
    struct Entry {
        let at: Date
        let effectiveness: [ChannelEffectiveness]
        let flows: Flows
    }

    /// How long figures are reused.
    static let lifetime: TimeInterval = 60
    private var entries: [String: Entry] = [:]

    /// The tenant's figures in `currency`, computed by `compute` when none are fresh.
    func get(
        _ tenant: String, currency: Currency, now: Date,
        compute: () async throws -> ([ChannelEffectiveness], Flows)
    ) async throws -> Entry {
        let key = tenant + "/" + currency.code
        if let e = entries[key], now.timeIntervalSince(e.at) < Self.lifetime, e.at <= now { return e }
        let (effectiveness, flows) = try await compute()
        let e = Entry(at: now, effectiveness: effectiveness, flows: flows)
        entries[key] = e
        return e
    }
}
