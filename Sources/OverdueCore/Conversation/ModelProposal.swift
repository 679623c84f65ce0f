import Foundation

/// What a model may ask for while it writes (function calling): never an action, only a proposal
/// that these rules accept or refuse, with the reason the case's decisions record. Pure.
public enum ModelProposal {
    /// A proposal and its verdict.
    public struct Verdict: Hashable, Sendable, Codable {
        /// The tool called (`propose_promise`…).
        public var tool: String
        /// Whether the rules accept it.
        public var accepted: Bool
        /// Why, for the model and for the case's decisions.
        public var reason: Reason
    }

    /// What the rules read about the case.
    public struct Case: Sendable {
        /// Open invoices by number with their balances.
        public var open: [String: Money]
        /// Documents on file: (invoice, kind).
        public var documents: [(invoice: String, kind: DocumentKind)]
        /// Today in the tenant's zone.
        public var today: LocalDate
        /// Promises further out than this go to a person (`promise.max_days`).
        public var maxPromiseDays: Int

        /// Creates the view.
        public init(open: [String: Money], documents: [(invoice: String, kind: DocumentKind)], today: LocalDate, maxPromiseDays: Int) {
            self.open = open
            self.documents = documents
            self.today = today
            self.maxPromiseDays = maxPromiseDays
        }
    }

    /// The proposal tools and what they take (JSON Schema), as offered to the model.
    public static let tools: [(name: String, description: String, parameters: String)] = [
        (
            "propose_promise", "Propose recording the debtor's promise to pay by a date (and amount, if they named one).",
            #"{"type":"object","properties":{"date":{"type":"string","description":"YYYY-MM-DD"},"amount":{"type":"string","description":"e.g. 1250.00"}},"required":["date"]}"#
        ),
        (
            "propose_dispute", "Propose opening a dispute on one open invoice.",
            #"{"type":"object","properties":{"invoice":{"type":"string"},"reason":{"type":"string","enum":["amount_incorrect","accessorial","damage_shortage","not_delivered","duplicate","rate","other"]}},"required":["invoice","reason"]}"#
        ),
        (
            "propose_callback", "Propose a call back at a time the debtor asked for.",
            #"{"type":"object","properties":{"at":{"type":"string","description":"ISO 8601 instant"}},"required":["at"]}"#
        ),
        (
            "attach_document", "Propose attaching a document on file (invoice, pod, bol, rate_confirmation) for an invoice.",
            #"{"type":"object","properties":{"invoice":{"type":"string"},"kind":{"type":"string","enum":["invoice","pod","bol","rate_confirmation","w9","statement"]}},"required":["invoice","kind"]}"#
        ),
        (
            "request_handoff", "Ask for a person to take the case, saying why.",
            #"{"type":"object","properties":{"reason":{"type":"string"}},"required":["reason"]}"#
        ),
    ]

    /// The verdict on `tool` called with `arguments` (a JSON object as text).
    public static func judge(tool: String, arguments: String, case c: Case, now: Date) -> Verdict {
        let args = ((try? JSONSerialization.jsonObject(with: Data(arguments.utf8))) as? [String: Any]) ?? [:]
        func string(_ k: String) -> String? { (args[k] as? String)?.trimmingCharacters(in: .whitespaces) }
        func refuse(_ code: ReasonCode, _ why: String) -> Verdict {
            Verdict(tool: tool, accepted: false, reason: Reason(code, "model proposal refused: \(why)"))
        }
        func accept(_ code: ReasonCode, _ what: String) -> Verdict {
            Verdict(tool: tool, accepted: true, reason: Reason(code, "model proposed \(what); a person or the decider confirms it"))
        }
        switch tool {
        case "propose_promise":
            guard let d = string("date").flatMap(LocalDate.parse) else { return refuse("proposal_invalid", "no promise date (YYYY-MM-DD)") }
            if d < c.today { return refuse("proposal_invalid", "\(d) is in the past") }
            if c.today.days(until: d) > c.maxPromiseDays { return refuse("promise_too_far", "\(d) is more than \(c.maxPromiseDays) days out") }
            let owed = c.open.values.reduce(Int64(0)) { $0 + $1.minorUnits }
            if let a = string("amount"), let currency = c.open.values.first?.currency {
                guard let m = try? Money.parse(a, currency: currency), m.minorUnits > 0 else { return refuse("proposal_invalid", "'\(a)' is not an amount") }
                if m.minorUnits > owed { return refuse("proposal_invalid", "\(m) is more than the open balance") }
                return accept("model_promise", "a promise of \(m) by \(d)")
            }
            return accept("model_promise", "a promise of the open balance by \(d)")
        case "propose_dispute":
            guard let inv = string("invoice"), c.open[inv] != nil else {
                return refuse("proposal_invalid", "\(string("invoice") ?? "no invoice") is not an open invoice of the case")
            }
            guard let reason = string("reason").flatMap(DisputeReason.init(rawValue:)) else { return refuse("proposal_invalid", "no dispute reason") }
            return accept("model_dispute", "a dispute on \(inv) (\(reason.label))")
        case "propose_callback":
            guard let at = string("at").flatMap(Timestamp.parse) else { return refuse("proposal_invalid", "no time (ISO 8601)") }
            if at <= now { return refuse("proposal_invalid", "\(Timestamp.format(at)) has passed") }
            return accept("model_callback", "a call back at \(Timestamp.format(at))")
        case "attach_document":
            guard let inv = string("invoice"), let kind = string("kind").flatMap(DocumentKind.init(rawValue:)) else {
                return refuse("proposal_invalid", "needs an invoice and a document kind")
            }
            guard c.documents.contains(where: { $0.invoice == inv && $0.kind == kind }) else {
                return refuse("document_missing", "no \(kind.label) on file for \(inv)")
            }
            return accept("model_attach", "attaching the \(kind.label) of \(inv)")
        case "request_handoff":
            return accept("model_handoff", "a handoff: \(string("reason") ?? "no reason given")")
        default:
            return refuse("proposal_invalid", "no tool named \(tool)")
        }
    }
}
