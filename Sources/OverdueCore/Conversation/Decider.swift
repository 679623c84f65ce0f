import Foundation

/// The kinds of message Overdue writes; each has a template per channel.
public enum MessageKind: String, Codable, Sendable, CaseIterable {
    /// A ladder attempt (its tone comes from the step: friendly, firm, final).
    case reminder
    /// The ladder's next attempt after a broken promise.
    case brokenPromise = "broken_promise"
    /// "Thank you, we have noted payment by …"
    case promiseConfirmation = "promise_confirmation"
    /// A promise without a date: "when will it be paid?"
    case promiseDateRequest = "promise_date_request"
    /// A payment claim with its details: "thank you, we will match it".
    case paymentClaimThanks = "payment_claim_thanks"
    /// A payment claim without details: "please send the remittance".
    case remittanceRequest = "remittance_request"
    /// A dispute was opened, with the evidence checklist.
    case disputeReceived = "dispute_received"
    /// The documents asked for (attached by email, linked by SMS).
    case documentReply = "document_reply"
    /// Documents asked for that are not on file: a person will send them.
    case documentPending = "document_pending"
    /// The tenant's instalment plan.
    case paymentPlanOffer = "payment_plan_offer"
    /// Thanks to a wrong contact; we will not write again.
    case wrongContactThanks = "wrong_contact_thanks"
    /// Confirmation of an opt-out (SMS only: carriers require it).
    case optOutConfirmation = "opt_out_confirmation"
    /// Confirmation of an SMS opt-in (START).
    case optInConfirmation = "opt_in_confirmation"
    /// The answer to HELP.
    case help
    /// "We will call you at …"
    case callbackConfirmation = "callback_confirmation"
    /// The requested call itself.
    case callback
    /// Balance, open invoices, remit-to and how to pay.
    case accountSummary = "account_summary"
}

/// A message the decider wants sent in answer to an inbound one.
public struct Response: Hashable, Sendable, Codable {
    /// What it says.
    public var kind: MessageKind
    /// Over which channel.
    public var channel: Channel
    /// To which contact.
    public var contactID: Int64
    /// The address.
    public var address: String
    /// Invoices it is about.
    public var invoiceNumbers: [String]
    /// Documents to attach (email) or link (SMS).
    public var documents: [DocumentRef]
    /// When to send (now for answers; the agreed time for a callback).
    public var sendAt: Date
    /// Carrier-required (STOP/START/HELP confirmations): sent whatever the autonomy setting.
    public var required: Bool
    /// Facts for the template (`promise_date`, `amount`, `dispute_reason`, `missing`, `callback_time`…).
    public var details: [String: String]
    /// Lines for the template (evidence checklist, instalment schedule).
    public var lines: [String]

    /// Creates a response.
    public init(
        kind: MessageKind, channel: Channel, contactID: Int64, address: String, invoiceNumbers: [String] = [], documents: [DocumentRef] = [],
        sendAt: Date, required: Bool = false, details: [String: String] = [:], lines: [String] = []
    ) {
        self.kind = kind
        self.channel = channel
        self.contactID = contactID
        self.address = address
        self.invoiceNumbers = invoiceNumbers
        self.documents = documents
        self.sendAt = sendAt
        self.required = required
        self.details = details
        self.lines = lines
    }
}

/// A contact to add: the right person a reply pointed to.
public struct NewContact: Hashable, Sendable, Codable {
    /// Display name.
    public var name: String
    /// Email address (normalised).
    public var email: String?
    /// E.164 phone number.
    public var phone: String?
    /// Time zone (the referring contact's).
    public var timeZone: String
    /// The channel to reach them on first, when known.
    public var preferredChannel: Channel?

    /// Creates a contact to add.
    public init(name: String, email: String?, phone: String?, timeZone: String, preferredChannel: Channel? = nil) {
        self.name = name
        self.email = email
        self.phone = phone
        self.timeZone = timeZone
        self.preferredChannel = preferredChannel
    }
}

