import Foundation

/// Whether a person may send a message of their own to a debtor's contact now: the same contact
/// rules the ladder obeys (an address, consent for texts and calls, no opt-out, the contact's
/// window in their time zone, the daily and weekly caps) — a person is not exempt from them.
public enum ManualMessage {
    /// The contact to write to: the one named, else the first with an address, consent and no
    /// opt-out for `channel`. Nil with the reasons when there is none.
    public static func pick(channel: Channel, named: String?, contacts: [Contact], suppressions: [Suppression]) -> (contact: Contact?, reasons: [Reason]) {
        let candidates = named.map { name in contacts.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame } } ?? contacts
        if let named, candidates.isEmpty { return (nil, [Reason("no_contact", "the debtor has no contact named '\(named)'")]) }
        var reasons: [Reason] = []
        for c in candidates {
            let why = blockers(channel: channel, contact: c, suppressions: suppressions)
            if why.isEmpty { return (c, []) }
            reasons += why
        }
        return (nil, reasons.isEmpty ? [Reason("no_contact", "the debtor has no contacts")] : reasons)
    }

    /// What stops `channel` to `contact` whatever the time.
    public static func blockers(channel: Channel, contact: Contact, suppressions: [Suppression]) -> [Reason] {
        var out: [Reason] = []
        if contact.address(for: channel) == nil {
            out.append(Reason("no_address", "\(contact.name) has no \(channel == .email ? "email address" : "phone number")"))
        }
        if !contact.hasConsent(for: channel) { out.append(Reason("no_consent", "\(contact.name) has no \(channel == .sms ? "SMS" : "call") consent")) }
        if let s = suppressions.first(where: { $0.contactID == contact.id && $0.blocks(channel) }) {
            out.append(Reason("opted_out", "\(contact.name) opted out of \(channel.rawValue) (\(s.reason))"))
        }
        return out
    }

    /// The rules a message to `contact` at `instant` would break (empty: it may go).
    public static func check(
        channel: Channel, contact: Contact, at instant: Date, suppressions: [Suppression], sent: [SentAttempt],
        replies: [ReceivedReply], settings: TenantSettings
    ) -> [Reason] {
        let hard = blockers(channel: channel, contact: contact, suppressions: suppressions)
        guard hard.isEmpty else { return hard }
        return ComplianceGate.violations(
            channel: channel, contact: contact, at: instant, sent: sent, replies: replies,
            rules: settings.contactRules
        ).map(\.reason)
    }
}
