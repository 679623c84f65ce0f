import Foundation

/// Aging buckets by days past due of a case's oldest open invoice.
public enum AgingBucket: String, CaseIterable, Sendable, Hashable {
    case current, d1_30 = "1-30", d31_60 = "31-60", d61_90 = "61-90", d90plus = "90+"

    /// The bucket of `days` past due (zero or less: current).
    public static func of(daysPastDue days: Int) -> AgingBucket {
        switch days {
        case ..<1: return .current
        case 1...30: return .d1_30
        case 31...60: return .d31_60
        case 61...90: return .d61_90
        default: return .d90plus
        }
    }

    /// For people: "Current", "1–30 days", …
    public var label: String {
        switch self {
        case .current: return "Current"
        case .d1_30: return "1–30 days"
        case .d31_60: return "31–60 days"
        case .d61_90: return "61–90 days"
        case .d90plus: return "90+ days"
        }
    }
}

/// What the overview needs to know of one case.
public struct CaseFigures: Sendable, Hashable {
    /// Debtor id.
    public var debtorID: String
    /// Open balance (nil: nothing open).
    public var balance: Money?
    /// Earliest due date among open invoices.
    public var oldestDue: LocalDate?
    /// Status.
    public var status: CaseStatus
    /// Promises of the debtor that were broken.
    public var brokenPromises: Int
    /// Open disputes.
    public var openDisputes: Int

    /// Creates the figures.
    public init(debtorID: String, balance: Money?, oldestDue: LocalDate?, status: CaseStatus, brokenPromises: Int = 0, openDisputes: Int = 0) {
        self.debtorID = debtorID
        self.balance = balance
        self.oldestDue = oldestDue
        self.status = status
        self.brokenPromises = brokenPromises
        self.openDisputes = openDisputes
    }

    /// Days past due of the oldest open invoice on `today` (0 when none is late).
    public func daysPastDue(today: LocalDate) -> Int { oldestDue.map { max(0, $0.days(until: today)) } ?? 0 }
}

/// The overview's figures, computed from the tenant's cases, promises and message counts — a pure
/// function of its inputs and `today`.
public struct Overview: Sendable {
    /// The currency figures are in (the tenant's).
    public var currency: Currency
    /// Total open balance past due (minor units).
    public var overdue: Int64
    /// Total open balance, due or not.
    public var open: Int64
    /// Open balance per aging bucket, in bucket order.
    public var aging: [(bucket: AgingBucket, amount: Int64, cases: Int)]
    /// Cases per status.
    public var statuses: [(status: CaseStatus, count: Int)]
    /// Cases whose balance is in other currencies (not in the totals).
    public var otherCurrencyCases: Int

    /// Computes the overview.
    public init(cases: [CaseFigures], currency: Currency, today: LocalDate) {
        self.currency = currency
        var byBucket: [AgingBucket: (Int64, Int)] = [:]
        var byStatus: [CaseStatus: Int] = [:]
        var overdue: Int64 = 0, open: Int64 = 0, other = 0
        for c in cases {
            byStatus[c.status, default: 0] += 1
            guard let b = c.balance, b.minorUnits > 0 else { continue }
            guard b.currency == currency else { other += 1; continue }
            open += b.minorUnits
            let bucket = AgingBucket.of(daysPastDue: c.daysPastDue(today: today))
            if bucket != .current { overdue += b.minorUnits }
            byBucket[bucket, default: (0, 0)].0 += b.minorUnits
            byBucket[bucket, default: (0, 0)].1 += 1
        }
        self.overdue = overdue
        self.open = open
        otherCurrencyCases = other
        aging = AgingBucket.allCases.map { ($0, byBucket[$0]?.0 ?? 0, byBucket[$0]?.1 ?? 0) }
        statuses = CaseStatus.allCases.map { ($0, byStatus[$0] ?? 0) }.filter { $0.1 > 0 }
    }
}

/// Promise figures: due in the next seven days, and how many of the settled ones were kept.
public struct PromiseFigures: Sendable, Hashable {
    /// Open promises dated today through six days on.
    public var dueThisWeek: Int
    /// Their total (minor units, any currency summed per currency by the caller).
    public var dueThisWeekAmount: Int64
    /// Kept promises.
    public var kept: Int
    /// Broken promises.
    public var broken: Int
    /// kept / (kept + broken), nil before any settled.
    public var keptRate: Double? { kept + broken == 0 ? nil : Double(kept) / Double(kept + broken) }

    /// Computes the figures.
    public init(promises: [Commitment], today: LocalDate) {
        let week = promises.filter { $0.status == .open && $0.date >= today && $0.date <= today.adding(days: 6) }
        dueThisWeek = week.count
        dueThisWeekAmount = week.reduce(0) { $0 + $1.target.minorUnits }
        kept = promises.filter { $0.status == .kept }.count
        broken = promises.filter { $0.status == .broken }.count
    }
}

/// The worklist's order: what a collector should do next first. The score is amount × age × risk —
/// the balance in major units, times (1 + months past due), times a risk factor that grows with
/// broken promises and open disputes and with a case waiting for a person — each with its reason.
public enum WorkPriority {
    /// The score and the reasons behind it.
    public static func score(_ c: CaseFigures, today: LocalDate) -> (score: Double, reasons: [String]) {
        guard let b = c.balance, b.minorUnits > 0, c.status != .resolved else { return (0, ["nothing open"]) }
        let major = Double(b.minorUnits) / pow(10, Double(b.currency.minorUnitDigits))
        let days = c.daysPastDue(today: today)
        let age = 1 + Double(days) / 30
        var risk = 1.0
        var reasons = ["\(b) open", days > 0 ? "\(days) days past due" : "not yet due"]
        if c.brokenPromises > 0 {
            risk += 0.5 * Double(c.brokenPromises); reasons.append("\(c.brokenPromises) broken promise\(c.brokenPromises == 1 ? "" : "s")")
        }
        if c.openDisputes > 0 { risk += 0.25; reasons.append("\(c.openDisputes) open dispute\(c.openDisputes == 1 ? "" : "s")") }
        if c.status == .handoff { risk += 0.5; reasons.append("waiting for a person") }
        return (major * age * risk, reasons)
    }
}