/// One thing to do about an inbound message.
public enum ConversationAction: Hashable, Sendable, Codable {
    /// Record a promise or a payment claim (the planner pauses the case while it is open).
    case recordCommitment(Commitment)
    /// Pause the debtor or one invoice.
    case hold(Hold)
    /// Open a dispute on an invoice.
    case openDispute(Dispute)
    /// Stop using a channel (or all) for a contact, durably.
    case suppress(Suppression)
    /// Lift an SMS opt-out (START).
    case resubscribe(contactID: Int64, channel: Channel)
    /// Never contact this person about the account again (wrong contact).
    case retireContact(contactID: Int64)
    /// Propose the contact a reply pointed to: a person approves it before anyone writes there
    /// (a reply can name any address, and the one who wrote it may not be who they say).
    case proposeContact(NewContact)
    /// Send (or draft, by the autonomy setting) a message.
    case respond(Response)
    /// Hand the case to a person: nothing automatic until a person acts.
    case handoff
    /// Ask a person to look; automation goes on.
    case flag
}

/// One decided step and why.
public struct DecidedStep: Hashable, Sendable, Codable {
    /// What to do.
    public var action: ConversationAction
    /// Why.
    public var reason: Reason

    /// Creates a step.
    public init(_ action: ConversationAction, _ reason: Reason) {
        self.action = action
        self.reason = reason
    }
}

/// Everything the decider reads about the message and its case.
public struct InboundContext: Sendable {
    /// The inbound message's id.
    public var messageID: String
    /// Its channel.
    public var channel: Channel
    /// When it arrived.
    public var receivedAt: Date
    /// The contact it came from.
    public var contact: Contact
    /// The debtor's facts (with commitments and disputes).
    public var facts: CaseFacts
    /// The case's ladder state.
    public var state: CaseState
    /// Documents stored for the debtor's invoices.
    public var documents: [DocumentRef]
    /// Tenant settings.
    public var settings: TenantSettings

    /// Creates a context.
    public init(
        messageID: String, channel: Channel, receivedAt: Date, contact: Contact, facts: CaseFacts, state: CaseState,
        documents: [DocumentRef], settings: TenantSettings
    ) {
        self.messageID = messageID
        self.channel = channel
        self.receivedAt = receivedAt
        self.contact = contact
        self.facts = facts
        self.state = state
        self.documents = documents
        self.settings = settings
    }
}

/// Turns what a debtor said into actions, each with its reason. Pure: the same understanding,
/// context and time always give the same steps.
public enum Decider {
    /// Decides what to do about `u` at `now`.
    public static func decide(_ u: Understanding, context c: InboundContext, now: Date) -> [DecidedStep] {
        var d = Decision(u: u, c: c, now: now)
        d.run()
        return d.steps
    }

    struct Decision {
        let u: Understanding
        let c: InboundContext
        let now: Date
        var steps: [DecidedStep] = []
        let zone: TimeZone
        let today: LocalDate
        let open: [(invoice: Invoice, balance: Int64)]
        let named: [Invoice]
        let settings: TenantSettings

        init(u: Understanding, c: InboundContext, now: Date) {
            self.u = u
            self.c = c
            self.now = now
            settings = c.settings
            zone = settings.timeZone
            today = LocalDate(now, in: zone)
            let ledger = Ledger.allocate(invoices: c.facts.invoices, payments: c.facts.payments, asOf: today)
            open = c.facts.invoices.filter { !$0.factored }.sorted { ($0.dueDate, $0.number) < ($1.dueDate, $1.number) }
                .compactMap { inv in (ledger.balances[inv.number] ?? 0) > 0 ? (inv, ledger.balances[inv.number]!) : nil }
            named = c.facts.invoices.filter { inv in u.invoiceRefs.contains { inv.matches(reference: $0) } }
        }

        var who: String { "\(c.contact.name) (\(c.channel.rawValue))" }
        var said: String {
            "\(who) wrote \(u.intent.rawValue) (confidence \(String(format: "%.2f", u.confidence)))"
        }

        mutating func add(_ a: ConversationAction, _ code: ReasonCode, _ message: String) {
            steps.append(DecidedStep(a, Reason(code, message)))
        }

        /// The invoices a reply is about: those it names that are open, else every open one.
        var targetInvoices: [(invoice: Invoice, balance: Int64)] {
            let namedOpen = open.filter { o in named.contains { $0.number == o.invoice.number } }
            return namedOpen.isEmpty ? open : namedOpen
        }

        /// The open balance of `lines` in their main currency.
        func total(_ lines: [(invoice: Invoice, balance: Int64)]) -> Money {
            var sums: [Currency: Int64] = [:]
            for l in lines { sums[l.invoice.amount.currency, default: 0] += l.balance }
            let main = sums.max { ($0.value, $1.key.code) < ($1.value, $0.key.code) }
            return Money(minorUnits: main?.value ?? 0, currency: main?.key ?? settings.currency)
        }

