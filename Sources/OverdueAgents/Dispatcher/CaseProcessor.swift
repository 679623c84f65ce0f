/// OverdueAgents — orchestration: loads a case, asks the pure planner what to do, has the channel
/// do it, stores the result and schedules the next look. Also the importer, the demo seeder and
/// the schedulers (virtual clock for `overdue run`, wall clock for `overdue serve`).
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

/// Plans one debtor's case at an instant and carries out the decision: the dispatcher.
public struct CaseProcessor: Sendable {
    let store: Store
    let channels: [Channel: any ChannelAdapter]
    let logger: Logger
    /// Makes the composer for a tenant (rules, tenant id): by default the template composer, or a
    /// model-backed one when the tenant configured `llm.provider`.
    let makeComposer: @Sendable (TenantRules, String) -> any Composer

    /// Creates a processor sending through `channels` (the sandbox for every channel by default).
    public init(store: Store, channels: [Channel: any ChannelAdapter] = [:], logger: Logger = Logger(label: "overdue.dispatcher"),
                makeComposer: (@Sendable (TenantRules, String) -> any Composer)? = nil) {
        self.store = store
        self.makeComposer = makeComposer ?? Self.standardComposer(store: store)
        var c = channels
        for ch in Channel.allCases where c[ch] == nil { c[ch] = SandboxChannel() }
        self.channels = c
        self.logger = logger
    }

    /// The template composer with the tenant's overrides, behind a model when `llm.provider` is set;
    /// the month's token spend comes from the messages it wrote.
    public static func standardComposer(store: Store) -> @Sendable (TenantRules, String) -> any Composer {
        { rules, tenant in
            let templates = TemplateComposer(overrides: rules.templates)
            guard let configuration = LLMComposer.Configuration.from(rules.settings) else { return templates }
            let zone = rules.settings.timeZone
            return LLMComposer(configuration: configuration, fallback: templates, spent: { now in
                let today = LocalDate(now, in: zone)
                let month = LocalDate(year: today.year, month: today.month, day: 1)!.at(in: zone)
                return try await store.read { try await $0.tokensSpent(tenant, since: month) }
            })
        }
    }

    /// Loads the facts the planner needs about `debtor` as of `now` (nothing after `now` is visible).
    func loadFacts(_ s: Session, tenant: String, debtor: Debtor, now: Date) async throws -> CaseFacts {
        CaseFacts(debtor: debtor,
                  contacts: try await s.contacts(tenant, debtor: debtor.id),
                  invoices: try await s.invoices(tenant, debtor: debtor.id),
                  payments: try await s.payments(tenant, debtor: debtor.id),
                  holds: try await s.holds(tenant, debtor: debtor.id),
                  suppressions: try await s.suppressions(tenant, debtor: debtor.id),
                  sent: try await s.sentAttempts(tenant, debtor: debtor.id, since: now.addingTimeInterval(-8 * 86_400), until: now),
                  replies: try await s.receivedReplies(tenant, debtor: debtor.id, since: now.addingTimeInterval(-2 * 86_400), until: now),
                  commitments: try await s.commitments(tenant, debtor: debtor.id).filter { $0.madeAt <= now },
                  disputes: try await s.disputes(tenant, debtor: debtor.id).filter { $0.openedAt <= now })
    }

    /// A tenant's settings and policy, loaded once for many plannings.
    public struct TenantRules: Sendable {
        /// Settings.
        public var settings: TenantSettings
        /// Policy.
        public var policy: Policy
        /// Template overrides.
        public var templates: [TemplateOverride]

        /// Loads the tenant's rules.
        public static func load(_ s: Session, tenant: String) async throws -> TenantRules {
            TenantRules(settings: try await s.settings(tenant), policy: try await s.policy(tenant), templates: try await s.templates(tenant))
        }
    }

