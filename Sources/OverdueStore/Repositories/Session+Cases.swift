import Foundation
import OverdueCore
import SQLKit

extension Session {
    /// The stored ladder state of a debtor's case (a fresh state if none).
    public func caseState(_ tenant: String, debtor: String) async throws -> CaseState {
        guard let r = try await row("SELECT state FROM cases WHERE tenant_id = ? AND debtor_id = ?", [.text(tenant), .text(debtor)]) else {
            return CaseState()
        }
        return try Session.decodeJSON(CaseState.self, try r.string("state"))
    }

    /// Stores a plan's outcome for a debtor's case; `previous` is its status before (nil: never planned).
    public func saveCase(_ tenant: String, debtor: String, plan: Plan, previous: CaseStatus?, now: Date) async throws {
        try await saveCases([CaseToSave(tenant: tenant, debtor: debtor, plan: plan, previous: previous, now: now)])
    }

    /// Stores plans' outcomes for cases of any tenants: the events of those just resolved, then
    /// every case in one statement (a case named twice keeps its last plan).
    public func saveCases(_ items: [CaseToSave]) async throws {
        guard !items.isEmpty else { return }
        var last: [String: Int] = [:]
        for (i, c) in items.enumerated() { last[c.tenant + "\u{1F}" + c.debtor] = i }
        let kept = items.indices.filter { last[items[$0].tenant + "\u{1F}" + items[$0].debtor] == $0 }.map { items[$0] }
        for c in kept where c.plan.state.status == .resolved && c.previous != .resolved {
            try await emit(
                c.tenant, .caseResolved, debtor: c.debtor,
                data: EventData.CaseResolved(debtor: c.debtor, reasons: c.plan.decision.reasons.map(\.message)), at: c.now)
        }
        try await insertMany(
            "cases",
            columns: [
                "tenant_id", "debtor_id", "state", "status", "balance_minor", "currency", "other_balances", "open_invoices", "next_action_at",
                "next_action_channel", "reasons", "updated_at", "oldest_due",
            ],
            rows: kept.map { c in
                let plan = c.plan
                let sorted = plan.balances.sorted { ($0.value, $1.key.code) > ($1.value, $0.key.code) }
                let primary = sorted.first
                let others = sorted.dropFirst().map { Money(minorUnits: $0.value, currency: $0.key) }
                let next: Date? = plan.decision.action == .send || plan.decision.action == .wait ? plan.decision.at : nil
                let nextChannel = next == nil ? nil : plan.decision.attempt?.channel.rawValue
                return [
                    .text(c.tenant), .text(c.debtor), .text(Session.json(plan.state)), .text(plan.state.status.rawValue),
                    .int(primary?.value ?? 0), .opt(primary?.key.code), .text(Session.json(others)),
                    .int(Int64(plan.openInvoices.count)), .time(next), .opt(nextChannel),
                    .text(Session.json(plan.decision.reasons)), .time(c.now), .opt(plan.openInvoices.map(\.invoice.dueDate).min()?.description),
                ]
            },
            suffix: """
                ON CONFLICT (tenant_id, debtor_id) DO UPDATE SET state = excluded.state, status = excluded.status,
                    balance_minor = excluded.balance_minor, currency = excluded.currency, other_balances = excluded.other_balances,
                    open_invoices = excluded.open_invoices, next_action_at = excluded.next_action_at,
                    next_action_channel = excluded.next_action_channel, reasons = excluded.reasons, updated_at = excluded.updated_at,
                    oldest_due = excluded.oldest_due
                """)
    }

