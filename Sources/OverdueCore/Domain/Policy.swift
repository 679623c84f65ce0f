import Foundation

/// An escalation ladder: stages of channel × attempts × delay, run after invoices fall overdue.
public struct Policy: Hashable, Sendable, Codable {
    /// One rung of the ladder.
    public struct Stage: Hashable, Sendable, Codable {
        /// The channel used by this stage.
        public var channel: Channel
        /// How many attempts this stage makes.
        public var attempts: Int
        /// Days before each attempt of this stage, counted from the previous attempt.
        public var delayDays: Int

        /// Creates a stage.
        public init(channel: Channel, attempts: Int, delayDays: Int) {
            self.channel = channel
            self.attempts = attempts
            self.delayDays = delayDays
        }

        enum CodingKeys: String, CodingKey {
            case channel, attempts
            case delayDays = "delay_days"
        }
    }

    /// What happens when every attempt has been made.
    public enum OnExhausted: String, Hashable, Sendable, Codable {
        /// Flag the case for a person.
        case handoff
        /// Start the ladder again from its first stage.
        case restart
    }

    /// Policy name.
    public var name: String
    /// Days after the oldest unpaid due date when the ladder starts.
    public var startAfterDueDays: Int
    /// The stages, in order.
    public var stages: [Stage]
    /// What to do when the ladder is exhausted.
    public var onExhausted: OnExhausted

    /// Creates a policy.
    public init(name: String, startAfterDueDays: Int, stages: [Stage], onExhausted: OnExhausted) {
        self.name = name
        self.startAfterDueDays = startAfterDueDays
        self.stages = stages
        self.onExhausted = onExhausted
    }

    enum CodingKeys: String, CodingKey {
        case name, stages
        case startAfterDueDays = "start_after_due_days"
        case onExhausted = "on_exhausted"
    }

    /// The default ladder: email, SMS and voice, three attempts each, three days apart; then a person.
    public static let standard = Policy(
        name: "standard", startAfterDueDays: 1,
        stages: [
            Stage(channel: .email, attempts: 3, delayDays: 3),
            Stage(channel: .sms, attempts: 3, delayDays: 3),
            Stage(channel: .voice, attempts: 3, delayDays: 3),
        ],
        onExhausted: .handoff)

    /// Total attempts over all stages.
    public var totalAttempts: Int { stages.reduce(0) { $0 + $1.attempts } }
}

extension Policy {
    /// Every problem found in a policy document, each naming its field.
    public struct ValidationError: Error, Equatable, CustomStringConvertible {
        /// One line per problem: `stages[1].attempts: must be 1…10 (got 0)`.
        public var problems: [String]
        /// What it is, in words.
        public var description: String { "invalid policy:\n" + problems.map { "  - \($0)" }.joined(separator: "\n") }
    }

    /// Limits enforced on policies.
    public static let maxStages = 12
    /// Maximum attempts per stage.
    public static let maxAttemptsPerStage = 10

    /// Parses and validates a JSON policy document; unknown fields and impossible values are rejected.
    public static func parse(json data: Data) throws(ValidationError) -> Policy {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw ValidationError(problems: ["not valid JSON: \(error.localizedDescription)"])
        }
        guard let root = object as? [String: Any] else { throw ValidationError(problems: ["the document must be a JSON object"]) }
        var problems: [String] = []
        let known: Set<String> = ["name", "start_after_due_days", "stages", "on_exhausted"]
        for key in root.keys.sorted() where !known.contains(key) {
            problems.append("\(key): unknown field (known: \(known.sorted().joined(separator: ", ")))")
        }
        func int(_ value: Any?, _ path: String, _ range: ClosedRange<Int>) -> Int? {
            guard let value else { problems.append("\(path): required"); return nil }
            guard let n = value as? NSNumber, String(cString: n.objCType) != "c", n.doubleValue == n.doubleValue.rounded() else {
                problems.append("\(path): must be a whole number"); return nil
            }
            guard range.contains(n.intValue) else {
                problems.append("\(path): must be \(range.lowerBound)…\(range.upperBound) (got \(n.intValue))"); return nil
            }
            return n.intValue
        }
        var name = "standard"
        if let v = root["name"] {
            if let s = v as? String, !s.trimmingCharacters(in: .whitespaces).isEmpty { name = s } else { problems.append("name: must be a non-empty string") }
        }
        let start = root["start_after_due_days"] == nil ? 1 : int(root["start_after_due_days"], "start_after_due_days", 0...365)
        var onExhausted = OnExhausted.handoff
        if let v = root["on_exhausted"] {
            if let s = v as? String, let o = OnExhausted(rawValue: s) {
                onExhausted = o
            } else {
                problems.append("on_exhausted: must be \"handoff\" or \"restart\" (got \(v))")
            }
        }
        var stages: [Stage] = []
        if let raw = root["stages"] {
            if let list = raw as? [Any] {
                if list.isEmpty { problems.append("stages: at least one stage is required") }
                if list.count > maxStages { problems.append("stages: at most \(maxStages) stages (got \(list.count))") }
                for (i, item) in list.enumerated() {
                    let path = "stages[\(i)]"
                    guard let stage = item as? [String: Any] else { problems.append("\(path): must be an object"); continue }
                    let stageKeys: Set<String> = ["channel", "attempts", "delay_days"]
                    for key in stage.keys.sorted() where !stageKeys.contains(key) {
                        problems.append("\(path).\(key): unknown field (known: attempts, channel, delay_days)")
                    }
                    var channel: Channel?
                    if let c = stage["channel"] as? String, let ch = Channel(rawValue: c) {
                        channel = ch
                    } else {
                        problems.append("\(path).channel: must be email, sms or voice (got \(stage["channel"].map { "\($0)" } ?? "nothing"))")
                    }
                    let attempts = stage["attempts"] == nil ? 3 : int(stage["attempts"], "\(path).attempts", 1...maxAttemptsPerStage)
                    let delay = stage["delay_days"] == nil ? 3 : int(stage["delay_days"], "\(path).delay_days", 0...90)
                    if let channel, let attempts, let delay { stages.append(Stage(channel: channel, attempts: attempts, delayDays: delay)) }
                }
            } else {
                problems.append("stages: must be a list of stages")
            }
        } else {
            problems.append("stages: required")
        }
        guard problems.isEmpty, let start else { throw ValidationError(problems: problems) }
        return Policy(name: name, startAfterDueDays: start, stages: stages, onExhausted: onExhausted)
    }

    /// The canonical JSON form (sorted keys, pretty-printed).
    public func jsonData() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return (try? encoder.encode(self)) ?? Data()
    }
}
