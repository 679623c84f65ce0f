import Foundation
import Logging
import OverdueChannels
import OverdueCore
import OverdueStore

/// Holds a spoken collection conversation: what the agent says when the call is answered, and its
/// answer to each thing the debtor says — through the same understanding and decider as texts and
/// email. Twilio's webhooks and the terminal sandbox (`overdue call`) both drive it; each turn is
/// stored on the case as an inbound voice message, each answer as an outbound one.
public struct VoiceAgent: Sendable {
    let store: Store
    let engine: ConversationEngine
    let logger: Logger

    /// Creates the agent.
    public init(store: Store, engine: ConversationEngine, logger: Logger = Logger(label: "overdue.voice")) {
        self.store = store
        self.engine = engine
        self.logger = logger
    }

    /// Where the call's next turn is posted (`base` is `public_url`, or `sandbox:` in the terminal).
    public struct Links: Sendable {
        /// Base URL.
        public var base: String
        /// Tenant.
        public var tenant: String
        /// The call's message id.
        public var message: String
        /// Creates the links.
        public init(base: String, tenant: String, message: String) {
            self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
            self.tenant = tenant
            self.message = message
        }
        /// The URL a turn's speech is posted to.
        public func turn(_ n: Int, silent: Int = 0, asked: Int = 0, expect: String? = nil) -> String {
            "\(base)/webhooks/twilio/voice/turn?tenant=\(tenant)&message=\(message)&turn=\(n)" + (silent > 0 ? "&silent=\(silent)" : "")
                + (asked > 0 ? "&asked=\(asked)" : "") + (expect.map { "&expect=\($0)" } ?? "")
        }
    }

    static let goodbye = TwiML([.say("Thank you. Goodbye."), .hangup])

    /// The call was answered: by a person (`answeredBy` `human`/`unknown`/nil) the agent introduces
    /// itself (with the recording notice when recording is on), reads the call script and listens;
    /// by a machine it leaves one short voicemail per ladder stage, and hangs up.
    public func answered(tenant: String, messageID: String, answeredBy: String?, links: Links, at: Date) async throws -> TwiML {
        guard let call = try await store.read({ try await $0.message(tenant, id: messageID) }), call.channel == .voice else {
            logger.warning("call webhook for unknown message \(messageID) (tenant \(tenant))")
            return TwiML([.say("Sorry, we cannot take this call now. Goodbye."), .hangup])
        }
        let settings = try await store.rules(tenant).settings
        let company = settings.companyName
        if let who = answeredBy?.lowercased(), who.hasPrefix("machine") || who == "fax" {
            let left = try await store.read { try await $0.messages(tenant, debtor: call.debtorID) }
                .contains { $0.id != call.id && $0.channel == .voice && $0.stage == call.stage && $0.deliveryStatus == "voicemail" }
            let (move, reason) = CallPolicy.onMachine(answeredBy: who, voicemailLeftThisStage: left)
            guard move == .voicemail else {
                logger.info("call \(call.id): \(reason.message); hanging up")
                try await store.write { try await $0.noteCall(tenant, id: call.id, status: "machine", at: at) }
                return TwiML([.hangup])
            }
            try await store.write { try await $0.noteCall(tenant, id: call.id, status: "voicemail", at: at) }
            // Anyone may hear a voicemail: who is calling and how to call back, no account details.
            let callback = settings.value("sender.phone").map { " Please call us back at \(Self.spell($0))." } ?? ""
            return TwiML([
                .say(
                    "Hello, this is \(settings.senderName) from \(company), calling for \(call.contactName ?? "you") about your account.\(callback) Thank you."),
                .hangup,
            ])
        }
        try await store.write { try await $0.noteCall(tenant, id: call.id, status: "answered", at: at) }
        var verbs: [TwiML.Verb] = []
        // The call scripts introduce the company themselves; a script that does not is introduced.
        if !call.body.lowercased().hasPrefix("hello") {
            verbs.append(.say("Hello \(call.contactName ?? ""), this is the accounts receivable assistant for \(company)."))
        }
        if settings.isOn("voice.record") && !call.body.lowercased().contains("recorded") {
            verbs.append(.say("This call is recorded for quality and training."))
        }
        // The script plays inside the listening step, so the debtor may answer (or press a key) at once.
        verbs.append(.gather(action: links.turn(1), prompt: call.body + " Or just tell me when you will pay.", timeout: 5))
        verbs.append(.say("I did not hear anything. We will follow up in writing. Goodbye."))
        verbs.append(.hangup)
        return TwiML(verbs)
    }

