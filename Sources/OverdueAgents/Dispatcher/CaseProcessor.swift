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
    /// A batch of one: see ``process(_:stop:alsoSaving:)``.
    public func process(tenant: String, debtorID: String, now: Date, rules: TenantRules? = nil) async throws -> CaseOutcome {
        let (results, _) = try await process([CaseToPlan(tenant: tenant, debtorID: debtorID, now: now, rules: rules)]) { _, _ in }
        switch results[0] {
        case .done(let outcome): return outcome
        case .failed(let error): throw error
        case .notStarted: throw CancellationError()
        }
    }

    /// Plans a batch of cases (each as of its own instant), sends what is due, stores the outcomes,
    /// and runs `alsoSaving` in the transaction that saves them (the scheduler completes its jobs
    /// there), returning what it returned.
    ///
    /// The batch pays a handful of transactions however many cases it holds: the cases are read
    /// together (one statement for the batch); the attempts due are recorded, with their decisions, in one
    /// transaction before any provider is called; what the providers answered, the ladder states,
    /// settled commitments and decisions are saved together in one last transaction. A case that
    /// sends twice in one planning (an attempt catching up) takes another round of record-then-send.
    /// A crash in between leaves an attempt pending, and the next planning of its case asks the
    /// provider about it before deciding anything (`Delivery.reconcile`). When a batched write
    /// fails, each case is written in a transaction of its own, so one case's failure is its own.
    ///
    /// `stop` is asked before each case's first attempt is written: once it says yes, the cases not
    /// yet begun come back `.notStarted` (the rest finish).
    public func process<T: Sendable>(
        _ cases: [CaseToPlan], stop: () -> Bool = { false }, alsoSaving: (Session, [CasePlanned]) async throws -> T
    ) async throws -> ([CasePlanned], T) {
        var results = [CasePlanned](repeating: .notStarted, count: cases.count)
        var rulesOf: [String: TenantRules] = [:]
        for c in cases where c.rules == nil && rulesOf[c.tenant] == nil { rulesOf[c.tenant] = try await store.rules(c.tenant) }
        let loaded = try await store.read { s in try await loader.load(s, cases.map { ($0.tenant, $0.debtorID, $0.now) }) }
        var work: [Planning?] = Array(repeating: nil, count: cases.count)
        for (i, c) in cases.enumerated() {
            if stop() { break }
            do {
                guard let (snapshot, facts) = try loaded[i].get() else {
                    throw StoreError.notFound("no debtor '\(c.debtorID)' in tenant '\(c.tenant)'")
                }
                work[i] = try await start(c, rules: c.rules ?? rulesOf[c.tenant]!, snapshot: snapshot, facts: facts)
            } catch {
                results[i] = .failed(error)
            }
        }
        // Rounds of record-then-send until no case has another attempt due now.
        while true {
            var due: [(index: Int, attempt: PlannedAttempt, record: MessageRecord, reasons: [Reason])] = []
            for i in work.indices {
                guard var w = work[i], !w.finished, !w.failed else { continue }
                if let attempt = w.nextAttempt() {
                    do {
                        let (record, reasons) = try await compose(attempt, plan: w.current, planning: w)
                        due.append((i, attempt, record, reasons))
                    } catch {
                        results[i] = .failed(error)
                        w.failed = true
                    }
                }
                work[i] = w
            }
            guard !due.isEmpty else { break }
            let inserted = await writeEach(due.indices) { s, ks in
                let fresh = try await s.insertMessages(ks.map { (cases[due[$0].index].tenant, due[$0].record) })
                try await s.recordDecisions(
                    zip(ks, fresh).filter { $0.1 }.map { k, _ in
                        let c = cases[due[k].index]
                        return DecisionToRecord(tenant: c.tenant, debtor: c.debtorID, at: c.now, action: .send, reasons: due[k].reasons)
                    })
                return fresh
            }
            for (k, d) in due.enumerated() {
                guard var w = work[d.index] else { continue }
                do {
                    if try inserted[k]!.get() {
                        var record = d.record
                        await delivery.deliver(&record, tenant: w.tenant)
                        w.delivered.append(record)
                        w.sent.append(record)
                    } else if let message = try await delivery.reconcile(key: d.record.key, tenant: w.tenant, channel: d.attempt.channel) {
                        w.sent.append(message)
                    }
                    w.recordSent(d.attempt)
                } catch {
                    results[d.index] = .failed(error)
                    w.failed = true
                }
                work[d.index] = w
            }
        }
        let finished = work.indices.filter { work[$0]?.failed == false }
        for i in finished { results[i] = .done(work[i]!.outcome) }
        // Everything in one transaction; when that fails, each case on its own, then the rest.
        let planned = results
        do {
            let extra = try await store.write { s in
                try await save(finished.map { work[$0]! }, in: s)
                return try await alsoSaving(s, planned)
            }
            return (results, extra)
        } catch {
            logger.warning("saving a batch of \(finished.count) planned case(s) failed (\(describeStoreError(error))); saving each on its own")
        }
        let saved = await writeEach(finished) { s, ids in
            try await save(ids.map { work[$0]! }, in: s)
            return Array(repeating: (), count: ids.count)
        }
        for i in finished { if case .failure(let error) = saved[i]! { results[i] = .failed(error) } }
        let final = results
        let extra = try await store.write { s in try await alsoSaving(s, final) }
        return (results, extra)
    }

    /// Runs `body` on all the items in one transaction (it returns one result per item, in their
    /// order); when that fails, on each item in a transaction of its own, so one item's failure
    /// does not take the others with it.
    func writeEach<Item: Hashable & Sendable, R: Sendable>(_ items: some Collection<Item>, _ body: (Session, [Item]) async throws -> [R]) async -> [Item:
        Result<R, any Error>]
    {
        guard !items.isEmpty else { return [:] }
        let list = Array(items)
        if let all = try? await store.write({ s in try await body(s, list) }), all.count == list.count {
            return Dictionary(zip(list, all.map { Result.success($0) }), uniquingKeysWith: { $1 })
        }
        var each: [Item: Result<R, any Error>] = [:]
        for item in list {
            do { each[item] = .success(try await store.write { s in try await body(s, [item])[0] }) } catch { each[item] = .failure(error) }
        }
        return each
    }

    /// A case ready for the planner: attempts an earlier run recorded without learning the
    /// provider's answer (it died in between) are settled first, with the provider, and calls booked
    /// for now or earlier (callbacks a debtor asked for) go, if still allowed, before anything new is decided.
    private func start(_ c: CaseToPlan, rules: TenantRules, snapshot: CaseSnapshot, facts initialFacts: CaseFacts) async throws -> Planning {
        var sent: [MessageRecord] = []
        let recorded = Dictionary(snapshot.outbound.map { ($0.key, $0) }, uniquingKeysWith: { $1 })
        for pending in recorded.values.filter({ $0.status == .pending }).sorted(by: { $0.key < $1.key }) {
            if let message = try await delivery.reconcile(key: pending.key, tenant: c.tenant, channel: pending.channel) {
                sent.append(message)
            }
        }
        var facts = initialFacts
        for call in snapshot.scheduled where call.at <= c.now {
            let message = try await delivery.sendBooked(call, tenant: c.tenant, suppressions: facts.suppressions, now: c.now)
            sent.append(message)
            if message.status == .sent, let cid = message.contactID { facts.sent.append(SentAttempt(at: c.now, channel: message.channel, contactID: cid)) }
        }
        return Planning(case: c, rules: rules, snapshot: snapshot, recorded: recorded, facts: facts, sent: sent)
    }

    /// Saves planned cases: the providers' answers, their ladder states, settled commitments, the
    /// decisions that changed, and a person's inbox item for each case just handed off. Each kind
    /// of row is written for all the cases in one statement.
    private func save(_ planned: [Planning], in s: Session) async throws {
        try await s.saveDeliveries(planned.flatMap { w in w.delivered.map { (w.tenant, $0, false) } })
        try await s.saveCases(
            planned.map { CaseToSave(tenant: $0.tenant, debtor: $0.snapshot.debtor.id, plan: $0.current, previous: $0.snapshot.previous?.status, now: $0.now) })
        var decisions: [DecisionToRecord] = []
        for w in planned {
            let (tenant, debtorID, now, final, previous) = (w.tenant, w.snapshot.debtor.id, w.now, w.current, w.snapshot.previous)
            for settled in final.settled {
                try await s.settleCommitment(tenant, id: settled.id, status: settled.status, reason: settled.reason, at: now)
            }
            if previous?.reasons != final.decision.reasons || previous?.status != final.state.status {
                decisions.append(DecisionToRecord(tenant: tenant, debtor: debtorID, at: now, action: final.decision.action, reasons: final.decision.reasons))
            }
            if final.decision.action == .handoff && previous?.status != .handoff, let why = final.state.handoffReason ?? final.decision.reasons.first {
                try await s.addInboxItem(tenant, debtor: debtorID, kind: .handoff, reason: why, messageID: nil, at: now)
            }
        }
        try await s.recordDecisions(decisions)
    }

    /// Writes the words of an attempt and returns it as the message to record, with the reasons
    /// of the decision to record with it.
    private func compose(_ attempt: PlannedAttempt, plan: Plan, planning w: Planning) async throws -> (MessageRecord, [Reason]) {
        let (tenant, debtor, facts, rules, now) = (w.tenant, w.snapshot.debtor, w.facts, w.rules, w.now)
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
            id: store.messageID(tenant: tenant, key: key), key: key, direction: .outbound, channel: attempt.channel, at: now,
            debtorID: debtor.id, contactID: attempt.contact.id, contactName: attempt.contact.name, to: attempt.address, from: from,
            invoiceNumbers: attempt.invoices.map(\.invoice.number), stage: attempt.stage, attempt: attempt.attempt, kind: attempt.kind.rawValue,
            subject: content.subject, body: content.body, status: .pending)
        record.html = content.html
        record.composition = content.composition
        return (record, plan.decision.reasons + (content.composition?.proposals.map(\.reason) ?? []))
    }
}

