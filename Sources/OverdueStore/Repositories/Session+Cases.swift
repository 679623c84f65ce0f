import Foundation
import OverdueCore
import SQLKit

/// A case as listed by `overdue cases` and the API.
public struct CaseRecord: Hashable, Sendable, Codable {
    /// Debtor id.
    public var debtorID: String
    /// Debtor name.
    public var debtorName: String
    /// Status.
    public var status: CaseStatus
    /// Open balance in `currency`.
    public var balance: Money?
    /// Open balances in other currencies, if the debtor is billed in several.
    public var otherBalances: [Money]
    /// Number of open invoices.
    public var openInvoices: Int
    /// When the next action is planned.
    public var nextActionAt: Date?
    /// On which channel.
    public var nextActionChannel: Channel?
    /// The planner's latest reasons.
    public var reasons: [Reason]
    /// The ladder state.
    public var state: CaseState
}

extension Session {
    /// The stored ladder state of a debtor's case (a fresh state if none).
    public func caseState(_ tenant: String, debtor: String) async throws -> CaseState {
        guard let r = try await row("SELECT state FROM cases WHERE tenant_id = ? AND debtor_id = ?", [.text(tenant), .text(debtor)]) else {
            return CaseState()
        }
        return try Session.decodeJSON(CaseState.self, try r.string("state"))
    }

    /// Stores a plan's outcome for a debtor's case.
    public func saveCase(_ tenant: String, debtor: String, plan: Plan, now: Date) async throws {
        let sorted = plan.balances.sorted { ($0.value, $1.key.code) > ($1.value, $0.key.code) }
        let primary = sorted.first
        let others = sorted.dropFirst().map { Money(minorUnits: $0.value, currency: $0.key) }
        let next: Date? = plan.decision.action == .send || plan.decision.action == .wait ? plan.decision.at : nil
        let nextChannel = next == nil ? nil : plan.decision.attempt?.channel.rawValue
        try await exec("""
            INSERT INTO cases (tenant_id, debtor_id, state, status, balance_minor, currency, other_balances, open_invoices,
                               next_action_at, next_action_channel, reasons, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (tenant_id, debtor_id) DO UPDATE SET state = excluded.state, status = excluded.status,
                balance_minor = excluded.balance_minor, currency = excluded.currency, other_balances = excluded.other_balances,
                open_invoices = excluded.open_invoices, next_action_at = excluded.next_action_at,
                next_action_channel = excluded.next_action_channel, reasons = excluded.reasons, updated_at = excluded.updated_at
            """, [.text(tenant), .text(debtor), .text(Session.json(plan.state)), .text(plan.state.status.rawValue),
                  .int(primary?.value ?? 0), .opt(primary?.key.code), .text(Session.json(others)),
                  .int(Int64(plan.openInvoices.count)), .time(next), .opt(nextChannel),
                  .text(Session.json(plan.decision.reasons)), .time(now)])
    }

    /// Stores a new ladder state for a case (a person took it over or handed it back).
    public func updateCaseState(_ tenant: String, debtor: String, _ state: CaseState) async throws {
        try await exec("""
            INSERT INTO cases (tenant_id, debtor_id, state, status, updated_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (tenant_id, debtor_id) DO UPDATE SET state = excluded.state, status = excluded.status
            """, [.text(tenant), .text(debtor), .text(Session.json(state)), .text(state.status.rawValue), .time(Date())])
    }

    /// Every case of the tenant, by debtor id.
    public func cases(_ tenant: String, status: CaseStatus? = nil) async throws -> [CaseRecord] {
        var sql = """
            SELECT c.*, d.name AS debtor_name FROM cases c JOIN debtors d ON d.tenant_id = c.tenant_id AND d.id = c.debtor_id
            WHERE c.tenant_id = ?
            """
        var binds: [SQLValue] = [.text(tenant)]
        if let status { sql += " AND c.status = ?"; binds.append(.text(status.rawValue)) }
        return try await rows(sql + " ORDER BY c.debtor_id", binds).map(Session.caseRecord)
    }

    /// One case.
    public func caseRecord(_ tenant: String, debtor: String) async throws -> CaseRecord? {
        try await row("""
            SELECT c.*, d.name AS debtor_name FROM cases c JOIN debtors d ON d.tenant_id = c.tenant_id AND d.id = c.debtor_id
            WHERE c.tenant_id = ? AND c.debtor_id = ?
            """, [.text(tenant), .text(debtor)]).map(Session.caseRecord)
    }

    static func caseRecord(_ r: any StoredRow) throws -> CaseRecord {
        let currency = try r.optString("currency").flatMap { Currency($0) }
        return CaseRecord(
            debtorID: try r.string("debtor_id"), debtorName: try r.string("debtor_name"),
            status: CaseStatus(rawValue: try r.string("status")) ?? .idle,
            balance: currency.map { Money(minorUnits: (try? r.int("balance_minor")) ?? 0, currency: $0) },
            otherBalances: try decodeJSON([Money].self, try r.string("other_balances")),
            openInvoices: Int(try r.int("open_invoices")),
            nextActionAt: try r.optTime("next_action_at"),
            nextActionChannel: try r.optString("next_action_channel").flatMap(Channel.init(rawValue:)),
            reasons: try decodeJSON([Reason].self, try r.string("reasons")),
            state: try decodeJSON(CaseState.self, try r.string("state")))
    }

    /// Appends a decision with its reasons to the debtor's history.
    public func recordDecision(_ tenant: String, debtor: String, at: Date, action: Decision.Action, reasons: [Reason]) async throws {
        try await exec("INSERT INTO decisions (tenant_id, debtor_id, at, action, reasons) VALUES (?, ?, ?, ?, ?)",
                       [.text(tenant), .text(debtor), .time(at), .text(action.rawValue), .text(Session.json(reasons))])
    }

    /// A debtor's decisions, oldest first.
    public func decisions(_ tenant: String, debtor: String) async throws -> [(at: Date, action: String, reasons: [Reason])] {
        try await rows("SELECT at, action, reasons FROM decisions WHERE tenant_id = ? AND debtor_id = ? ORDER BY id", [.text(tenant), .text(debtor)])
            .map { (try $0.time("at"), try $0.string("action"), try Session.decodeJSON([Reason].self, try $0.string("reasons"))) }
    }
}
