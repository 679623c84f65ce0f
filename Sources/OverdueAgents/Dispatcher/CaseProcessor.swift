/// OverdueAgents — orchestration: loads a case (`CaseLoader`), asks the pure planner what to do,
/// has the channel do it (`Delivery`), stores the result and schedules the next look
/// (`CaseProcessor`); answers replies (`ConversationEngine`), those webhooks kept included
/// (`InboundWork`, in `inbound` jobs). Also the importer, the demo seeder,
/// webhooks, the voice agent and the schedulers (virtual clock for `overdue run`, wall clock for
/// `overdue serve`).
///
/// Nothing here decides whether or when to contact anyone: that is `OverdueCore.Planner`.
import Foundation
import Logging
import OverdueChannels
import OverdueCore
import OverdueStore

/// What one processing of a case did.
public struct CaseOutcome: Hashable, Sendable {
    /// Messages sent.
    public var sent: [MessageRecord]
    /// The final decision.
    public var decision: Decision
    /// When the case next needs attention.
    public var nextRunAt: Date?
}

/// Plans one debtor's case at an instant and carries out the decision: the dispatcher. Its parts
/// each have one job — `CaseLoader` reads a case's snapshot and the facts it gives (the tenant's
/// rules come from the store's cache), the pure
/// `Planner` decides, a `ComposerFactory` writes the words, `Delivery` records before sending,
/// takes the rate slot, sends, reconciles and saves — and the composition root shares them with
/// the conversation engine.
public struct CaseProcessor: Sendable {
    let store: Store
    let loader: CaseLoader
    let delivery: Delivery
    let composers: ComposerFactory
    let logger: Logger

    /// A processor from its parts.
    public init(store: Store, delivery: Delivery, composers: ComposerFactory, logger: Logger = Logger(label: "overdue.dispatcher")) {
        self.store = store
        self.loader = CaseLoader()
        self.delivery = delivery
        self.composers = composers
        self.logger = logger
    }

    /// A processor sending through `channels` (the sandbox for every channel left out), writing with
    /// `makeComposer` (the standard composer when nil).
    public init(
        store: Store, channels: [Channel: any ChannelAdapter] = [:], logger: Logger = Logger(label: "overdue.dispatcher"),
        makeComposer: (@Sendable (TenantRules, String) -> any Composer)? = nil
    ) {
        self.init(
            store: store, delivery: Delivery(store: store, channels: channels, logger: logger),
            composers: makeComposer.map(ComposerFactory.init) ?? .standard(store: store), logger: logger)
    }

    /// The tenant's rules (cached by the store until they change).
    public func rules(tenant: String) async throws -> TenantRules {
        try await store.rules(tenant)
    }

    /// Plans `debtorID`'s case at `now`, sends what is due, stores the outcome. `rules` saves
    /// looking the tenant's settings and policy up when many cases are planned in a row.
    ///
    /// The case is read in one statement (`CaseLoader`); each attempt is recorded (with its
    /// decision) in a transaction of its own before the provider is called; what the providers
    /// answered, the ladder state, settled commitments and the decision are saved together in one
    /// last transaction. A crash in between leaves the attempt pending, and the next planning asks
    /// the provider about it before deciding anything (`Delivery.reconcile`).
    public func process(tenant: String, debtorID: String, now: Date, rules: TenantRules? = nil) async throws -> CaseOutcome {
        let tenantRules: TenantRules
        if let rules { tenantRules = rules } else { tenantRules = try await store.rules(tenant) }
        guard let (snapshot, initialFacts) = try await store.read({ s in try await loader.load(s, tenant: tenant, debtorID: debtorID, now: now) }) else {
            throw StoreError.notFound("no debtor '\(debtorID)' in tenant '\(tenant)'")
        }
        let debtor = snapshot.debtor
        let recorded = Dictionary(snapshot.outbound.map { ($0.key, $0) }, uniquingKeysWith: { $1 })
        let booked = snapshot.scheduled
        let (settings, policy) = (tenantRules.settings, tenantRules.policy)
        var sent: [MessageRecord] = []
        // Attempts an earlier run recorded without learning the provider's answer (it died in between)
        // are settled first, with the provider, before anything new is decided.
        for pending in recorded.values.filter({ $0.status == .pending }).sorted(by: { $0.key < $1.key }) {
            if let message = try await delivery.reconcile(key: pending.key, tenant: tenant, channel: pending.channel) {
                sent.append(message)
            }
        }
        var facts = initialFacts
        // Calls booked for now or earlier (callbacks a debtor asked for) go first, if still allowed.
        for call in booked where call.at <= now {
            let message = try await delivery.sendBooked(call, tenant: tenant, suppressions: facts.suppressions, now: now)
            sent.append(message)
            if message.status == .sent, let cid = message.contactID { facts.sent.append(SentAttempt(at: now, channel: message.channel, contactID: cid)) }
        }
        var state = snapshot.state
        var current = Planner.plan(facts: facts, state: state, policy: policy, settings: settings, now: now)
        // Handed to a provider in this planning, its answer saved with the case below.
        var delivered: [MessageRecord] = []
        // Each step either catches the ladder state up with an attempt already made (a run that died
        // after sending but before saving the case) or sends what is due now.
        for _ in 0..<(2 * policy.totalAttempts + 2) {
            guard let attempt = current.decision.attempt else { break }
            if let made = recorded[attempt.key(debtorID: debtor.id)] {
                state = Planner.recordSent(attempt, at: made.at, state: current.state)
            } else {
                guard current.decision.action == .send else { break }
                switch try await dispatch(attempt, plan: current, tenant: tenant, debtor: debtor, facts: facts, rules: tenantRules, now: now) {
                case .delivered(let message):
                    delivered.append(message)
                    sent.append(message)
                case .reconciled(let message?):
                    sent.append(message)
                case .reconciled(nil):
                    break
                }
                state = Planner.recordSent(attempt, at: now, state: current.state)
                facts.sent.append(SentAttempt(at: now, channel: attempt.channel, contactID: attempt.contact.id))
            }
            current = Planner.plan(facts: facts, state: state, policy: policy, settings: settings, now: now)
        }
        let final = current
        let previous = snapshot.previous
        let answered = delivered
        try await store.write { s in
            for message in answered { try await s.saveDelivery(tenant, message, wasSent: false) }
            try await s.saveCase(tenant, debtor: debtorID, plan: final, previous: previous?.status, now: now)
            for settled in final.settled {
                try await s.settleCommitment(tenant, id: settled.id, status: settled.status, reason: settled.reason, at: now)
            }
            if previous?.reasons != final.decision.reasons || previous?.status != final.state.status {
                try await s.recordDecision(tenant, debtor: debtorID, at: now, action: final.decision.action, reasons: final.decision.reasons)
            }
            if final.decision.action == .handoff && previous?.status != .handoff, let why = final.state.handoffReason ?? final.decision.reasons.first {
                try await s.addInboxItem(tenant, debtor: debtorID, kind: .handoff, reason: why, messageID: nil, at: now)
            }
        }
        // Calls booked for later and tries booked after a temporary failure.
        let nextCall = (booked.filter { $0.at > now } + sent.filter { $0.status == .scheduled }).map(\.at).min()
        let next = [final.nextRunAt, nextCall].compactMap { $0 }.min()
        return CaseOutcome(sent: sent, decision: final.decision, nextRunAt: next)
    }