/// One case for ``CaseProcessor/process(_:stop:alsoSaving:)`` to plan.
public struct CaseToPlan: Sendable {
    /// The tenant.
    public var tenant: String
    /// The debtor whose case it is.
    public var debtorID: String
    /// The instant it is planned as of.
    public var now: Date
    /// The tenant's rules, when the caller has them (else the store's cache is asked).
    public var rules: CaseProcessor.TenantRules?

    /// A case to plan.
    public init(tenant: String, debtorID: String, now: Date, rules: CaseProcessor.TenantRules? = nil) {
        self.tenant = tenant
        self.debtorID = debtorID
        self.now = now
        self.rules = rules
    }
}

/// What became of one case of a batch.
public enum CasePlanned: Sendable {
    /// Planned and saved.
    case done(CaseOutcome)
    /// Its planning failed: nothing of it was saved but the attempts recorded before sending.
    case failed(any Error)
    /// Not begun (the batch was told to stop).
    case notStarted
}

/// One case being planned: what was read, what the planner has decided so far, what was sent.
struct Planning {
    let tenant: String
    let now: Date
    let rules: CaseProcessor.TenantRules
    let snapshot: CaseSnapshot
    /// Attempts recorded before this planning, by key.
    let recorded: [String: RecordedAttempt]
    var facts: CaseFacts
    var state: CaseState
    var current: Plan
    /// Messages sent in this planning.
    var sent: [MessageRecord]
    /// Handed to a provider in this planning, its answer saved with the case.
    var delivered: [MessageRecord] = []
    /// Planner steps taken (each catches up with an attempt made or sends one), bounded.
    var steps = 0
    /// Nothing more to send now.
    var finished = false
    /// Its planning failed (nothing of it is saved).
    var failed = false

