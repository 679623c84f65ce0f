import Foundation

/// Where a case stands.
public enum CaseStatus: String, Codable, Sendable, CaseIterable {
    /// No invoices at all.
    case idle
    /// Open invoices, none overdue enough to chase yet.
    case current
    /// The ladder is running.
    case active
    /// On hold (debtor hold, or every chased invoice held).
    case paused
    /// A person must take over (ladder exhausted, or no way to reach the debtor).
    case handoff
    /// Everything owed is paid.
    case resolved
}

/// The durable progress of one debtor's ladder: what the planner needs to remember between runs.
public struct CaseState: Hashable, Sendable, Codable {
    /// Ladder cycle; 0 before the first one starts. A restart or a new overdue period starts the next.
    public var cycle: Int
    /// Current status.
    public var status: CaseStatus
    /// Stage indices of the policy in the order this cycle runs them (preferred channel first).
    public var order: [Int]
    /// Steps of the flattened ladder consumed this cycle (sent or skipped).
    public var position: Int
    /// Attempts actually sent this cycle.
    public var attemptsSent: Int
    /// When the last attempt of this cycle was sent.
    public var lastAttemptAt: Date?
    /// Stage index of the last attempt sent.
    public var lastStage: Int?
    /// The date the ladder clock of this cycle started.
    public var cycleStart: LocalDate?
    /// Stages skipped this cycle, with why: kept so every later decision can still explain them.
    public var skipped: [Reason]
    /// Why the case was handed to a person, while it is.
    public var handoffReason: Reason?
    /// A notice the next ladder attempt carries instead of a plain reminder (`broken_promise`).
    public var notice: MessageKind?

    /// Creates a state.
    public init(
        cycle: Int = 0, status: CaseStatus = .idle, order: [Int] = [], position: Int = 0, attemptsSent: Int = 0,
        lastAttemptAt: Date? = nil, lastStage: Int? = nil, cycleStart: LocalDate? = nil, skipped: [Reason] = [], handoffReason: Reason? = nil
    ) {
        self.cycle = cycle
        self.status = status
        self.order = order
        self.position = position
        self.attemptsSent = attemptsSent
        self.lastAttemptAt = lastAttemptAt
        self.lastStage = lastStage
        self.cycleStart = cycleStart
        self.skipped = skipped
        self.handoffReason = handoffReason
    }

    /// A state with no ladder running (keeps the cycle count).
    func endingCycle(status: CaseStatus) -> CaseState {
        CaseState(cycle: cycle, status: status)
    }

    /// The state after a person took the case over: nothing automatic until it is handed back.
    public func takenOver(_ why: Reason) -> CaseState {
        var s = self
        s.status = .handoff
        s.handoffReason = why
        return s
    }

    /// The state after the right contact was named: the ladder starts over with them (nobody there
    /// has been reminded yet), keeping the cycle count.
    public func restartedForNewContact() -> CaseState {
        guard status != .handoff || handoffReason?.code == .exhausted || handoffReason?.code == .unreachable else { return self }
        return CaseState(cycle: cycle, status: .current)
    }

    /// The state after a person handed the case back: the ladder resumes where it was.
    public func handedBack() -> CaseState {
        var s = self
        s.status = s.cycle == 0 ? .idle : .active
        s.handoffReason = nil
        return s
    }
}

/// Everything the planner reads about one debtor.
public struct CaseFacts: Hashable, Sendable {
    /// The debtor.
    public var debtor: Debtor
    /// Its contacts, in a stable order.
    public var contacts: [Contact]
    /// All its invoices (paid ones too).
    public var invoices: [Invoice]
    /// All its payments.
    public var payments: [Payment]
    /// Holds on the debtor or its invoices.
    public var holds: [Hold]
    /// Opt-outs of its contacts.
    public var suppressions: [Suppression]
    /// Recent outbound attempts (at least the last 8 days).
    public var sent: [SentAttempt]
    /// Recent inbound replies (at least the last 2 days).
    public var replies: [ReceivedReply]
    /// Promises and payment claims (open ones at least).
    public var commitments: [Commitment]
    /// Disputes (open ones at least).
    public var disputes: [Dispute]

