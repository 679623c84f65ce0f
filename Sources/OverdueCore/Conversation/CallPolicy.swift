import Foundation

/// What a live call does after the debtor has spoken.
public enum CallMove: Hashable, Sendable {
    /// Listen for more.
    case listen
    /// Connect the debtor to a person.
    case transfer
    /// Say goodbye and hang up.
    case end
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

    /// The move after one turn, with its reason.
    public static func next(intent: Intent?, steps: [DecidedStep], speech: String, digits: String?, turn: Int) -> (CallMove, Reason) {
        if wantsPerson(speech, digits: digits) { return (.transfer, Reason("asked_for_person", "the debtor asked for a person")) }
        if let handoff = steps.first(where: { if case .handoff = $0.action { return true } else { return false } }) {
            return (.transfer, handoff.reason)
        }
        switch intent {
        case .dispute: return (.transfer, Reason("dispute_on_call", "a dispute is best heard by a person"))
        case .promiseToPay, .paid, .optOut, .callbackRequest, .wrongContact, .paymentPlan, .autoReply:
            return (.end, Reason("call_done", "\(intent!.rawValue): confirmed, nothing more to ask"))
        default: break
        }
        if turn >= maxTurns { return (.end, Reason("call_long", "\(turn) turns: wrapping up, the ladder goes on in writing")) }
        return (.listen, Reason("listening", "asking whether there is anything else"))
    }

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