        func blocked(_ channel: Channel, _ contactID: Int64) -> Suppression? {
            c.facts.suppressions.first { $0.contactID == contactID && $0.blocks(channel) }
        }

        /// Answers on the message's own channel, unless the contact opted out of it.
        mutating func respond(
            _ kind: MessageKind, invoices: [String] = [], documents: [DocumentRef] = [], details: [String: String] = [:],
            lines: [String] = [], required: Bool = false, channel: Channel? = nil, at: Date? = nil
        ) {
            let ch = channel ?? c.channel
            guard let address = c.contact.address(for: ch) else {
                add(.flag, "no_address", "cannot answer \(c.contact.name) by \(ch.rawValue): no address; a person answers")
                return
            }
            if !required, let s = blocked(ch, c.contact.id) {
                add(.flag, "answer_suppressed", "not answering by \(ch.rawValue): \(c.contact.name) opted out of it (\(s.reason)); a person answers")
                return
            }
            var when = at ?? now
            // Texts and calls are only made inside 08:00–21:00 local (and the tenant's window), answers too.
            if ch != .email && !required {
                let window = settings.contactRules.window(for: ch)
                if !window.contains(when, in: c.contact.zone), let opening = window.nextOpening(atOrAfter: when, in: c.contact.zone) { when = opening }
            }
            let r = Response(
                kind: kind, channel: ch, contactID: c.contact.id, address: address, invoiceNumbers: invoices, documents: documents,
                sendAt: when, required: required, details: details, lines: lines)
            add(.respond(r), "respond", "answer \(kind.rawValue) to \(c.contact.name) by \(ch.rawValue)\(when > now ? " at \(Timestamp.format(when))" : "")")
        }

        mutating func pause(businessDays n: Int, why: String) {
            let until = today.addingBusinessDays(n).at(in: zone)
            add(.hold(Hold(debtorID: c.facts.debtor.id, reason: why, until: until)), "pause", "\(why): ladder paused until \(Timestamp.format(until))")
        }

        mutating func handoff(_ code: ReasonCode, _ why: String) {
            add(.handoff, code, "\(why): handed to a person; nothing automatic is sent")
        }

        /// A reply the reader could not settle goes to a person, and the ladder waits for them:
        /// until the inbox item is resolved or two business days pass, whichever comes first.
        mutating func review(_ code: ReasonCode, _ why: String) {
            let until = today.addingBusinessDays(Hold.replyReviewBusinessDays).at(in: zone)
            add(
                .hold(Hold(debtorID: c.facts.debtor.id, reason: Hold.replyReviewPrefix + ": " + why, until: until)), .replyReview,
                "\(why): ladder paused until a person resolves it or until \(Timestamp.format(until)), whichever comes first")
            add(.flag, code, "\(why): a person reads it; nothing automatic is sent")
        }