    /// Stores a new ladder state for a case (a person took it over or handed it back).
    public func updateCaseState(_ tenant: String, debtor: String, _ state: CaseState) async throws {
        try await exec(
            """
            INSERT INTO cases (tenant_id, debtor_id, state, status, updated_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (tenant_id, debtor_id) DO UPDATE SET state = excluded.state, status = excluded.status
            """, [.text(tenant), .text(debtor), .text(Session.json(state)), .text(state.status.rawValue), .time(clock.now())])
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

    /// Every case of the tenant with only what lists and totals show (no reasons or ladder state to
    /// decode): the dashboard's overview and worklist read thousands of these per page.
    /// `search`: only debtors whose name or id contains it, or who are in `orDebtors`.
    public func caseSummaries(_ tenant: String, statuses: [CaseStatus] = [], search: String? = nil, orDebtors: [String] = []) async throws -> [CaseSummary] {
        var sql = """
            SELECT c.debtor_id, d.name AS debtor_name, c.status, c.balance_minor, c.currency, c.oldest_due, c.next_action_at, c.next_action_channel
            FROM cases c JOIN debtors d ON d.tenant_id = c.tenant_id AND d.id = c.debtor_id WHERE c.tenant_id = ?
            """
        var binds: [SQLValue] = [.text(tenant)]
        if !statuses.isEmpty {
            sql += " AND c.status IN (" + statuses.map { _ in "?" }.joined(separator: ",") + ")"
            binds += statuses.map { .text($0.rawValue) }
        }
        if let search, !search.isEmpty {
            let like = "%" + search.lowercased().replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
            sql += " AND (LOWER(d.name) LIKE ? OR LOWER(c.debtor_id) LIKE ?"
            binds += [.text(like), .text(like)]
            if !orDebtors.isEmpty {
                sql += " OR c.debtor_id IN (" + orDebtors.map { _ in "?" }.joined(separator: ",") + ")"
                binds += orDebtors.map { .text($0) }
            }
            sql += ")"
        }
        return try await rows(sql, binds).map { r in
            let currency = try r.optString("currency").flatMap { Currency($0) }
            return CaseSummary(
                debtorID: try r.string("debtor_id"), debtorName: try r.string("debtor_name"),
                status: CaseStatus(rawValue: try r.string("status")) ?? .idle,
                balance: currency.map { Money(minorUnits: (try? r.int("balance_minor")) ?? 0, currency: $0) },
                oldestDue: try r.optString("oldest_due").flatMap(LocalDate.parse), nextActionAt: try r.optTime("next_action_at"),
                nextActionChannel: try r.optString("next_action_channel").flatMap(Channel.init(rawValue:)))
        }
    }

    /// A page of the tenant's cases, filtered and sorted in the database; `after` is the sort value
    /// and debtor id of the previous page's last case.
    public func cases(_ tenant: String, query q: CaseQuery, after: (key: String, debtor: String)?, limit: Int) async throws -> [CaseRecord] {
        var sql = """
            SELECT c.*, d.name AS debtor_name FROM cases c JOIN debtors d ON d.tenant_id = c.tenant_id AND d.id = c.debtor_id
            WHERE c.tenant_id = ?
            """
        var binds: [SQLValue] = [.text(tenant)]
        if !q.statuses.isEmpty {
            sql += " AND c.status IN (" + q.statuses.map { _ in "?" }.joined(separator: ",") + ")"
            binds += q.statuses.map { .text($0.rawValue) }
        }
        if let from = q.dueOnOrAfter { sql += " AND c.oldest_due >= ?"; binds.append(.text(from.description)) }
        if let to = q.dueOnOrBefore { sql += " AND c.oldest_due <= ?"; binds.append(.text(to.description)) }
        if let min = q.minBalance { sql += " AND c.balance_minor >= ?"; binds.append(.int(min)) }
        if let max = q.maxBalance { sql += " AND c.balance_minor <= ?"; binds.append(.int(max)) }
        if let currency = q.currency { sql += " AND c.currency = ?"; binds.append(.text(currency.code)) }
        if let channel = q.channel { sql += " AND c.next_action_channel = ?"; binds.append(.text(channel.rawValue)) }
        if let text = q.search, !text.isEmpty {
            sql += " AND (LOWER(d.name) LIKE ? OR LOWER(c.debtor_id) LIKE ?)"
            let like = "%" + text.lowercased().replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
            binds += [.text(like), .text(like)]
        }
        let (expr, numeric) = q.sort.field.column
        let op = q.sort.descending ? "<" : ">"
        if let after {
            sql += " AND (\(expr) \(op) ? OR (\(expr) = ? AND c.debtor_id \(op) ?))"
            let key: SQLValue = numeric ? .int(Int64(after.key) ?? 0) : .text(after.key)
            binds += [key, key, .text(after.debtor)]
        }
        let dir = q.sort.descending ? "DESC" : "ASC"
        sql += " ORDER BY \(expr) \(dir), c.debtor_id \(dir) LIMIT \(max(1, limit))"
        return try await rows(sql, binds).map(Session.caseRecord)
    }

    /// One case.
    public func caseRecord(_ tenant: String, debtor: String) async throws -> CaseRecord? {
        try await row(
            """
            SELECT c.*, d.name AS debtor_name FROM cases c JOIN debtors d ON d.tenant_id = c.tenant_id AND d.id = c.debtor_id
            WHERE c.tenant_id = ? AND c.debtor_id = ?
            """, [.text(tenant), .text(debtor)]
        ).map(Session.caseRecord)
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
            oldestDue: try r.optString("oldest_due").flatMap(LocalDate.parse),
            reasons: try decodeJSON([Reason].self, try r.string("reasons")),
            state: try decodeJSON(CaseState.self, try r.string("state")),
            updatedAt: try r.optTime("updated_at"))
    }

