import Foundation
import OverdueCore
import OverdueStore

/// Replays scripted debtor turns through the whole conversation engine — reader, decider, composer
/// (templates, or a model when the scenario's settings turn one on), store — each scenario on a
/// fresh database, and says per scenario whether what was expected happened and how many model
/// drafts the guardrails refused. `overdue eval conversations FILE.jsonl` prints it.
public enum ConversationEval {
    /// One scenario: a debtor, its invoices and contact, settings, and the debtor's turns.
    public struct Scenario: Decodable, Sendable {
        /// Name shown in the report.
        public var name: String
        /// When the first turn arrives (ISO 8601; default 2026-02-10T16:00:00Z, a Tuesday).
        public var at: String?
        /// Tenant settings for this scenario (e.g. `llm.provider`, `autonomy`).
        public var settings: [String: String]?
        /// Invoices CSV rows (the `overdue import invoices` header is implied); default: two invoices.
        public var invoices: [String]?
        /// The debtor's turns, in order.
        public var turns: [Turn]

        /// One thing the debtor says, and what must follow.
        public struct Turn: Decodable, Sendable {
            /// email, sms or voice.
            public var channel: String
            /// What they write or say.
            public var text: String
            /// Email subject.
            public var subject: String?
            /// Reason codes the decider must give (`promise`, `dispute`, `payment_claimed`, `opt_out`…).
            public var expect: [String]?
            /// Message kinds that must be answered (`promise_confirmation`, `document_reply`…).
            public var answers: [String]?
            /// Minutes after the previous turn (default 60).
            public var after: Int?
        }
    }

    /// How one scenario went.
    public struct Result: Sendable {
        /// The scenario's name.
        public var name: String
        /// Whether every expectation held.
        public var passed: Bool
        /// What did not happen, per turn.
        public var misses: [String]
        /// Turns replayed.
        public var turns: Int
        /// Model drafts the guardrails refused.
        public var refusedDrafts: Int
        /// Answers a model wrote (the rest: templates).
        public var modelAnswers: Int
        /// Answers written.
        public var answers: Int
    }

    /// Why a scenarios file cannot be read: which line, what is wrong.
    public struct BadLine: Error, CustomStringConvertible {
        /// The line (1-based).
        public var line: Int
        /// What is wrong.
        public var problem: String
        /// What it is, in words.
        public var description: String { "line \(line): \(problem)" }
    }

    static let defaultInvoices = [
        "INV-100,SHIP1,Big Shipper Inc,\"1,250.00\",USD,2026-01-01,2026-01-31,448812,PRO-1,BOL-1",
        "INV-101,SHIP1,Big Shipper Inc,750,USD,2026-01-05,2026-02-04,448813,PRO-2,BOL-2",
    ]
    static let contacts = """
        debtor_id,name,email,phone,timezone,sms_consent,call_consent
        SHIP1,Dana Reyes,dana@bigshipper.example,(312) 555-0101,America/Chicago,true,true
        """

    /// Reads JSON lines: one scenario per non-empty line; every bad line is named.
    public static func parse(_ data: Data) throws -> [Scenario] {
        var out: [Scenario] = []
        var bad: [BadLine] = []
        for (i, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty, !text.hasPrefix("#") else { continue }
            do {
                let s = try JSONDecoder().decode(Scenario.self, from: Data(text.utf8))
                if s.turns.isEmpty { bad.append(BadLine(line: i + 1, problem: "\"turns\" is empty")) }
                for (t, turn) in s.turns.enumerated() where Channel(rawValue: turn.channel) == nil {
                    bad.append(BadLine(line: i + 1, problem: "turns[\(t)].channel must be email, sms or voice (got \(turn.channel))"))
                }
                if let at = s.at, Timestamp.parse(at) == nil { bad.append(BadLine(line: i + 1, problem: "\"at\" is not an ISO 8601 instant: \(at)")) }
                out.append(s)
            } catch let DecodingError.keyNotFound(key, _) {
                bad.append(BadLine(line: i + 1, problem: "\"\(key.stringValue)\" is missing"))
            } catch let DecodingError.typeMismatch(_, ctx) {
                bad.append(BadLine(line: i + 1, problem: "\(ctx.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type"))
            } catch {
                bad.append(BadLine(line: i + 1, problem: "not a JSON object"))
            }
        }
        if let first = bad.first { throw bad.count == 1 ? first : BadLine(line: first.line, problem: bad.map(\.description).joined(separator: "; ")) }
        return out
    }

    /// Runs one scenario on a fresh store at `url` (each scenario gets its own database).
    public static func run(_ s: Scenario, store: Store) async throws -> Result {
        // Scenarios happen on their own day (`at`, default 2026-02-10 16:00 UTC), whatever the wall clock says.
        let start =
            try s.at.map { text in
                guard let t = Timestamp.parse(text) else { throw StoreError.unsupported("scenario \(s.name): 'at' \(text) is not an ISO 8601 time") }
                return t
            } ?? Timestamp.parse("2026-02-10T16:00:00Z")!
        try await store.write { db in
            try await db.ensureTenant("eval", now: start)
            var settings = TenantSettings()
            // Contacts may be reached at any hour: scenarios are about understanding, not windows.
            for (k, v) in [("window.days", "all"), ("window.start", "00:00"), ("window.end", "23:59")] + (s.settings ?? [:]).sorted(by: { $0.key < $1.key }) {
                try settings.set(k, v)
            }
            try await db.saveSettings("eval", settings)
        }
        let importer = Importer(store: store)
        let header = "invoice_number,debtor_id,debtor_name,amount,currency,issue_date,due_date,load_number,pro_number,bol_number\n"
        _ = try await importer.importCSV(
            Data((header + (s.invoices ?? defaultInvoices).joined(separator: "\n")).utf8), file: "\(s.name).invoices.csv",
            kind: .invoices, tenant: "eval", skipInvalid: false)
        _ = try await importer.importCSV(Data(contacts.utf8), file: "contacts.csv", kind: .contacts, tenant: "eval", skipInvalid: false)
        let engine = ConversationEngine(store: store)
        var at = start
        var misses: [String] = []
        var refused = 0, byModel = 0, answers = 0
        for (i, turn) in s.turns.enumerated() {
            if i > 0 { at = at.addingTimeInterval(Double(turn.after ?? 60) * 60) }
            let channel = Channel(rawValue: turn.channel) ?? .email
            let from = channel == .email ? "Dana Reyes <dana@bigshipper.example>" : "+13125550101"
            let outcome = try await engine.receive(
                tenant: "eval", channel: channel, from: from, text: turn.text, at: at, subject: turn.subject,
                inCall: channel == .voice)
            let codes = Set(outcome.steps.map(\.reason.code.rawValue))
            for want in turn.expect ?? [] where !codes.contains(want) {
                misses.append("turn \(i + 1): no \(want) (decided: \(codes.sorted().joined(separator: ", ")))")
            }
            let kinds = Set(outcome.responses.map(\.kind))
            for want in turn.answers ?? [] where !kinds.contains(want) {
                misses.append("turn \(i + 1): no \(want) answer (answered: \(kinds.sorted().joined(separator: ", ")))")
            }
            for r in outcome.responses {
                answers += 1
                if r.composition?.composer == "model" { byModel += 1 }
                refused += r.composition?.notes.filter { $0.contains("refused") }.count ?? 0
            }
        }
        return Result(
            name: s.name, passed: misses.isEmpty, misses: misses, turns: s.turns.count, refusedDrafts: refused, modelAnswers: byModel, answers: answers)
    }
}