    /// Plans `debtorID`'s case at `now`, sends what is due, stores the outcome. `rules` saves
    /// reloading the tenant's settings and policy when many cases are planned in a row.
    public func process(tenant: String, debtorID: String, now: Date, rules: TenantRules? = nil) async throws -> CaseOutcome {
        let (debtor, tenantRules, storedState, initialFacts, recorded, booked) = try await store.read { s in
            guard let debtor = try await s.debtor(tenant, debtorID) else { throw StoreError.notFound("no debtor '\(debtorID)' in tenant '\(tenant)'") }
            var loaded = rules
            if loaded == nil { loaded = try await TenantRules.load(s, tenant: tenant) }
            return (debtor, loaded!, try await s.caseState(tenant, debtor: debtorID),
                    try await self.loadFacts(s, tenant: tenant, debtor: debtor, now: now),
                    try await s.outboundAttempts(tenant, debtor: debtorID),
                    try await s.messages(tenant, debtor: debtorID, status: .scheduled))
        }
        let (settings, policy) = (tenantRules.settings, tenantRules.policy)
        var sent: [MessageRecord] = []
        // Attempts an earlier run recorded without learning the provider's answer (it died in between)
        // are settled first, with the provider, before anything new is decided.
        for pending in recorded.values.filter({ $0.status == .pending }).sorted(by: { $0.key < $1.key }) {
            if let message = try await reconcile(key: pending.key, tenant: tenant, adapter: channels[pending.channel] ?? SandboxChannel()) {
                sent.append(message)
            }
        }
        var facts = initialFacts
        // Calls booked for now or earlier (callbacks a debtor asked for) go first, if still allowed.
        for call in booked where call.at <= now {
            let message = try await sendBooked(call, tenant: tenant, facts: facts, now: now)
            sent.append(message)
            if message.status == .sent, let cid = message.contactID { facts.sent.append(SentAttempt(at: now, channel: message.channel, contactID: cid)) }
        }
        var state = storedState
        var current = Planner.plan(facts: facts, state: state, policy: policy, settings: settings, now: now)
        // Each step either catches the ladder state up with an attempt already made (a run that died
        // after sending but before saving the case) or sends what is due now.
        for _ in 0..<(2 * policy.totalAttempts + 2) {
            guard let attempt = current.decision.attempt else { break }
            if let made = recorded[attempt.key(debtorID: debtor.id)] {
                state = Planner.recordSent(attempt, at: made.at, state: current.state)
            } else {
                guard current.decision.action == .send else { break }
                let message = try await dispatch(attempt, plan: current, tenant: tenant, debtor: debtor, facts: facts, rules: tenantRules, now: now)
                if let message { sent.append(message) }
                state = Planner.recordSent(attempt, at: now, state: current.state)
                facts.sent.append(SentAttempt(at: now, channel: attempt.channel, contactID: attempt.contact.id))
            }
            current = Planner.plan(facts: facts, state: state, policy: policy, settings: settings, now: now)
        }
        let final = current
        try await store.write { s in
            let previous = try await s.caseRecord(tenant, debtor: debtorID)
            try await s.saveCase(tenant, debtor: debtorID, plan: final, now: now)
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

    /// Sends a booked call (or a message booked for another try) whose time has come, unless the
    /// contact has since opted out.
    func sendBooked(_ booked: MessageRecord, tenant: String, facts: CaseFacts, now: Date) async throws -> MessageRecord {
        var record = booked
        if let cid = booked.contactID, let s = facts.suppressions.first(where: { $0.contactID == cid && $0.blocks(booked.channel) }) {
            record.status = .cancelled
            record.error = "not sent: \(booked.contactName ?? "the contact") opted out (\(s.reason))"
        } else {
            record.status = .pending
            record.at = now
            try await store.write { s in try await s.setMessageStatus(tenant, id: record.id, status: .pending, at: now) }
            await deliver(&record, tenant: tenant, adapter: channels[record.channel] ?? SandboxChannel())
        }
        let done = record
        try await store.write { s in try await s.saveDelivery(tenant, done) }
        return done
    }

    /// Records the attempt, hands it to the channel, records the result. Returns nil when the attempt
    /// was already recorded by an earlier run (a crash between record and send is never blindly resent).
    func dispatch(_ attempt: PlannedAttempt, plan: Plan, tenant: String, debtor: Debtor, facts: CaseFacts, rules: TenantRules, now: Date) async throws -> MessageRecord? {
        let (settings, policy) = (rules.settings, rules.policy)
        let key = attempt.key(debtorID: debtor.id)
        let total = plan.state.order.reduce(0) { $0 + policy.stages[$1].attempts }
        var details: [String: String] = [:]
        if attempt.kind == .brokenPromise, let promise = facts.commitments.filter({ $0.kind == .promise }).max(by: { $0.madeAt < $1.madeAt }) {
            details["promise_date"] = promise.date.description
        }
        let request = CompositionRequest(kind: attempt.kind, channel: attempt.channel, tone: TemplateComposer.tone(position: attempt.position, totalSteps: total),
                                         debtor: debtor, contactName: attempt.contact.name, invoices: attempt.invoices, settings: settings, details: details)
        let content: ComposedMessage
        do { content = try await makeComposer(rules, tenant).compose(request) } catch {
            // A broken tenant template must not silence the ladder: the built-in one is used, and said so.
            logger.error("template \(request.templateName) for \(attempt.channel.rawValue) failed (\(error)); using the built-in one")
            content = try TemplateComposer().compose(request)
        }
        let from = Self.sender(attempt.channel, settings: settings, tenant: tenant)
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
                try await s.recordDecision(tenant, debtor: debtor.id, at: now, action: .send,
                                           reasons: plan.decision.reasons + (content.composition?.proposals.map(\.reason) ?? []))
            }
            return inserted
        }
        let adapter = channels[attempt.channel] ?? SandboxChannel()
        guard fresh else {
            return try await reconcile(key: key, tenant: tenant, adapter: adapter)
        }
        await deliver(&record, tenant: tenant, adapter: adapter)
        let done = record
        try await store.write { s in try await s.saveDelivery(tenant, done) }
        return record
    }

