import Foundation
import OverdueCore

/// A value the store writes as JSON by hand: what every planning saves (the ladder state, a
/// message event), where JSONEncoder costs more than the statement that stores it. The text is
/// what JSONEncoder writes with sorted keys and unescaped slashes (nil fields left out, dates as
/// seconds since 2001), and decodes the same; `HandWrittenJSONTests` holds the two side by side.
protocol HandWrittenJSON {
    /// Appends the value's JSON to `out`.
    func writeJSON(into out: inout String)
}

/// Writes one JSON object's members in the order given (the caller gives them sorted).
struct JSONObjectWriter {
    private var first = true

    /// Opens the object.
    init(_ out: inout String) { out += "{" }

    /// Starts member `key`; its value is appended next.
    mutating func key(_ key: String, _ out: inout String) {
        out += first ? "\"" : ",\""
        out += key
        out += "\":"
        first = false
    }

    /// A string member (left out when nil).
    mutating func string(_ key: String, _ value: String?, _ out: inout String) {
        guard let value else { return }
        self.key(key, &out)
        JSONText.append(value, to: &out)
    }

    /// An integer member (left out when nil).
    mutating func int(_ key: String, _ value: (some BinaryInteger)?, _ out: inout String) {
        guard let value else { return }
        self.key(key, &out)
        out += String(value)
    }

    /// A member already written as JSON (left out when nil).
    mutating func raw(_ key: String, _ json: String?, _ out: inout String) {
        guard let json else { return }
        self.key(key, &out)
        out += json
    }

    /// Closes the object.
    func close(_ out: inout String) { out += "}" }
}

extension Reason: HandWrittenJSON {
    func writeJSON(into out: inout String) {
        var o = JSONObjectWriter(&out)
        o.string("code", code.rawValue, &out)
        o.string("message", message, &out)
        o.close(&out)
    }
}

extension CaseState: HandWrittenJSON {
    func writeJSON(into out: inout String) {
        var o = JSONObjectWriter(&out)
        o.int("attemptsSent", attemptsSent, &out)
        o.int("cycle", cycle, &out)
        o.string("cycleStart", cycleStart?.description, &out)
        if let handoffReason {
            o.key("handoffReason", &out)
            handoffReason.writeJSON(into: &out)
        }
        // JSONEncoder's default date form: seconds since 2001-01-01, a number.
        o.raw("lastAttemptAt", lastAttemptAt.map { Session.jsonNumber($0.timeIntervalSinceReferenceDate) }, &out)
        o.int("lastStage", lastStage, &out)
        o.string("notice", notice?.rawValue, &out)
        o.raw("order", "[" + order.map(String.init).joined(separator: ",") + "]", &out)
        o.int("position", position, &out)
        o.key("skipped", &out)
        out += Session.json(skipped)
        o.string("status", status.rawValue, &out)
        o.close(&out)
    }
}

extension EventData.Message: HandWrittenJSON {
    func writeJSON(into out: inout String) {
        var o = JSONObjectWriter(&out)
        o.string("at", at, &out)
        o.string("body", body, &out)
        o.string("channel", channel, &out)
        o.string("debtor", debtor, &out)
        o.string("direction", direction, &out)
        o.string("from", from, &out)
        o.string("id", id, &out)
        o.string("intent", intent, &out)
        o.raw("invoice_numbers", Session.json(invoice_numbers), &out)
        o.string("kind", kind, &out)
        o.string("subject", subject, &out)
        o.string("to", to, &out)
        o.close(&out)
    }
}

extension EventEnvelope: HandWrittenJSON where D: HandWrittenJSON {
    func writeJSON(into out: inout String) {
        var o = JSONObjectWriter(&out)
        o.int("created", created, &out)
        o.key("data", &out)
        data.writeJSON(into: &out)
        o.string("id", id, &out)
        o.string("tenant", tenant, &out)
        o.string("type", type, &out)
        o.close(&out)
    }
}

extension Session {
    /// The ladder state as JSON.
    static func json(_ value: CaseState) -> String { handWritten(value) }

    /// A list of strings as JSON.
    static func json(_ value: [String]) -> String { array(value) { JSONText.append($0, to: &$1) } }

    /// Reasons as JSON (`[{"code": …, "message": …}]`).
    static func json(_ value: [Reason]) -> String { array(value) { $0.writeJSON(into: &$1) } }

    /// A JSON array of `items`, each written by `write`.
    private static func array<T>(_ items: [T], _ write: (T, inout String) -> Void) -> String {
        var out = "["
        for (i, item) in items.enumerated() {
            if i > 0 { out += "," }
            write(item, &out)
        }
        return out + "]"
    }

    /// Amounts as JSON: none (the usual case) is written at once.
    static func json(_ value: [Money]) -> String {
        value.isEmpty ? "[]" : encoded(value)
    }

    /// `value`'s JSON, by hand.
    static func handWritten(_ value: some HandWrittenJSON) -> String {
        var out = ""
        out.reserveCapacity(256)
        value.writeJSON(into: &out)
        return out
    }

    /// A number as JSON: whole numbers without a fraction, others in Swift's shortest exact form.
    static func jsonNumber(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }
}