    /// Appends a decision with its reasons to the debtor's history.
    public func recordDecision(_ tenant: String, debtor: String, at: Date, action: Decision.Action, reasons: [Reason]) async throws {
        try await recordDecisions([DecisionToRecord(tenant: tenant, debtor: debtor, at: at, action: action, reasons: reasons)])
    }

    /// Appends decisions (of any debtors and tenants) in one statement; those naming a contact rule
    /// go into the audit log too.
    public func recordDecisions(_ items: [DecisionToRecord]) async throws {
        try await insertMany(
            "decisions", columns: ["tenant_id", "debtor_id", "at", "action", "reasons"],
            rows: items.map { [.text($0.tenant), .text($0.debtor), .time($0.at), .text($0.action.rawValue), .text(Session.json($0.reasons))] })
        let now = clock.now()
        try await appendAudits(
            items.compactMap { d in
                let compliance = d.reasons.filter { Session.complianceCodes.contains($0.code.rawValue) }
                guard !compliance.isEmpty else { return nil }
                return .system(
                    d.tenant, action: "compliance.decision", object: "debtor:\(d.debtor)", outcome: d.action.rawValue,
                    detail: compliance.map { "\($0.code): \($0.message)" }.joined(separator: "; "), at: now)
            })
    }

    /// A debtor's decisions, oldest first.
    public func decisions(_ tenant: String, debtor: String) async throws -> [(at: Date, action: String, reasons: [Reason])] {
        try await rows("SELECT at, action, reasons FROM decisions WHERE tenant_id = ? AND debtor_id = ? ORDER BY id", [.text(tenant), .text(debtor)])
            .map { (try $0.time("at"), try $0.string("action"), try Session.decodeJSON([Reason].self, try $0.string("reasons"))) }
    }
}

extension CaseQuery.Field {
    /// The SQL expression and whether it compares as a number; NULLs sort as the far end.
    var column: (String, Bool) {
        switch self {
        case .debtor: return ("c.debtor_id", false)
        case .balance: return ("COALESCE(c.balance_minor, 0)", true)
        case .oldest_due: return ("COALESCE(c.oldest_due, '9999-12-31')", false)
        case .next_action_at: return ("COALESCE(c.next_action_at, '9999-12-31T00:00:00Z')", false)
        case .updated_at: return ("c.updated_at", false)
        }
    }
}

/// A plan's outcome to store for a case (`Session.saveCases`).
public struct CaseToSave: Sendable {
    /// The tenant.
    public var tenant: String
    /// The debtor whose case it is.
    public var debtor: String
    /// What the planner decided.
    public var plan: Plan
    /// The case's status before (nil: never planned).
    public var previous: CaseStatus?
    /// When it was planned.
    public var now: Date

    /// An outcome to store.
    public init(tenant: String, debtor: String, plan: Plan, previous: CaseStatus?, now: Date) {
        (self.tenant, self.debtor, self.plan, self.previous, self.now) = (tenant, debtor, plan, previous, now)
    }
}

/// A decision to append to a debtor's history (`Session.recordDecisions`).
public struct DecisionToRecord: Sendable {
    /// The tenant.
    public var tenant: String
    /// The debtor.
    public var debtor: String
    /// When it was made.
    public var at: Date
    /// What was decided.
    public var action: Decision.Action
    /// Why.
    public var reasons: [Reason]

    /// A decision to record.
    public init(tenant: String, debtor: String, at: Date, action: Decision.Action, reasons: [Reason]) {
        (self.tenant, self.debtor, self.at, self.action, self.reasons) = (tenant, debtor, at, action, reasons)
    }
}