    /// Hands a message to the provider and notes the answer on `record`.
    /// A refused address is recorded at once: the contact is never tried on that channel again
    /// (the planner moves the ladder on, with the reason).
    func deliver(_ record: inout MessageRecord, tenant: String, adapter: any ChannelAdapter) async {
        // Email carries unsubscribe (and, when on, tracking) links: their secret is made once and
        // kept with the message (saved with the delivery).
        if record.channel == .email && record.linkToken == nil { record.linkToken = SecretToken.make() }
        if record.channel == .sms, let wait = await rateLimitWait(&record, tenant: tenant) {
            logger.debug("\(record.id): \(wait)")
            return
        }
        var outbound = OutboundMessage(record)
        outbound.tenant = tenant
        if let answered = record.inReplyTo, let inbound = try? await store.read({ try await $0.message(tenant, id: answered) }),
           inbound.channel == .email, inbound.key.hasPrefix("in/<") {
            // An answer threads under the debtor's message (its Message-ID is the inbound key).
            let mid = String(inbound.key.dropFirst(4).dropLast())
            outbound.inReplyTo = mid
            outbound.references = inbound.references + [mid]
        }
        record.deliveryAttempts += 1
        outbound.attempt = record.deliveryAttempts
        outbound.firstTriedAt = record.at.addingTimeInterval(-Self.retryBackoff.prefix(record.deliveryAttempts - 1).reduce(0, +))
        do {
            let receipt = try await adapter.send(outbound)
            record.status = .sent
            record.providerID = receipt.providerID
            record.error = nil
        } catch {
            if case .temporary = error, record.deliveryAttempts <= Self.retryBackoff.count {
                // Not taken this time: another try is booked, later each time (never resent blindly:
                // the provider said it did not take the message).
                let delay = Self.retryBackoff[record.deliveryAttempts - 1]
                record.status = .scheduled
                record.at = record.at.addingTimeInterval(delay)
                record.error = "try \(record.deliveryAttempts) failed (\(error)); next try at \(Timestamp.format(record.at))"
                logger.warning("sending \(record.id) over \(outbound.channel.rawValue) failed temporarily (try \(record.deliveryAttempts)); retrying at \(Timestamp.format(record.at)): \(error)")
                return
            }
            record.status = .failed
            record.error = record.deliveryAttempts > 1 ? "gave up after \(record.deliveryAttempts) tries: \(error)" : error.description
            logger.error("sending \(record.id) over \(outbound.channel.rawValue) failed: \(error)")
            if case .rejectedAddress(let why) = error, let cid = record.contactID {
                let channel = record.channel
                try? await store.write { s in
                    try await s.addSuppression(tenant, Suppression(contactID: cid, channel: channel, reason: "address refused: \(why)"), now: record.at)
                }
            }
        }
    }