    /// What became of an attempt handed to `dispatch`.
    enum Dispatched {
        /// Recorded now and handed to its channel: the provider's answer is on the message, not saved yet.
        case delivered(MessageRecord)
        /// An earlier run had recorded it: settled with the provider (the message when it was sent now).
        case reconciled(MessageRecord?)
    }

    /// Records the attempt, hands it to the channel and returns it with the provider's answer, for
    /// the caller to save. An attempt already recorded by an earlier run is reconciled instead (a
    /// crash between record and send is never blindly resent).
    func dispatch(_ attempt: PlannedAttempt, plan: Plan, tenant: String, debtor: Debtor, facts: CaseFacts, rules: TenantRules, now: Date) async throws
        -> Dispatched
    {
        let (settings, policy) = (rules.settings, rules.policy)
        let key = attempt.key(debtorID: debtor.id)
        let total = plan.state.order.reduce(0) { $0 + policy.stages[$1].attempts }
        var details: [String: String] = [:]
        if attempt.kind == .brokenPromise, let promise = facts.commitments.filter({ $0.kind == .promise }).max(by: { $0.madeAt < $1.madeAt }) {
            details["promise_date"] = promise.date.description
        }
        let request = CompositionRequest(
            kind: attempt.kind, channel: attempt.channel, tone: TemplateComposer.tone(position: attempt.position, totalSteps: total),
            debtor: debtor, contactName: attempt.contact.name, invoices: attempt.invoices, settings: settings, details: details)
        let content: ComposedMessage
        do { content = try await composers.composer(rules, tenant: tenant).compose(request) } catch {
            // A broken tenant template must not silence the ladder: the built-in one is used, and said so.
            logger.error("template \(request.templateName) for \(attempt.channel.rawValue) failed (\(error)); using the built-in one")
            content = try TemplateComposer().compose(request)
        }
        let from = Delivery.sender(attempt.channel, settings: settings, tenant: tenant)
        var record = MessageRecord(
            id: "msg_" + StableHash.hex("\(tenant)\u{1F}\(key)"), key: key, direction: .outbound, channel: attempt.channel, at: now,
            debtorID: debtor.id, contactID: attempt.contact.id, contactName: attempt.contact.name, to: attempt.address, from: from,
            invoiceNumbers: attempt.invoices.map(\.invoice.number), stage: attempt.stage, attempt: attempt.attempt, kind: attempt.kind.rawValue,
            subject: content.subject, body: content.body, status: .pending)
        record.html = content.html
        record.composition = content.composition
        let fresh = try await store.write { s in
            let inserted = try await s.insertMessage(tenant, record)
            if inserted {
                try await s.recordDecision(
                    tenant, debtor: debtor.id, at: now, action: .send,
                    reasons: plan.decision.reasons + (content.composition?.proposals.map(\.reason) ?? []))
            }
            return inserted
        }
        guard fresh else {
            return .reconciled(try await delivery.reconcile(key: key, tenant: tenant, channel: attempt.channel))
        }
        await delivery.deliver(&record, tenant: tenant)
        return .delivered(record)
    }

}

extension OutboundMessage {
    /// The provider-bound form of a stored message.
    init(_ m: MessageRecord) {
        self.init(id: m.id, key: m.key, channel: m.channel, to: m.to ?? "", from: m.from ?? "", subject: m.subject, body: m.body)
        html = m.html
        attachments = m.attachments
        linkToken = m.linkToken
    }
}
