import Foundation
import Logging
import OverdueChannels
import OverdueCore
import OverdueLanguage
import OverdueStore

/// The inbound pipeline: threads a message onto its case, understands it, asks the pure decider
/// what to do, carries the steps out (records, pauses, opt-outs, answers) and re-plans the case.
/// Answers follow the tenant's autonomy: sent (`auto`), drafted for approval (`review`), or only
/// suggested (`suggest`); carrier-required texts (STOP/START/HELP) are always sent.
public struct ConversationEngine: Sendable {
    /// The store it reads and writes.
    public let store: Store
    /// Re-plans a case after what a message changed.
    let processor: CaseProcessor
    let loader = CaseLoader()
    let delivery: Delivery
    let composers: ComposerFactory
    let documents: DocumentLibrary
    let logger: Logger

    /// Creates the engine sending through `channels` (the sandbox by default).
    public init(
        store: Store, channels: [Channel: any ChannelAdapter] = [:], documents: DocumentLibrary = DocumentLibrary(directory: DocumentLibrary.defaultDirectory),
        logger: Logger = Logger(label: "overdue.conversations")
    ) {
        self.init(store: store, processor: CaseProcessor(store: store, channels: channels, logger: logger), documents: documents, logger: logger)
    }

    /// Creates the engine answering through `processor`'s delivery and composers: the
    /// composition root shares them between the scheduler and this engine.
    public init(store: Store, processor: CaseProcessor, documents: DocumentLibrary, logger: Logger = Logger(label: "overdue.conversations")) {
        self.store = store
        self.processor = processor
        self.delivery = processor.delivery
        self.composers = processor.composers
        self.documents = documents
        self.logger = logger
    }

    /// What handling one inbound message did.
    public struct Outcome: Sendable {
        /// The stored inbound message.
        public var message: MessageRecord
        /// The contact it came from (nil: nobody has that address).
        public var contact: Contact?
        /// False when the same message was received before (nothing was done again).
        public var isNew: Bool
        /// What was understood.
        public var understanding: Understanding?
        /// What was decided, with reasons.
        public var steps: [DecidedStep]
        /// Answers written: sent, drafted, suggested or booked.
        public var responses: [MessageRecord]
    }

    /// Why an inbound message was refused.
    public struct InvalidMessage: Error, CustomStringConvertible {
        /// What is wrong.
        public var description: String
    }

    /// The sender's address as contacts are stored: an email address (a From header's form, "Dana
    /// Reyes <dana@example.com>", is accepted as well as the bare address) or an E.164 number; nil
    /// when `from` is neither.
    public static func address(_ channel: Channel, from: String, country: String) -> String? {
        switch channel {
        case .email:
            var bare = Substring(from)
            if let open = from.lastIndex(of: "<"), let close = from.lastIndex(of: ">"), open < close { bare = from[from.index(after: open)..<close] }
            return EmailAddress.normalize(String(bare))
        case .sms, .voice:
            return PhoneNumber.normalize(from, defaultCountry: country)
        }
    }

    /// Who a message from `address` at `at` is from, and the contacts with that address: an
    /// address several debtors' contacts share is told apart by the conversation (`threadContactID`:
    /// the call's or the thread's contact), the invoices named, or the latest message sent to it —
    /// else by a person (`SenderMatch`).
    public func sender(
        tenant: String, address: String, threadContactID: Int64?, inCall: Bool, invoiceRefs: [String], at: Date, unauthenticated: Reason? = nil
    ) async throws
        -> (SenderMatch, candidates: [Contact])
    {
        try await store.read { s in
            let candidates = try await s.contacts(tenant, address: address)
            let conversation = try await threadContactID.asyncMap { try await s.contact(tenant, id: $0) } ?? nil
            guard conversation != nil || !candidates.isEmpty else { return (.unknown, candidates) }
            let debtors = Set(candidates.map(\.debtorID))
            var (lastSent, named): ([String: (contactID: Int64, at: Date)], Set<String>) = ([:], [])
            if debtors.count > 1 {
                lastSent = try await s.lastSent(tenant, to: address, debtors: debtors, until: at)
                if !invoiceRefs.isEmpty { named = Set(try await s.invoices(tenant, referencedBy: invoiceRefs).map(\.debtorID)) }
            }
            let match = SenderMatch.resolve(
                address: address, candidates: candidates, conversation: conversation, inCall: inCall, lastSent: lastSent, namedDebtors: named, at: at,
                unauthenticated: unauthenticated)
            return (match, candidates)
        }
    }