    static let rateWait = "waiting for the sender's rate limit:"

    /// Texts through a real provider take their sender number's next free instant (carriers allow
    /// a long code about one text a second): a text whose instant is later is booked for then
    /// instead of sent now (the dispatcher never sleeps in a request). Returns why it waits, or
    /// nil to send now.
    func rateLimitWait(_ record: inout MessageRecord, tenant: String) async -> String? {
        if record.error?.hasPrefix(Self.rateWait) == true {
            // Its instant was reserved when it was booked.
            record.error = nil
            return nil
        }
        guard let settings = try? await store.read({ try await $0.settings(tenant) }), (settings.value("sms.provider") ?? "sandbox") != "sandbox" else { return nil }
        let perSecond = Int(settings.value("sms.per_second") ?? "1") ?? 1
        let sender = settings.value("sms.from") ?? settings.value("sender.phone") ?? record.from ?? "default"
        let wanted = record.at
        guard let slot = try? await store.write({ try await $0.reserveSendSlot(tenant, sender: sender, at: wanted, perSecond: perSecond) }),
              slot > wanted else { return nil }
        record.status = .scheduled
        record.at = slot
        record.error = "\(Self.rateWait) \(sender) sends \(perSecond) a second; this text goes at \(Timestamp.format(slot))"
        return record.error
    }

    /// Seconds before each further try after a temporary failure (1 min, 5 min, 30 min, 2 h, 6 h).
    static let retryBackoff: [TimeInterval] = [60, 300, 1800, 7200, 21_600]

    /// An attempt an earlier run recorded. If that run never learned the provider's answer (it died
    /// between recording and sending), the provider is asked: a message it has is marked sent, one it
    /// has never seen is sent now, and one it cannot tell about stays pending for a person — never
    /// blindly resent. Returns the message when it was sent now.
    func reconcile(key: String, tenant: String, adapter: any ChannelAdapter) async throws -> MessageRecord? {
        guard var existing = try await store.read({ try await $0.message(tenant, key: key) }), existing.status == .pending else { return nil }
        let trace: DeliveryTrace
        do { trace = try await adapter.trace(key: key) } catch { trace = .unknown }
        switch trace {
        case .delivered(let receipt):
            existing.status = .sent
            existing.providerID = receipt.providerID
            logger.notice("attempt \(key) was delivered before a crash; marked sent")
        case .notFound:
            await deliver(&existing, tenant: tenant, adapter: adapter)
            logger.notice("attempt \(key) was recorded but never sent before a crash; sent now")
        case .unknown:
            logger.warning("attempt \(key) was recorded before a crash and the provider cannot say whether it was sent; left pending, not resent")
            return nil
        }
        let done = existing
        try await store.write { s in try await s.saveDelivery(tenant, done) }
        return trace == .notFound ? done : nil
    }
}

extension CaseProcessor {
    /// The sender identity for `channel`.
    static func sender(_ channel: Channel, settings: TenantSettings, tenant: String) -> String {
        channel == .email ? (settings.value("sender.email") ?? "ar@\(tenant).overdue.invalid") : (settings.value("sender.phone") ?? "sandbox")
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
