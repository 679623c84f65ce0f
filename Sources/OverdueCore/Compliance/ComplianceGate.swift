import Foundation

/// The contact rules as pure functions: may this contact be reached on this channel at this instant,
/// and if not, when first?
public enum ComplianceGate {
    /// A rule that blocks an instant, with the instant from which it no longer does.
    public struct Violation: Hashable, Sendable {
        /// Why the instant is blocked.
        public var reason: Reason
        /// The first instant this rule could allow (nil: never).
        public var retryAt: Date?
    }

    /// When an attempt may go out, and why it was moved.
    public struct Clearance: Hashable, Sendable {
        /// The earliest allowed instant, or nil when the rules never allow it.
        public var at: Date?
        /// Why the attempt was moved from the requested instant (empty when it was not).
        public var reasons: [Reason]
    }

    /// The rules `channel` to `contact` at `instant` would break, given the debtor's recent
    /// outbound attempts (`sent`, all channels and contacts) and inbound replies.
    public static func violations(
        channel: Channel, contact: Contact, at instant: Date,
        sent: [SentAttempt], replies: [ReceivedReply], rules: ContactRules
    ) -> [Violation] {
        let zone = contact.zone
        let day = LocalDate(instant, in: zone)
        let nextDay = day.adding(days: 1).at(in: zone)
        var found: [Violation] = []
        let window = rules.window(for: channel)
        if !window.contains(instant, in: zone) {
            let local = localText(instant, zone)
            let why =
                window.holidays.contains(day)
                ? "\(day) is a holiday (no contact) for \(contact.name) in \(zone.identifier)"
                : "\(local) \(zone.identifier) is outside the \(channel.rawValue) window \(window) for \(contact.name)"
            found.append(
                Violation(
                    reason: Reason(window.holidays.contains(day) ? "holiday" : "outside_window", why),
                    retryAt: window.nextOpening(atOrAfter: instant, in: zone)))
        }
        if let reply = replies.filter({ $0.at <= instant && LocalDate($0.at, in: zone) == day }).max(by: { $0.at < $1.at }) {
            found.append(
                Violation(
                    reason: Reason(
                        "replied_today",
                        "the debtor replied by \(reply.channel.rawValue) at \(localText(reply.at, zone)) \(zone.identifier): paused for the rest of that day"),
                    retryAt: nextDay))
        }
        let today = sent.filter { $0.at <= instant && LocalDate($0.at, in: zone) == day }
        if today.count >= rules.maxPerDebtorPerDay {
            found.append(
                Violation(
                    reason: Reason(
                        "daily_cap",
                        "already \(today.count) attempt(s) to this debtor on \(day) (\(zone.identifier)); cap is \(rules.maxPerDebtorPerDay) per day"),
                    retryAt: nextDay))
        }
        if channel == .voice {
            let weekAgo = instant.addingTimeInterval(-7 * 86_400)
            let calls = sent.filter { $0.channel == .voice && $0.contactID == contact.id && $0.at > weekAgo && $0.at <= instant }
            if calls.count >= rules.maxCallsPerContactPer7Days {
                let oldest = calls.map(\.at).min()
                found.append(
                    Violation(
                        reason: Reason("call_cap", "\(calls.count) call(s) to \(contact.name) in the last 7 days; cap is \(rules.maxCallsPerContactPer7Days)"),
                        retryAt: oldest.map { $0.addingTimeInterval(7 * 86_400 + 1) }))
            }
        }
        return found
    }

    /// The earliest instant at or after `notBefore` that breaks no rule, with the reasons it moved.
    public static func earliest(
        channel: Channel, contact: Contact, notBefore: Date,
        sent: [SentAttempt], replies: [ReceivedReply], rules: ContactRules
    ) -> Clearance {
        var t = notBefore
        var reasons: [Reason] = []
        var seen = Set<ReasonCode>()
        // Each step moves forward; a year of steps means the rules can never be met.
        for _ in 0..<800 {
            let blocking = violations(channel: channel, contact: contact, at: t, sent: sent, replies: replies, rules: rules)
            guard let first = blocking.first else {
                if t != notBefore, !reasons.isEmpty {
                    reasons.append(
                        Reason(
                            "moved",
                            "moved from \(Timestamp.format(notBefore)) to \(Timestamp.format(t)) (\(localText(t, contact.zone)) \(contact.zone.identifier))"))
                }
                return Clearance(at: t, reasons: reasons)
            }
            for v in blocking where seen.insert(v.reason.code).inserted { reasons.append(v.reason) }
            guard let next = first.retryAt, next > t else { return Clearance(at: nil, reasons: reasons) }
            t = next
        }
        return Clearance(at: nil, reasons: reasons + [Reason("never_allowed", "no allowed instant within a year")])
    }

    /// `Mon 2026-01-05 08:00` in `zone`.
    static func localText(_ instant: Date, _ zone: TimeZone) -> String {
        let (d, minute, _) = LocalDate.wallTime(instant, in: zone)
        let names = ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        return "\(names[d.isoWeekday]) \(d) \(ContactWindow.clock(minute))"
    }
}