        mutating func run() {
            // Carrier keywords on SMS come first and are obeyed exactly.
            if c.channel == .sms, let k = u.keyword {
                switch u.intent {
                case .optOut:
                    let all = u.optOutAll
                    add(
                        .suppress(Suppression(contactID: c.contact.id, channel: all ? nil : .sms, reason: "replied \(k) by SMS")), "opt_out",
                        "\(c.contact.name) texted \(k): no more \(all ? "messages on any channel" : "texts"), effective immediately")
                    respond(.optOutConfirmation, details: ["keyword": k], required: true)
                case .question:
                    respond(.help, details: ["keyword": k], required: true)
                default:
                    add(.resubscribe(contactID: c.contact.id, channel: .sms), "opt_in", "\(c.contact.name) texted \(k): SMS opt-out lifted")
                    respond(.optInConfirmation, details: ["keyword": k], required: true)
                }
                return
            }
            if u.intent == .abusive {
                handoff("abusive", "\(said): abusive")
                return
            }
            let threshold = settings.minimumConfidence
            // Opt-outs are obeyed however unsure the reader is: over-suppressing is the safe mistake.
            // An unsure one is also shown to a person, who lifts it if it was not one ("uh hmm" on a
            // call), and is not confirmed to the debtor until then.
            if u.intent == .optOut {
                let channel = u.stoppedChannel(receivedOn: c.channel)
                add(
                    .suppress(
                        Suppression(
                            contactID: c.contact.id, channel: channel,
                            reason: "asked by \(c.channel.rawValue) to stop\(channel.map { " (\($0.rawValue))" } ?? " (all channels)")")),
                    "opt_out",
                    "\(said): \(channel.map { "no more \($0.rawValue)" } ?? "no more messages on any channel") to \(c.contact.name), effective immediately")
                if u.confidence < threshold {
                    add(
                        .flag, "opt_out_unsure",
                        "\(said), below the tenant's threshold \(String(format: "%.2f", threshold)): obeyed; a person checks it and lifts the opt-out if it was not one"
                    )
                } else if c.channel == .sms && (channel == nil || channel == .sms) {
                    respond(.optOutConfirmation, details: ["keyword": "STOP"], required: true)
                }
                return
            }
            if u.intent == .other {
                review("not_understood", "\(said): no rule answers it")
                return
            }
            if u.confidence < threshold {
                review("low_confidence", "\(said), below the tenant's threshold \(String(format: "%.2f", threshold))")
                return
            }
            if open.isEmpty && u.intent != .documentRequest && u.intent != .wrongContact && u.intent != .autoReply {
                handoff("nothing_open", "\(said), but \(c.facts.debtor.name) owes nothing")
                return
            }
            switch u.intent {
            case .promiseToPay: promise()
            case .paid: paymentClaim()
            case .dispute: dispute()
            case .documentRequest: documents()
            case .paymentPlan: paymentPlan()
            case .wrongContact: wrongContact()
            case .callbackRequest: callback()
            case .question:
                let lines = open.map { "\($0.invoice.number)" }
                respond(.accountSummary, invoices: lines)
            case .autoReply: autoReply()
            case .acknowledge:
                let days = settings.acknowledgePauseBusinessDays
                pause(businessDays: days, why: "\(said)")
            case .optOut, .abusive, .other: break
            }
        }

        mutating func promise() {
            let lines = targetInvoices
            guard var date = u.promiseDate else {
                pause(businessDays: 3, why: "\(said) without a date")
                respond(.promiseDateRequest, invoices: lines.map(\.invoice.number))
                return
            }
            if date < today { date = today }
            let maxDays = settings.promiseMaxDays
            if today.days(until: date) > maxDays {
                handoff(
                    "promise_too_far", "\(said) for \(date), \(today.days(until: date)) days out; promises up to \(maxDays) days are accepted automatically")
                return
            }
            let grace = settings.promiseGraceBusinessDays
            let reviewDate = date.addingBusinessDays(grace).adding(days: 1)
            let balance = total(lines)
            var target = balance
            var stated = false
            if let a = u.amount, a.currency == balance.currency, a.minorUnits > 0 {
                target = Money(minorUnits: min(a.minorUnits, balance.minorUnits), currency: a.currency)
                stated = true
            }
            let commitment = Commitment(
                id: "prm_" + StableHash.hex("\(c.messageID)/promise"), kind: .promise, contactID: c.contact.id, channel: c.channel,
                madeAt: now, date: date, target: target, amountStated: stated, reviewAt: reviewDate.at(in: zone),
                invoiceNumbers: named.isEmpty ? [] : lines.map(\.invoice.number), messageID: c.messageID)
            add(
                .recordCommitment(commitment), "promise",
                "\(said): promise to pay \(target) by \(date); ladder paused until \(Timestamp.format(commitment.reviewAt)) (\(grace) business day(s) of grace)"
            )
            respond(.promiseConfirmation, invoices: lines.map(\.invoice.number), details: ["promise_date": date.description, "amount": target.description])
        }

        mutating func paymentClaim() {
            let lines = targetInvoices
            let days = settings.paidPauseBusinessDays
            let balance = total(lines)
            var target = balance
            if let a = u.amount, a.currency == balance.currency, a.minorUnits > 0 {
                target = Money(minorUnits: min(a.minorUnits, balance.minorUnits), currency: a.currency)
            }
            let claim = Commitment(
                id: "clm_" + StableHash.hex("\(c.messageID)/claim"), kind: .paymentClaim, contactID: c.contact.id, channel: c.channel,
                madeAt: now, date: u.promiseDate.map { min($0, today) } ?? today, target: target, amountStated: u.amount != nil,
                reviewAt: today.addingBusinessDays(days).adding(days: 1).at(in: zone),
                invoiceNumbers: named.isEmpty ? [] : lines.map(\.invoice.number), messageID: c.messageID)
            add(
                .recordCommitment(claim), "payment_claimed",
                "\(said): payment claimed (\(target)); ladder paused \(days) business days until \(Timestamp.format(claim.reviewAt)) while it is matched")
            let detailed = u.amount != nil || !u.invoiceRefs.isEmpty || u.promiseDate != nil
            respond(detailed ? .paymentClaimThanks : .remittanceRequest, invoices: lines.map(\.invoice.number), details: ["amount": target.description])
        }