    init(
        case c: CaseToPlan, rules: CaseProcessor.TenantRules, snapshot: CaseSnapshot, recorded: [String: RecordedAttempt], facts: CaseFacts,
        sent: [MessageRecord]
    ) {
        (tenant, now, self.rules, self.snapshot, self.recorded, self.facts, self.sent) = (c.tenant, c.now, rules, snapshot, recorded, facts, sent)
        state = snapshot.state
        current = Planner.plan(facts: facts, state: state, policy: rules.policy, settings: rules.settings, now: now)
    }

    /// The attempt to send now, after catching the ladder state up with attempts already made (a
    /// run that died after sending but before saving the case); nil when there is none.
    mutating func nextAttempt() -> PlannedAttempt? {
        while !finished && !failed && steps < 2 * rules.policy.totalAttempts + 2 {
            guard let attempt = current.decision.attempt else { break }
            guard let made = recorded[attempt.key(debtorID: snapshot.debtor.id)] else {
                if current.decision.action == .send { return attempt }
                break
            }
            state = Planner.recordSent(attempt, at: made.at, state: current.state)
            replan()
        }
        finished = true
        return nil
    }

    /// Notes that `attempt` went now, and plans on.
    mutating func recordSent(_ attempt: PlannedAttempt) {
        state = Planner.recordSent(attempt, at: now, state: current.state)
        facts.sent.append(SentAttempt(at: now, channel: attempt.channel, contactID: attempt.contact.id))
        replan()
    }

    private mutating func replan() {
        steps += 1
        current = Planner.plan(facts: facts, state: state, policy: rules.policy, settings: rules.settings, now: now)
    }

    /// What the planning did and when the case next needs attention: calls booked for later and
    /// tries booked after a temporary failure count.
    var outcome: CaseOutcome {
        let nextCall = (snapshot.scheduled.filter { $0.at > now } + sent.filter { $0.status == .scheduled }).map(\.at).min()
        return CaseOutcome(sent: sent, decision: current.decision, nextRunAt: [current.nextRunAt, nextCall].compactMap { $0 }.min())
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
