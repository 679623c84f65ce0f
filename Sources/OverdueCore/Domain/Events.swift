import Foundation

/// What happened, as told to webhook subscribers and listed by the events API.
public enum EventType: String, CaseIterable, Hashable, Sendable, Codable {
    /// A case's balance reached zero (it was not resolved before).
    case caseResolved = "case.resolved"
    /// A payment was recorded for the first time.
    case paymentRecorded = "payment.recorded"
    /// A debtor promised to pay.
    case promiseCreated = "promise.created"
    /// A promise's date and grace passed without the money.
    case promiseBroken = "promise.broken"
    /// A promise was kept: the money arrived.
    case promiseKept = "promise.kept"
    /// A debtor disputed an invoice.
    case disputeOpened = "dispute.opened"
    /// A person resolved a dispute.
    case disputeResolved = "dispute.resolved"
    /// A debtor wrote, texted or spoke to us.
    case messageReceived = "message.received"
    /// A message left on some channel.
    case messageSent = "message.sent"
    /// Something needs a person: an inbox item was opened.
    case handoffCreated = "handoff.created"
    /// A hold was put on a debtor or invoice.
    case holdCreated = "hold.created"

    /// Parses a subscription's list (`"payment.recorded,promise.*"` or `"*"`): every name must be a
    /// known type, or a known group followed by `.*`.
    public static func parseFilter(_ names: [String]) -> Result<[String], FilterError> {
        var out: [String] = []
        var bad: [String] = []
        for raw in names {
            let name = raw.trimmingCharacters(in: .whitespaces)
            if name == "*" || EventType(rawValue: name) != nil { out.append(name); continue }
            if name.hasSuffix(".*"), allCases.contains(where: { $0.rawValue.hasPrefix(name.dropLast()) }) { out.append(name); continue }
            bad.append(name)
        }
        if out.isEmpty && bad.isEmpty { return .failure(FilterError(unknown: [], empty: true)) }
        return bad.isEmpty ? .success(out) : .failure(FilterError(unknown: bad, empty: false))
    }

    /// Whether a subscription's filter takes this type.
    public func matches(_ filter: [String]) -> Bool {
        filter.contains { $0 == "*" || $0 == rawValue || ($0.hasSuffix(".*") && rawValue.hasPrefix($0.dropLast())) }
    }

    /// A subscription's event list that is not valid.
    public struct FilterError: Error, Hashable, Sendable, CustomStringConvertible {
        /// Names that are not event types.
        public let unknown: [String]
        /// Whether the list was empty.
        public let empty: Bool
        /// What to fix.
        public var description: String {
            empty
                ? "name at least one event type (or \"*\")"
                : "unknown event type\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")); known: \(EventType.allCases.map(\.rawValue).joined(separator: ", "))"
        }
    }
}

/// When a failed webhook delivery is tried again: exponential backoff (30 s, 2 min, 8 min, … capped at
/// 6 h between tries) until three days after the event, then it is given up.
public enum WebhookRetry {
    /// How long after the event a delivery keeps being tried.
    public static let horizon: TimeInterval = 3 * 24 * 3600
    /// The first wait.
    public static let first: TimeInterval = 30
    /// The longest wait between two tries.
    public static let longest: TimeInterval = 6 * 3600

    /// The next try after `attempts` failed ones for an event created at `created`, or nil (with why)
    /// when it is given up.
    public static func next(afterAttempts attempts: Int, created: Date, now: Date) -> (at: Date?, reason: Reason) {
        let wait = min(longest, first * pow(4, Double(max(0, attempts - 1))))
        let at = now.addingTimeInterval(wait)
        guard at.timeIntervalSince(created) <= horizon else {
            return (
                nil,
                Reason(
                    "webhook_given_up",
                    "delivery failed \(attempts) times over \(span(now.timeIntervalSince(created))); given up: deliveries are tried for three days")
            )
        }
        return (at, Reason("webhook_retry", "delivery failed (try \(attempts)); next try in \(span(wait))"))
    }

    /// "45 s", "8 min", "6 h", "2 d 3 h".
    static func span(_ t: TimeInterval) -> String {
        let s = Int(t.rounded())
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min" }
        if s < 86400 { return "\(s / 3600) h" }
        return s % 86400 >= 3600 ? "\(s / 86400) d \(s % 86400 / 3600) h" : "\(s / 86400) d"
    }
}