    /// Receives `text` from `from` over `channel` at `at`; `providerID` de-duplicates redeliveries.
    /// Email adds what its headers say: `automatic` for an RFC 3834 auto-reply (read as `auto_reply`
    /// whatever its words), `threadContactID` for the contact the thread was sent to (when the sender's
    /// address is not on file), and the thread's `references`. `inCall`: the words were spoken in a
    /// live call, whose voice answers are said there rather than sent. `unauthenticated`: why the
    /// receiving mail server did not prove the sender (see `SenderAuthentication`): the mail is
    /// filed for a person, nothing done.
    public func receive(
        tenant: String, channel: Channel, from: String, text: String, at: Date, providerID: String? = nil, subject: String? = nil,
        automatic: Bool = false, threadContactID: Int64? = nil, references: [String] = [], inCall: Bool = false, unauthenticated: Reason? = nil
    ) async throws -> Outcome {
        let rules = try await store.rules(tenant)
        let settings = rules.settings
        guard let address = Self.address(channel, from: from, country: settings.country) else {
            throw InvalidMessage(description: "--from '\(from)' is not \(channel == .email ? "an email address" : "a phone number")")
        }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw InvalidMessage(description: "--text is empty") }
        let key = "in/" + (providerID ?? StableHash.hex("\(channel.rawValue)\u{1F}\(address)\u{1F}\(Timestamp.format(at))\u{1F}\(text)"))
        let messageID = store.messageID(tenant: tenant, key: key)
        var analysis = ReplyReader.read(text, channel: channel, reference: LocalDate(at, in: settings.timeZone))
        // Unsure: a model may read it again (nlu.llm); its reading counts only when consistent with the reply.
        var secondReading: Reason?
        let threshold = settings.minimumConfidence
        if !automatic, analysis.keyword == nil, analysis.confidence < threshold, let second = SecondReading.from(settings, inCall: inCall) {
            let verdict = await second.read(text, channel: channel, reference: LocalDate(at, in: settings.timeZone), first: analysis)
            if verdict.used {
                analysis = verdict.analysis
                analysis.confidence = threshold
            }
            secondReading = Reason(
                verdict.used ? (verdict.agreed ? "second_reader_agrees" : "second_reader_differs") : "second_reader_refused",
                "second reader (model): " + verdict.reason)
        }
        var understanding = analysis.understanding(currency: settings.currency)
        if automatic && understanding.intent != .autoReply {
            // The headers say a machine wrote it: whatever the words, it is not the debtor speaking.
            understanding.intent = .autoReply
            understanding.confidence = 1
            if understanding.returnDate == nil {
                understanding.returnDate =
                    ReplyReader.read("Out of office. " + text, channel: channel, reference: LocalDate(at, in: settings.timeZone)).returnDate
            }
        }
        // A subject line often carries the invoice or load number the body leaves out.
        if let subject, understanding.invoiceRefs.isEmpty {
            understanding.invoiceRefs = ReplyReader.read(subject, channel: .email, reference: LocalDate(at, in: settings.timeZone)).invoiceRefs
        }
        var message = MessageRecord(
            id: messageID, key: key, direction: .inbound, channel: channel, at: at, debtorID: nil,
            contactID: nil, contactName: nil, to: nil, from: address, invoiceNumbers: [], stage: nil,
            attempt: nil, kind: "reply", subject: subject, body: text, status: .received)
        message.understanding = understanding
        message.references = references