        mutating func dispute() {
            let reason = u.disputeReason ?? .other
            let lines = targetInvoices
            var opened: [String] = []
            for l in lines {
                if c.facts.disputes.contains(where: { $0.invoiceNumber == l.invoice.number && $0.status == .open }) { continue }
                let dispute = Dispute(
                    id: "dsp_" + StableHash.hex("\(c.messageID)/\(l.invoice.number)"), invoiceNumber: l.invoice.number, reason: reason,
                    openedAt: now, messageID: c.messageID)
                add(.openDispute(dispute), "dispute", "\(said): invoice \(l.invoice.number) disputed (\(reason.label)); not chased until resolved")
                opened.append(l.invoice.number)
            }
            let scope = named.isEmpty ? "every open invoice (none named)" : lines.map(\.invoice.number).joined(separator: ", ")
            add(.flag, "dispute_review", "dispute on \(scope) (\(reason.label)): a person reviews it")
            respond(.disputeReceived, invoices: lines.map(\.invoice.number), details: ["dispute_reason": reason.label], lines: reason.evidenceChecklist)
        }

        mutating func documents() {
            let kind = u.document ?? .invoice
            let invoices = named.isEmpty ? open.map(\.invoice) : named
            guard !invoices.isEmpty else {
                handoff("document_unknown_invoice", "\(said) for \(u.invoiceRefs.joined(separator: ", ")) — no such invoice")
                return
            }
            var found: [DocumentRef] = []
            var missing: [String] = []
            for inv in invoices {
                let docs = c.documents.filter { $0.invoiceNumber == inv.number && $0.kind == kind }
                if docs.isEmpty { missing.append(inv.number) } else { found += docs }
            }
            let numbers = invoices.map(\.number)
            if found.isEmpty {
                add(.flag, "document_missing", "\(said): no \(kind.label) on file for \(missing.joined(separator: ", ")); a person sends it")
                pause(businessDays: 3, why: "waiting for us to send the \(kind.label)")
                respond(.documentPending, invoices: numbers, details: ["document": kind.label])
                return
            }
            if !missing.isEmpty {
                add(.flag, "document_missing", "no \(kind.label) on file for \(missing.joined(separator: ", ")); a person sends it")
            }
            var channel = c.channel
            if channel != .email && settings.value("public_url") == nil {
                guard c.contact.email != nil else {
                    add(
                        .flag, "document_no_link",
                        "cannot link the \(kind.label) by \(channel.rawValue) (public_url is not set) and \(c.contact.name) has no email; a person sends it")
                    return
                }
                channel = .email
                add(.flag, "document_by_email", "public_url is not set, so the \(kind.label) goes by email instead of a link")
            }
            respond(
                .documentReply, invoices: numbers, documents: found,
                details: ["document": kind.label, "missing": missing.joined(separator: ", ")], channel: channel)
        }

        mutating func paymentPlan() {
            let count = settings.planMaxInstallments
            guard count >= 2 else {
                handoff("payment_plan", "\(said); this tenant offers no automatic instalment plan")
                return
            }
            let interval = settings.planIntervalDays
            let balance = total(open)
            let first = max(u.promiseDate ?? today.addingBusinessDays(5), today)
            let part = balance.minorUnits / Int64(count)
            var lines: [String] = []
            for i in 0..<count {
                let amount = i == count - 1 ? balance.minorUnits - part * Int64(count - 1) : part
                lines.append("\(first.adding(days: i * interval)): \(Money(minorUnits: amount, currency: balance.currency))")
            }
            add(
                .flag, "payment_plan",
                "\(said): offered \(count) instalments of about \(Money(minorUnits: part, currency: balance.currency)) every \(interval) days from \(first); a person confirms the plan"
            )
            pause(businessDays: 5, why: "payment plan offered")
            respond(
                .paymentPlanOffer, invoices: open.map(\.invoice.number), details: ["total": balance.description, "installments": String(count)], lines: lines)
        }