    /// The debtor said something (or nothing, or pressed keys) on turn `turn`: it is understood and
    /// decided on like any reply, the answers are said, and the call goes on, is transferred, or ends.
    /// `asked` counts the times this call already asked again after an unsure turn (in other words,
    /// twice at most before a person is offered).
    /// `expect` is what the agent just asked for (`date`: "on what day?"), so a short answer ("friday")
    /// is read as the answer to that question.
    public func heard(
        tenant: String, messageID: String, callID: String, turn: Int, silent: Int, asked: Int = 0, expect: String? = nil,
        speech: String?, digits: String?, links: Links, at: Date
    ) async throws -> TwiML {
        guard let call = try await store.read({ try await $0.message(tenant, id: messageID) }), call.channel == .voice, let phone = call.to else {
            return Self.goodbye
        }
        let settings = try await store.rules(tenant).settings
        let words = (speech ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if words.isEmpty && (digits ?? "").isEmpty {
            if silent >= 1 { return TwiML([.say("We will follow up in writing. Goodbye."), .hangup]) }
            return TwiML([
                .gather(action: links.turn(turn, silent: silent + 1), prompt: "Sorry, I did not catch that. When can we expect payment?", timeout: 5),
                .say("We will follow up in writing. Goodbye."), .hangup,
            ])
        }
        if CallPolicy.wantsPerson(words, digits: digits) { return try await transfer(settings, call: call, tenant: tenant, why: "asked for a person", at: at) }
        var said = words
        if words.isEmpty, let digits {
            switch CallPolicy.key(digits) {
            case .askDate:
                return TwiML([
                    .gather(action: links.turn(turn + 1, expect: "date"), prompt: "Thank you. On what date will the payment be sent?", timeout: 6),
                    .say("We will follow up in writing. Goodbye."), .hangup,
                ])
            case .person: return try await transfer(settings, call: call, tenant: tenant, why: "pressed \(digits) for a person", at: at)
            case .words(let w): said = w
            case .unknown:
                return TwiML([
                    .gather(action: links.turn(turn + 1), prompt: "Sorry, that is not one of the choices. Please say what you would like to do.", timeout: 5),
                    .say("We will follow up in writing. Goodbye."), .hangup,
                ])
            }
        }
        // An answer is read with its question: "friday" after "on what day will it go out?" is that day.
        if expect == "date", said.split(whereSeparator: \.isWhitespace).count <= 5 { said = CallPolicy.answeringDate(said) }
        let outcome = try await engine.receive(
            tenant: tenant, channel: .voice, from: phone, text: said, at: at,
            providerID: "\(callID):turn\(turn)", threadContactID: call.contactID, inCall: true)
        var answers = outcome.responses
        if !outcome.isNew {
            // Twilio retried the webhook: the same turn gets the same answer.
            answers = try await store.read { try await $0.messages(tenant, debtor: call.debtorID) }.filter { $0.inReplyTo == outcome.message.id }
        }
        var verbs: [TwiML.Verb] = []
        for a in answers {
            switch (a.channel, a.status) {
            case (.voice, .sent): verbs.append(.say(Self.speakable(a.body)))
            case (.email, .sent), (.email, .pending): verbs.append(.say("I have emailed that to you."))
            case (.sms, .sent), (.sms, .pending): verbs.append(.say("I have texted that to you."))
            default: break
            }
        }
        let u = outcome.understanding
        let (move, reason) = CallPolicy.next(
            intent: u?.intent, steps: outcome.steps, speech: said, digits: nil, turn: turn, asked: asked,
            promiseDated: u?.promiseDate != nil)
        logger.info("call \(callID) turn \(turn): \(outcome.understanding?.intent.rawValue ?? "?") → \(move) (\(reason.message))")
        switch move {
        case .listen:
            verbs.append(.gather(action: links.turn(turn + 1), prompt: "Is there anything else I can help you with?", timeout: 5))
            verbs += [.say("Thank you. Goodbye."), .hangup]
        case .transfer:
            return TwiML(verbs + (try await transfer(settings, call: call, tenant: tenant, why: reason.message, at: at)).verbs)
        case .end:
            verbs += [.say("Thank you for your time. Goodbye."), .hangup]
        case .ask(let words):
            // An unsure turn gets no answer said: only the question again, in other words.
            if reason.code == .askingAgain { verbs = [] }
            verbs.append(
                .gather(
                    action: links.turn(
                        turn + 1, asked: asked + (reason.code == .askingAgain ? 1 : 0),
                        expect: reason.code == .askingAgain ? nil : "date"), prompt: words, timeout: 6))
            verbs += [.say("We will follow up in writing. Goodbye."), .hangup]
        }
        return TwiML(verbs)
    }

    /// Hands the call to a person: connected now when `voice.transfer_to` is set, else promised a
    /// call back. Either way a person finds it in the inbox with why.
    func transfer(_ settings: TenantSettings, call: MessageRecord, tenant: String, why: String, at: Date) async throws -> TwiML {
        let number = settings.value("voice.transfer_to")
        let who = call.contactName ?? call.to ?? "the debtor"
        let reason = Reason(
            "call_transfer",
            number.map { "\(who) on the phone \(why): transferred to \($0)" } ?? "\(who) on the phone \(why): call them back at \(call.to ?? "their number")")
        _ = try await store.write { s in
            try await s.addInboxItem(tenant, debtor: call.debtorID, kind: .handoff, reason: reason, messageID: call.id, at: at)
        }
        if let number { return TwiML([.say("Let me connect you with a colleague."), .dial(number)]) }
        return TwiML([.say("A colleague will call you back shortly. Goodbye."), .hangup])
    }

    /// The provider's final word on a call (`completed`, `busy`, `no-answer`, `failed`, `canceled`).
    public func status(tenant: String, messageID: String, status: String, at: Date) async throws {
        try await store.write { try await $0.noteCall(tenant, id: messageID, status: status, at: at) }
    }

    /// Where the call's recording is.
    public func recording(tenant: String, messageID: String, url: String) async throws {
        try await store.write { try await $0.setRecording(tenant, id: messageID, url: url) }
    }

    /// A phone number read digit by digit ("+1 312…" → "3 1 2 …").
    static func spell(_ number: String) -> String {
        var digits = number.filter(\.isNumber)
        if number.hasPrefix("+1") && digits.count == 11 { digits.removeFirst() }
        return digits.map(String.init).joined(separator: " ")
    }

    /// Text made for the ear: links and opt-out lines are for texts, not calls.
    static func speakable(_ text: String) -> String {
        text.split(separator: "\n").filter { line in
            let l = line.lowercased()
            return !l.contains("http://") && !l.contains("https://") && !l.contains("reply stop") && !l.contains("reply \"unsubscribe\"")
        }.joined(separator: " ")
    }
}