    /// Creates facts.
    public init(
        debtor: Debtor, contacts: [Contact] = [], invoices: [Invoice] = [], payments: [Payment] = [], holds: [Hold] = [],
        suppressions: [Suppression] = [], sent: [SentAttempt] = [], replies: [ReceivedReply] = [],
        commitments: [Commitment] = [], disputes: [Dispute] = []
    ) {
        self.debtor = debtor
        self.contacts = contacts
        self.invoices = invoices
        self.payments = payments
        self.holds = holds
        self.suppressions = suppressions
        self.sent = sent
        self.replies = replies
        self.commitments = commitments
        self.disputes = disputes
    }
}

/// One overdue invoice as a message lists it.
public struct InvoiceLine: Hashable, Sendable, Codable {
    /// The invoice.
    public var invoice: Invoice
    /// Its open balance.
    public var balance: Money
    /// Days past the due date on the planning date.
    public var daysPastDue: Int

    /// Creates a line.
    public init(invoice: Invoice, balance: Money, daysPastDue: Int) {
        self.invoice = invoice
        self.balance = balance
        self.daysPastDue = daysPastDue
    }
}

/// An attempt the planner wants made.
public struct PlannedAttempt: Hashable, Sendable, Codable {
    /// Channel.
    public var channel: Channel
    /// The contact addressed.
    public var contact: Contact
    /// The address (email or E.164 number).
    public var address: String
    /// Policy stage index (0-based, in policy order).
    public var stageIndex: Int
    /// 1-based stage number as people count it, in policy order.
    public var stage: Int { stageIndex + 1 }
    /// 1-based attempt within the stage.
    public var attempt: Int
    /// Attempts in that stage.
    public var attemptsInStage: Int
    /// Ladder cycle.
    public var cycle: Int
    /// Step of the flattened ladder.
    public var position: Int
    /// The invoices the message covers, oldest first.
    public var invoices: [InvoiceLine]
    /// What the message is: a reminder, or a notice such as the follow-up to a broken promise.
    public var kind: MessageKind = .reminder

    /// The deterministic idempotency key of this attempt.
    public func key(debtorID: String) -> String { "\(debtorID)/c\(cycle)/p\(position)" }
}

/// What the planner decided, with its reasons.
public struct Decision: Hashable, Sendable {
    /// The kind of decision.
    public enum Action: String, Hashable, Sendable, Codable {
        /// Send `attempt` now.
        case send
        /// Nothing to send before `at`.
        case wait
        /// On hold until `at`.
        case pause
        /// Paid in full: nothing more is sent.
        case resolve
        /// A person must take over.
        case handoff
        /// Nothing owed, nothing to do.
        case none
        /// A debtor's message was understood and acted on.
        case reply
    }

    /// What to do.
    public var action: Action
    /// When (the send time, the next planned attempt, or the end of a hold).
    public var at: Date?
    /// The attempt to make or planned next.
    public var attempt: PlannedAttempt?
    /// Why.
    public var reasons: [Reason]
}

/// The planner's answer: the new state, the decision, and when to look again.
public struct Plan: Hashable, Sendable {
    /// The state to store.
    public var state: CaseState
    /// The decision.
    public var decision: Decision
    /// When to plan again regardless (a hold ends, a payment date or a due date arrives).
    public var wakeAt: Date?
    /// Open balance per currency (non-factored invoices).
    public var balances: [Currency: Int64]
    /// Open (unpaid, non-factored) invoices.
    public var openInvoices: [InvoiceLine]
    /// Commitments this planning settled (kept, broken or unmatched), with why.
    public var settled: [(id: String, status: Commitment.Status, reason: Reason)] = []

    /// Whether the two are the same.
    public static func == (a: Plan, b: Plan) -> Bool {
        a.state == b.state && a.decision == b.decision && a.wakeAt == b.wakeAt && a.balances == b.balances && a.openInvoices == b.openInvoices
            && a.settled.map(\.id) == b.settled.map(\.id)
    }

    /// Hashes what `==` compares.
    public func hash(into h: inout Hasher) {
        h.combine(state)
        h.combine(decision)
    }

    /// The next instant the case needs attention: the decision time or the wake time, whichever is first.
    public var nextRunAt: Date? {
        switch (decision.action == .send || decision.action == .wait || decision.action == .pause ? decision.at : nil, wakeAt) {
        case let (a?, b?): return min(a, b)
        case let (a?, nil): return a
        case let (nil, b?): return b
        case (nil, nil): return nil
        }
    }
}