        mutating func wrongContact() {
            add(
                .retireContact(contactID: c.contact.id), "wrong_contact",
                "\(said): \(c.contact.name) is not the right contact; never contacted about this account again")
            if let r = u.redirect, let added = newContact(r) {
                add(
                    .proposeContact(added), "redirect",
                    "the right contact would be \(added.email ?? added.phone.map(PhoneNumber.display) ?? ""): proposed; once a person approves, the ladder starts again there"
                )
            } else {
                add(.flag, "research", "no other contact was named: a person (or the research agent) finds the right AP contact for \(c.facts.debtor.name)")
            }
            respond(.wrongContactThanks, required: true)
        }

        func newContact(_ redirect: String) -> NewContact? {
            if let email = EmailAddress.normalize(redirect) {
                let local = email.split(separator: "@").first.map(String.init) ?? email
                let roles: Set<String> = [
                    "ap", "payables", "accountspayable", "accounts.payable", "accounts_payable", "invoices", "billing", "finance", "remittance",
                ]
                if roles.contains(local) { return NewContact(name: "Accounts Payable (\(email))", email: email, phone: nil, timeZone: c.contact.timeZone) }
                let name = local.split(whereSeparator: { $0 == "." || $0 == "_" || $0 == "-" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(
                    separator: " ")
                return NewContact(name: name.isEmpty ? email : name, email: email, phone: nil, timeZone: c.contact.timeZone)
            }
            if let phone = PhoneNumber.normalize(redirect, defaultCountry: settings.country) {
                return NewContact(name: "Contact \(PhoneNumber.display(phone))", email: nil, phone: phone, timeZone: c.contact.timeZone)
            }
            return nil
        }

        mutating func callback() {
            guard c.contact.phone != nil else {
                add(.flag, "callback_no_phone", "\(said) but \(c.contact.name) has no phone number on file; a person calls")
                pause(businessDays: 2, why: "callback requested")
                return
            }
            let contactZone = c.contact.zone
            let localToday = LocalDate(now, in: contactZone)
            let minute = u.callbackMinute ?? 10 * 60
            var day = u.promiseDate ?? localToday
            var at = day.at(hour: minute / 60, minute: minute % 60, in: contactZone)
            if at <= now {
                day = localToday.addingBusinessDays(1)
                at =
                    u.callbackMinute == nil && u.promiseDate == nil && now.addingTimeInterval(3600) < localToday.at(hour: 17, in: contactZone)
                    ? now.addingTimeInterval(3600) : day.at(hour: minute / 60, minute: minute % 60, in: contactZone)
            }
            let window = settings.contactRules.window(for: .voice)
            if !window.contains(at, in: contactZone), let opening = window.nextOpening(atOrAfter: at, in: contactZone) { at = opening }
            let local = ComplianceGate.localText(at, contactZone)
            add(
                .hold(
                    Hold(debtorID: c.facts.debtor.id, reason: "callback requested for \(local) \(contactZone.identifier)", until: at.addingTimeInterval(86_400))
                ),
                "callback", "\(said): call back at \(local) \(contactZone.identifier) (inside the call window); ladder paused until a day after")
            respond(.callback, invoices: open.map(\.invoice.number), details: ["callback_time": "\(local) \(contactZone.identifier)"], channel: .voice, at: at)
            if c.channel != .voice {
                respond(.callbackConfirmation, details: ["callback_time": "\(local) (\(contactZone.identifier))"])
            }
        }

        mutating func autoReply() {
            if let r = u.redirect, var added = newContact(r), added.email != c.contact.email, added.phone != c.contact.phone {
                // The person named "in my absence" is written to while the contact is away.
                added.preferredChannel = added.email != nil ? .email : .sms
                add(
                    .proposeContact(added), "alternate",
                    "\(said) naming \(added.email ?? added.phone ?? "") as the contact in their absence: proposed; once a person approves, written to from then on"
                )
                // Until then the auto-reply counts as one: the case waits for the return date.
            }
            if let back = u.returnDate, back > today, today.days(until: back) <= 30 {
                let until = back.at(hour: 0, in: c.contact.zone)
                add(
                    .hold(Hold(debtorID: c.facts.debtor.id, reason: "\(c.contact.name) away until \(back) (auto-reply)", until: until)), "away",
                    "\(said): not a response; \(c.contact.name) is back \(back), ladder rescheduled to then")
            } else {
                pause(businessDays: 2, why: "\(said) with no usable return date")
            }
        }
    }
}
