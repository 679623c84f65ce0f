import Foundation

/// Which contact an inbound message is from, when an address can be shared: in freight one AP
/// clerk or service centre often pays for several companies, so one phone number or mailbox may
/// be a contact of several debtors. A message belongs to the conversation it answers — a call turn
/// to its call, a reply to the thread it is in, else to the latest message Overdue sent that
/// address — and when that does not say which company it is about, nobody's account is disclosed:
/// the message goes to a person.
public enum SenderMatch: Hashable, Sendable {
    /// The sender is this contact, and why.
    case contact(Contact, Reason)
    /// Contacts of several debtors have the address and nothing says which is meant.
    case ambiguous(debtors: [String], Reason)
    /// The message names this contact's conversation, but nothing proves it is from them (a
    /// reply to their thread from an address not on file, or mail whose sender the receiving
    /// server did not authenticate): filed on their case for a person, nothing done or disclosed.
    case unverified(Contact, Reason)
    /// No contact has the address and no conversation names one.
    case unknown

    /// How recent a message to the address must be to count as the conversation a reply answers,
    /// and how close two debtors' messages to it may be before neither can be told apart.
    public static let conversationWindow: TimeInterval = 14 * 86_400

    /// Resolves the sender of a message from `address` at `at`.
    /// - Parameters:
    ///   - candidates: contacts whose address it is (any debtor).
    ///   - conversation: the contact the conversation names (the call's contact for a call turn;
    ///     the thread's for a mail answering one), if any.
    ///   - inCall: the words were spoken in that call: the call decides, whatever the number.
    ///   - lastSent: per debtor among the candidates', its latest message sent to the address
    ///     (its contact and when), at or before `at`.
    ///   - namedDebtors: debtors whose invoice, load or PRO numbers the message names.
    ///   - unauthenticated: why the sender is not proven (mail the receiving server did not
    ///     authenticate), nil when it is or cannot be checked: whoever it names is `unverified`.
    public static func resolve(
        address: String, candidates: [Contact], conversation: Contact?, inCall: Bool, lastSent: [String: (contactID: Int64, at: Date)],
        namedDebtors: Set<String>, at: Date, unauthenticated: Reason? = nil
    ) -> SenderMatch {
        let match = resolveAddress(
            address: address, candidates: candidates, conversation: conversation, inCall: inCall, lastSent: lastSent, namedDebtors: namedDebtors, at: at)
        if let unauthenticated, case .contact(let contact, _) = match {
            return .unverified(
                contact,
                Reason("unauthenticated_sender", "\(address) as sender was not authenticated (\(unauthenticated.message)): filed for a person, nothing done"))
        }
        return match
    }

    private static func resolveAddress(
        address: String, candidates: [Contact], conversation: Contact?, inCall: Bool, lastSent: [String: (contactID: Int64, at: Date)],
        namedDebtors: Set<String>, at: Date
    ) -> SenderMatch {
        if let conversation, inCall || candidates.contains(where: { $0.id == conversation.id }) {
            return .contact(
                conversation, Reason("conversation", inCall ? "said in the call placed to \(conversation.name)" : "in the thread with \(conversation.name)"))
        }
        if let conversation, candidates.isEmpty {
            // Anyone who saw the thread (or guessed its reference) can answer it: the words are
            // kept on the case, and a person decides whether they are the debtor's.
            return .unverified(
                conversation,
                Reason(
                    "thread_other_address",
                    "\(address) is not on file; the mail answers the thread with \(conversation.name): filed for a person, nothing done"))
        }
        let debtors = Set(candidates.map(\.debtorID))
        guard let first = candidates.first else { return .unknown }
        if debtors.count == 1 { return .contact(first, Reason("address", "\(address) is \(first.name)'s")) }
        let sorted = debtors.sorted()
        // The message names invoices of exactly one of them: that is the one it is about.
        let named = debtors.intersection(namedDebtors)
        if named.count == 1, let debtor = named.first, let contact = candidates.first(where: { $0.debtorID == debtor }) {
            return .contact(
                contact, Reason("address_shared_named", "\(address) is shared by \(sorted.count) debtors' contacts; the message names \(debtor)'s invoices"))
        }
        // Else the latest message sent to the address, if no other debtor's is nearly as recent.
        let recent = lastSent.filter { debtors.contains($0.key) && $0.value.at <= at && at.timeIntervalSince($0.value.at) <= conversationWindow }
        if recent.count == 1, let (debtor, sent) = recent.first {
            let contact = candidates.first { $0.id == sent.contactID } ?? candidates.first { $0.debtorID == debtor }!
            return .contact(
                contact, Reason("address_shared_latest", "\(address) is shared by \(sorted.count) debtors' contacts; the latest message to it was \(debtor)'s"))
        }
        let why =
            recent.isEmpty
            ? "nothing was sent to it lately"
            : "\(recent.keys.sorted().joined(separator: " and ")) were all written to there in the last \(Int(conversationWindow / 86_400)) days"
        return .ambiguous(
            debtors: sorted,
            Reason(
                "address_shared",
                "\(address) belongs to contacts of \(sorted.joined(separator: ", ")) and the message does not say which company it is about (\(why)): nothing was disclosed or answered"
            ))
    }
}