        let (match, candidates) = try await sender(
            tenant: tenant, address: address, threadContactID: threadContactID, inCall: inCall, invoiceRefs: understanding.invoiceRefs, at: at,
            unauthenticated: unauthenticated)
        var contact: Contact?
        if case .contact(let c, _) = match {
            contact = c
            message.debtorID = c.debtorID
            message.contactID = c.id
            message.contactName = c.name
        }
        if case .ambiguous(_, var why) = match {
            // Several companies' contact: nothing about any account is said; a person answers.
            // An opt-out is still obeyed at once, for every contact with the address: over-
            // suppressing is the safe mistake.
            // Outer nil: not an opt-out; inner nil: every channel.
            let stopped: Channel?? = understanding.intent == .optOut ? .some(understanding.stoppedChannel(receivedOn: channel)) : nil
            if let stopped {
                why.message += "; the opt-out was applied to all \(candidates.count) contacts with it (\(stopped?.rawValue ?? "all channels"))"
            }
            let (filed, reason) = (message, why)
            let isNew = try await store.write { s in
                let isNew = try await s.insertMessage(tenant, filed)
                if isNew {
                    if let stopped {
                        for c in candidates {
                            try await s.addSuppression(
                                tenant, Suppression(contactID: c.id, channel: stopped, reason: "asked by \(channel.rawValue) from \(address) to stop"), now: at)
                        }
                    }
                    try await s.addInboxItem(tenant, debtor: nil, kind: .unmatched, reason: reason, messageID: messageID, at: at)
                }
                return isNew
            }
            return Outcome(message: filed, contact: nil, isNew: isNew, understanding: understanding, steps: [], responses: [])
        }

        if case .unverified(let named, let why) = match {
            // Whoever wrote it, it is not proven to be the contact: kept on their case for a
            // person; nothing is answered, disclosed, paused or stopped on its words.
            message.debtorID = named.debtorID
            let filed = message
            let isNew = try await store.write { s in
                let isNew = try await s.insertMessage(tenant, filed)
                if isNew { try await s.addInboxItem(tenant, debtor: named.debtorID, kind: .unmatched, reason: why, messageID: messageID, at: at) }
                return isNew
            }
            return Outcome(message: filed, contact: nil, isNew: isNew, understanding: understanding, steps: [], responses: [])
        }

        guard let contact else {
            // No known sender and no thread: the invoice, load or PRO numbers it names may still
            // put it on one case. It is filed there for a person — a stranger's words are not
            // acted on, and Overdue does not answer an address nobody gave it.
            let named = understanding.invoiceRefs.isEmpty ? [] : try await store.read { try await $0.invoices(tenant, referencedBy: understanding.invoiceRefs) }
            let debtors = Set(named.map(\.debtorID))
            if debtors.count == 1, let debtor = debtors.first {
                message.debtorID = debtor
                message.invoiceNumbers = named.map(\.number)
            }
            let filed = message
            let isNew = try await store.write { s in
                let isNew = try await s.insertMessage(tenant, filed)
                if isNew {
                    let why =
                        filed.debtorID.map { d in
                            Reason(
                                "unknown_sender",
                                "\(channel.rawValue) from \(address), who is not a contact, about \(filed.invoiceNumbers.joined(separator: ", ")) of \(d): add them as a contact to let Overdue answer"
                            )
                        } ?? Reason("unmatched", "\(channel.rawValue) from \(address): no contact has this address")
                    try await s.addInboxItem(tenant, debtor: filed.debtorID, kind: .unmatched, reason: why, messageID: messageID, at: at)
                }
                return isNew
            }
            return Outcome(message: filed, contact: nil, isNew: isNew, understanding: understanding, steps: [], responses: [])
        }

