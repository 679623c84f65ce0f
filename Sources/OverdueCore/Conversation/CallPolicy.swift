import Foundation

/// What a live call does after the debtor has spoken.
public enum CallMove: Hashable, Sendable {
    /// Listen for more.
    case listen
    /// Connect the debtor to a person.
    case transfer
    /// Say goodbye and hang up.
    case end
    /// Ask again, with these words (empty: the answer just said already asks).
    case ask(String)
}

/// The rules of a spoken collection conversation: when to keep listening, when a person takes
/// over, when the call has done its work. Pure: the same words, steps and turn give the same move.
public enum CallPolicy {
    /// Turns after which the agent wraps up whatever was said.
    public static let maxTurns = 6

    /// Whether the debtor asked for a person (or pressed 0).
    public static func wantsPerson(_ speech: String, digits: String?) -> Bool {
        if digits?.trimmingCharacters(in: .whitespaces) == "0" { return true }
        let t = speech.lowercased()
        let asks = ["speak to", "speak with", "talk to", "talk with", "transfer me", "connect me", "put me through"]
        let who = ["person", "human", "someone", "somebody", "representative", "agent", "manager", "operator", "real"]
        return asks.contains { t.contains($0) } && who.contains { t.contains($0) } || t.contains("representative") || t.contains("operator")
    }

    /// How many times an unsure turn is asked again, in other words, before a person is offered.
    public static let maxReasks = 2

    /// Other words for a turn the agent did not understand well enough, one per re-ask.
    public static let rephrasings = [
        "Sorry, I want to be sure I understood. Could you say that another way?",
        "Let me ask it simply: when do you expect this to be paid?",
    ]

    /// The move after one turn, with its reason. `asked` is how many times the call has already
    /// asked again after unsure turns; `promiseDated` whether a promise named its day.
    public static func next(
        intent: Intent?, steps: [DecidedStep], speech: String, digits: String?, turn: Int, asked: Int = 0,
        promiseDated: Bool = true
    ) -> (CallMove, Reason) {
        if wantsPerson(speech, digits: digits) { return (.transfer, Reason("asked_for_person", "the debtor asked for a person")) }
        // The reader was unsure (or understood nothing): on a call the debtor is there to ask.
        let unsure = intent == .other || steps.contains { $0.reason.code == .replyReview }
        if unsure {
            if asked < maxReasks {
                return (.ask(rephrasings[asked]), Reason("asking_again", "not sure what was meant: asking again in other words (\(asked + 1) of \(maxReasks))"))
            }
            return (.transfer, Reason("unsure_on_call", "still not sure after asking \(maxReasks) times: a person takes the call"))
        }
        if let handoff = steps.first(where: { if case .handoff = $0.action { return true } else { return false } }) {
            return (.transfer, handoff.reason)
        }
        if turn >= maxTurns { return (.end, Reason("call_long", "\(turn) turns: wrapping up, the ladder goes on in writing")) }
        switch intent {
        case .dispute: return (.transfer, Reason("dispute_on_call", "a dispute is best heard by a person"))
        case .promiseToPay where !promiseDated:
            // The answer said asks for the day; listen for it.
            return (.ask(""), Reason("asking_day", "a promise without a day: asking which day on the call"))
        case .promiseToPay, .paid, .optOut, .callbackRequest, .wrongContact, .paymentPlan, .autoReply:
            return (.end, Reason("call_done", "\(intent!.rawValue): confirmed, nothing more to ask"))
        case .acknowledge where turn <= 2:
            // "Yes, this is accounts payable": the call has not said what it is for yet.
            return (
                .ask("Thank you. We are calling about the open balance. When can we expect the payment?"),
                Reason("asking_date", "acknowledged without a commitment: asking when payment will be sent")
            )
        default: break
        }
        return (.listen, Reason("listening", "asking whether there is anything else"))
    }

    /// A short spoken answer to "on what day will the payment go out?", as the sentence it
    /// answers: "friday" is "We will pay friday".
    public static func answeringDate(_ answer: String) -> String { "We will pay " + answer }

    /// What a key pressed on the call means (the call scripts offer 1: when you will pay, 2: already
    /// paid, 3 or 0: our team, 9: stop these calls).
    public enum Key: Hashable, Sendable {
        /// Ask for the payment date.
        case askDate
        /// Read it as these words.
        case words(String)
        /// Connect to a person.
        case person
        /// Not a choice.
        case unknown
    }

    /// The meaning of `digits`.
    public static func key(_ digits: String) -> Key {
        switch digits.trimmingCharacters(in: .whitespaces) {
        case "1": return .askDate
        case "2": return .words("We have already paid this.")
        case "3", "0": return .person
        case "9": return .words("Stop calling me.")
        default: return .unknown
        }
    }

    /// What to do when a machine (or fax) answers: one short voicemail per ladder stage, then
    /// hang-ups (a voicemail box full of the same message helps nobody).
    public enum OnMachine: Hashable, Sendable { case voicemail, hangUp }

    /// The move for a machine answer, with its reason.
    public static func onMachine(answeredBy: String, voicemailLeftThisStage: Bool) -> (OnMachine, Reason) {
        if answeredBy.lowercased() == "fax" { return (.hangUp, Reason("fax", "a fax machine answered")) }
        if voicemailLeftThisStage { return (.hangUp, Reason("voicemail_left", "a voicemail was already left this stage")) }
        return (.voicemail, Reason("voicemail", "a machine answered: one short voicemail this stage"))
    }
}