        // Decide on the case as it stands when the message arrives.
        let (snapshot, facts, docs) = try await store.read { s in
            guard let (snapshot, facts) = try await loader.load(s, tenant: tenant, debtorID: contact.debtorID, now: at) else {
                throw StoreError.notFound("no debtor '\(contact.debtorID)'")
            }
            return (snapshot, facts, try await s.documents(tenant, debtor: contact.debtorID))
        }
        let (debtor, state) = (snapshot.debtor, snapshot.state)
        message.invoiceNumbers = facts.invoices.filter { inv in understanding.invoiceRefs.contains { inv.matches(reference: $0) } }.map(\.number)
        let context = InboundContext(
            messageID: messageID, channel: channel, receivedAt: at, contact: contact, facts: facts, state: state,
            documents: docs.map(\.ref), settings: rules.settings)
        let steps = Decider.decide(understanding, context: context, now: at)
        let autonomy = rules.settings.autonomy

        // Write the answers first (pure composition), then record everything in one transaction.
        var answers: [MessageRecord] = []
        var composeProblems: [Reason] = []
        // A model may read the conversation so far (cleaned, the latest ten messages); templates need none.
        var history: [String] = []
        if LLMComposer.Configuration.from(rules.settings) != nil {
            let earlier = try await store.read { try await $0.messages(tenant, direction: nil, debtor: debtor.id) }.filter {
                $0.status != .draft && $0.status != .suggested
            }
            history = (earlier.suffix(9) + [message]).map { m in
                "\(Timestamp.format(m.at)) \(m.direction == .inbound ? "from the debtor" : "to the debtor") by \(m.channel.rawValue): "
                    + ReplyCleaner.split(m.body).own.prefix(300)
            }
        }
        for (index, step) in steps.enumerated() {
            guard case .respond(let r) = step.action else { continue }
            do {
                var answer = try await compose(
                    r, index: index, inbound: message, debtor: debtor, facts: facts, rules: rules, documents: docs, tenant: tenant,
                    autonomy: autonomy, now: at, history: history)
                if inCall && r.channel == .voice && r.kind != .callback {
                    // Said in the live call, now (the debtor is on the line, whatever the calling
                    // window), without waiting for approval: the answers are pre-written.
                    answer.status = .sent
                    answer.providerID = "spoken in call"
                }
                answers.append(answer)
            } catch {
                composeProblems.append(Reason("compose_failed", "could not write the \(r.kind.rawValue) answer: \(error); a person answers"))
            }
        }
        let inboundMessage = message
        let stored = answers
        let spokenIn = contact.learningLanguage(
            understanding.language, words: ReplyCleaner.split(text).own.split(whereSeparator: \.isWhitespace).count,
            intent: understanding.intent, keyword: understanding.keyword)
        let isNew = try await store.write { s -> Bool in
            guard try await s.insertMessage(tenant, inboundMessage) else { return false }
            if spokenIn != contact.language { try await s.setContactLanguage(tenant, id: contact.id, spokenIn) }
            var caseState = state
            for step in steps {
                switch step.action {
                case .recordCommitment(let c): try await s.insertCommitment(tenant, debtor: debtor.id, c)
                case .hold(let h): try await s.addHold(tenant, h, now: at)
                case .openDispute(let d): try await s.insertDispute(tenant, debtor: debtor.id, d)
                case .suppress(let sup): try await s.addSuppression(tenant, sup, now: at)
                case .resubscribe(let cid, let ch):
                    try await s.removeSuppression(tenant, contactID: cid, channel: ch)
                    try await s.removeSuppression(tenant, contactID: cid, channel: nil)
                case .retireContact(let cid):
                    try await s.addSuppression(tenant, Suppression(contactID: cid, channel: nil, reason: "wrong contact: not for this account"), now: at)
                case .proposeContact(let n):
                    let id = try await s.proposeContact(tenant, debtor: debtor.id, n, reason: step.reason, messageID: inboundMessage.id, at: at)
                    var why = step.reason
                    why.message += " (proposal \(id): `overdue contacts approve \(id)` or `reject \(id)`)"
                    try await s.addInboxItem(tenant, debtor: debtor.id, kind: .flag, reason: why, messageID: inboundMessage.id, at: at)
                case .respond: break
                case .handoff:
                    caseState = caseState.takenOver(step.reason)
                    try await s.addInboxItem(tenant, debtor: debtor.id, kind: .handoff, reason: step.reason, messageID: inboundMessage.id, at: at)
                case .flag:
                    try await s.addInboxItem(tenant, debtor: debtor.id, kind: .flag, reason: step.reason, messageID: inboundMessage.id, at: at)
                }
            }
            for problem in composeProblems {
                try await s.addInboxItem(tenant, debtor: debtor.id, kind: .flag, reason: problem, messageID: inboundMessage.id, at: at)
            }
            for answer in stored {
                guard try await s.insertMessage(tenant, answer) else { continue }
                if answer.status == .draft || answer.status == .suggested {
                    try await s.addInboxItem(
                        tenant, debtor: debtor.id, kind: .draft,
                        reason: Reason(
                            "approve", "\(answer.kind) \(answer.channel.rawValue) answer to \(contact.name) waits for approval (autonomy \(autonomy.rawValue))"),
                        messageID: inboundMessage.id, draftID: answer.id, at: at)
                }
            }
            if caseState != state { try await s.updateCaseState(tenant, debtor: debtor.id, caseState) }
            try await s.recordDecision(
                tenant, debtor: debtor.id, at: at, action: .reply,
                reasons: [
                    Reason(
                        "understood",
                        "\(contact.name) by \(channel.rawValue): \(understanding.intent.rawValue) (confidence \(String(format: "%.2f", understanding.confidence)))"
                    )
                ]
                    + (secondReading.map { [$0] } ?? []) + steps.map(\.reason) + composeProblems
                    + stored.flatMap { $0.composition?.proposals.map(\.reason) ?? [] })
            try await s.schedule(tenant, subjects: [debtor.id], at: at, mode: .earliest)
            return true
        }
        guard isNew else {
            let existing = try await store.read { try await $0.message(tenant, key: key) } ?? message
            return Outcome(message: existing, contact: contact, isNew: false, understanding: existing.understanding, steps: [], responses: [])
        }
        var results: [MessageRecord] = []
        for answer in stored {
            results.append(answer.status == .pending ? try await send(answer, tenant: tenant) : answer)
        }
        // The case is re-planned at once (after the answers went out, so none is mistaken for an
        // attempt a crash left unsent), and its status and reasons show what the message changed.
        _ = try await processor.process(tenant: tenant, debtorID: debtor.id, now: at)
        logger.info("\(channel.rawValue) from \(contact.name): \(understanding.intent.rawValue); \(steps.count) step(s), \(results.count) answer(s)")
        // What was said, for tracing understanding (card and bank numbers are masked by the log handler).
        logger.debug("\(message.id) text: \(message.body.prefix(500))")
        return Outcome(message: message, contact: contact, isNew: true, understanding: understanding, steps: steps, responses: results)
    }

    /// Writes one answer as a message record whose status follows the autonomy setting.
    func compose(
        _ r: Response, index: Int, inbound: MessageRecord, debtor: Debtor, facts: CaseFacts, rules: CaseProcessor.TenantRules,
        documents: [StoredDocument], tenant: String, autonomy: Autonomy, now: Date, history: [String] = []
    ) async throws -> MessageRecord {
        let settings = rules.settings
        let today = LocalDate(now, in: settings.timeZone)
        let ledger = Ledger.allocate(invoices: facts.invoices, payments: facts.payments, asOf: today)
        let wanted = Set(r.invoiceNumbers)
        let lines = facts.invoices.filter { !$0.factored && (wanted.isEmpty || wanted.contains($0.number)) }
            .sorted { ($0.dueDate, $0.number) < ($1.dueDate, $1.number) }
            .compactMap { inv -> InvoiceLine? in
                let bal = ledger.balances[inv.number] ?? 0
                guard bal > 0 || wanted.contains(inv.number) else { return nil }
                return InvoiceLine(
                    invoice: inv, balance: Money(minorUnits: bal, currency: inv.amount.currency), daysPastDue: max(0, inv.dueDate.days(until: today)))
            }
        let contact = facts.contacts.first { $0.id == r.contactID }
        let linked = r.documents.map { ref in
            (
                ref: ref,
                link: documents.first { $0.ref.id == ref.id }.flatMap {
                    DocumentLibrary.link($0, publicURL: settings.value("public_url"), store: store, now: now)
                }
            )
        }
        var request = CompositionRequest(
            kind: r.kind, channel: r.channel, debtor: debtor, contactName: contact?.name ?? "", invoices: lines,
            settings: settings, details: r.details, lines: r.lines, documents: linked)
        request.now = now
        request.history = history
        let content = try await composers.composer(rules, tenant: tenant).compose(request)
        let key = "re/\(inbound.id)/\(index)"
        let status: MessageRecord.Status
        if r.sendAt > now {
            status = .scheduled
        } else if r.required || autonomy == .auto {
            status = .pending
        } else {
            status = autonomy == .review ? .draft : .suggested
        }
        var record = MessageRecord(
            id: store.messageID(tenant: tenant, key: key), key: key, direction: .outbound, channel: r.channel, at: r.sendAt,
            debtorID: debtor.id, contactID: r.contactID, contactName: contact?.name, to: r.address,
            from: Delivery.sender(r.channel, settings: settings, tenant: tenant), invoiceNumbers: lines.map(\.invoice.number),
            stage: nil, attempt: nil, kind: r.kind.rawValue, subject: content.subject, body: content.body, status: status)
        record.html = content.html
        record.composition = content.composition
        record.inReplyTo = inbound.id
        record.attachments = r.channel == .email ? r.documents : []
        if !content.warnings.isEmpty { record.error = content.warnings.joined(separator: "; ") }
        return record
    }

    /// Plans `debtor`'s case again at `at`, after what a message or a report changed.
    public func replan(tenant: String, debtor: String, at: Date) async throws {
        _ = try await processor.process(tenant: tenant, debtorID: debtor, now: at)
    }

    /// Hands a recorded answer to its channel and stores the provider's answer.
    func send(_ answer: MessageRecord, tenant: String) async throws -> MessageRecord {
        var record = answer
        record.error = nil
        return try await delivery.send(record, tenant: tenant)
    }

    /// Sends a draft or suggestion a person approved, now; resolves its inbox item.
    public func approve(tenant: String, messageID: String, now: Date) async throws -> MessageRecord {
        guard let draft = try await store.read({ try await $0.message(tenant, id: messageID) }) else {
            throw InvalidMessage(description: "no message '\(messageID)' in tenant \(tenant)")
        }
        guard draft.status == .draft || draft.status == .suggested else {
            throw InvalidMessage(description: "message \(messageID) is \(draft.status.rawValue), not a draft waiting for approval")
        }
        if let cid = draft.contactID, let debtor = draft.debtorID {
            let blocked = try await store.read { try await $0.suppressions(tenant, debtor: debtor) }.first { $0.contactID == cid && $0.blocks(draft.channel) }
            if let blocked {
                throw InvalidMessage(
                    description:
                        "message \(messageID) cannot be sent: \(draft.contactName ?? "the contact") opted out of \(draft.channel.rawValue) (\(blocked.reason))")
            }
        }
        try await store.write { s in
            try await s.setMessageStatus(tenant, id: messageID, status: .pending, at: now)
            try await s.resolveInbox(tenant, draftID: messageID, resolution: "approved and sent", at: now)
        }
        var pending = draft
        pending.status = .pending
        pending.at = now
        return try await send(pending, tenant: tenant)
    }

    /// Why a person's message cannot go (the contact rules it would break).
    public struct Refused: Error, CustomStringConvertible, Sendable {
        /// The reasons.
        public let reasons: [Reason]
        /// Not found (no such debtor) rather than refused.
        public let notFound: Bool
        /// What it is, in words.
        public var description: String { reasons.map(\.message).joined(separator: "; ") }
    }

    /// A person's own message to a debtor (email or SMS), sent now if the contact rules allow it,
    /// on the case's conversation and in its timeline.
    public func sendManual(
        tenant: String, debtor debtorID: String, channel: Channel, text: String, subject: String?, contactName: String?,
        by who: String, now: Date
    ) async throws -> MessageRecord {
        let settings = try await store.rules(tenant).settings
        guard let facts = try await store.read({ s in try await loader.load(s, tenant: tenant, debtorID: debtorID, now: now)?.facts }) else {
            throw Refused(reasons: [Reason("no_debtor", "no debtor '\(debtorID)'")], notFound: true)
        }
        let debtor = facts.debtor
        let (picked, why) = ManualMessage.pick(channel: channel, named: contactName, contacts: facts.contacts, suppressions: facts.suppressions)
        guard let contact = picked else { throw Refused(reasons: why, notFound: false) }
        let blocked = ManualMessage.check(
            channel: channel, contact: contact, at: now, suppressions: facts.suppressions, sent: facts.sent, replies: facts.replies, settings: settings)
        guard blocked.isEmpty else { throw Refused(reasons: blocked, notFound: false) }
        let key = "manual/\(debtor.id)/\(UUID().uuidString)"
        let record = MessageRecord(
            id: store.messageID(tenant: tenant, key: key), key: key, direction: .outbound, channel: channel, at: now,
            debtorID: debtor.id, contactID: contact.id, contactName: contact.name, to: contact.address(for: channel),
            from: Delivery.sender(channel, settings: settings, tenant: tenant), invoiceNumbers: [], stage: nil, attempt: nil,
            kind: "manual", subject: channel == .email ? (subject ?? "Re: your account with \(settings.companyName)") : nil, body: text, status: .pending)
        try await store.write { s in
            try await s.insertMessage(tenant, record)
            try await s.recordDecision(
                tenant, debtor: debtor.id, at: now, action: .send,
                reasons: [Reason("manual_message", "\(who) wrote to \(contact.name) by \(channel.rawValue)")])
        }
        return try await send(record, tenant: tenant)
    }

    /// Discards a draft; resolves its inbox item.
    public func discard(tenant: String, messageID: String, now: Date) async throws {
        guard let draft = try await store.read({ try await $0.message(tenant, id: messageID) }), draft.status == .draft || draft.status == .suggested else {
            throw InvalidMessage(description: "no draft '\(messageID)' waiting for approval in tenant \(tenant)")
        }
        try await store.write { s in
            try await s.setMessageStatus(tenant, id: messageID, status: .cancelled)
            try await s.resolveInbox(tenant, draftID: messageID, resolution: "discarded", at: now)
        }
    }

    /// The contact behind an email unsubscribes through its link (RFC 8058 one-click, or the
    /// page's button): no more email to them; the case is re-planned on the other channels.
    /// Returns the contact's name, or nil when the message has no contact.
    @discardableResult
    public func unsubscribe(tenant: String, message: MessageRecord, now: Date) async throws -> String? {
        guard let cid = message.contactID, let debtor = message.debtorID else { return nil }
        let name = message.contactName ?? message.to ?? "the contact"
        try await store.write { s in
            let already = try await s.suppressions(tenant, debtor: debtor).contains { $0.contactID == cid && ($0.channel == .email || $0.channel == nil) }
            guard !already else { return }
            try await s.addSuppression(tenant, Suppression(contactID: cid, channel: .email, reason: "unsubscribed with the link in an email"), now: now)
            try await s.recordDecision(
                tenant, debtor: debtor, at: now, action: .wait,
                reasons: [Reason("unsubscribed", "\(name) unsubscribed from email (link in message \(message.id)): no more email to them")])
            try await s.schedule(tenant, subjects: [debtor], at: now, mode: .earliest)
        }
        _ = try await processor.process(tenant: tenant, debtorID: debtor, now: now)
        return name
    }
}
