import Foundation

/// How attempts on one channel at one ladder stage did: how many were sent, and how many a reply
/// or a payment followed (last touch within the attribution window).
public struct ChannelEffectiveness: Sendable, Hashable {
    /// The channel.
    public var channel: Channel
    /// The ladder stage (1-based; nil: a person's own messages).
    public var stage: Int?
    /// Attempts sent.
    public var sent: Int
    /// Followed by a reply.
    public var replied: Int
    /// Followed by a payment.
    public var paid: Int

    /// Creates a row.
    public init(channel: Channel, stage: Int?, sent: Int, replied: Int, paid: Int) {
        self.channel = channel
        self.stage = stage
        self.sent = sent
        self.replied = replied
        self.paid = paid
    }

    /// Replies per attempt (nil when nothing was sent).
    public var replyRate: Double? { sent == 0 ? nil : Double(replied) / Double(sent) }
    /// Payments per attempt (nil when nothing was sent).
    public var payRate: Double? { sent == 0 ? nil : Double(paid) / Double(sent) }

    /// Rows in ladder order (stage, then channel), each channel's total after its stages.
    public static func table(_ rows: [ChannelEffectiveness]) -> [ChannelEffectiveness] {
        var out: [ChannelEffectiveness] = []
        for ch in Channel.allCases {
            let mine = rows.filter { $0.channel == ch }.sorted { ($0.stage ?? Int.max) < ($1.stage ?? Int.max) }
            guard !mine.isEmpty else { continue }
            out += mine
        }
        return out
    }
}

/// Days sales outstanding, month by month: open receivables at the month's end over the credit
/// sales of the three months to it, times their days. Pure: fed monthly totals by the store.
public enum DSOTrend {
    /// One month's figure.
    public struct Point: Sendable, Hashable {
        /// "YYYY-MM".
        public var month: String
        /// Receivables open at the month's end (or today, for the running month), minor units.
        public var receivables: Int64
        /// DSO in days; nil when nothing was invoiced in the three months.
        public var days: Double?
    }

    static func key(_ year: Int, _ month: Int) -> String { String(format: "%04d-%02d", year, month) }

    /// The last `months` months to `today` (the running month counted to today) from invoiced and
    /// collected totals keyed "YYYY-MM".
    public static func compute(invoiced: [String: Int64], collected: [String: Int64], today: LocalDate, months: Int = 6) -> [Point] {
        // Every month from the first activity (or the window's start) to today, so the receivables
        // carry everything invoiced and collected before the window.
        func back(_ y: Int, _ m: Int, _ n: Int) -> (Int, Int) { let i = y * 12 + (m - 1) - n; return (i / 12, i % 12 + 1) }
        let windowStart = back(today.year, today.month, months + 1)
        var start = windowStart
        if let first = (Array(invoiced.keys) + Array(collected.keys)).min(), let fy = Int(first.prefix(4)), let fm = Int(first.suffix(2)),
            key(fy, fm) < key(windowStart.0, windowStart.1)
        {
            start = (fy, fm)
        }
        var ordered: [(year: Int, month: Int)] = []
        var (y, m) = start
        while key(y, m) <= key(today.year, today.month) {
            ordered.append((y, m))
            (y, m) = m == 12 ? (y + 1, 1) : (y, m + 1)
        }
        var open: Int64 = 0
        var points: [Point] = []
        for (i, ym) in ordered.enumerated() {
            let k = key(ym.year, ym.month)
            open += (invoiced[k] ?? 0) - (collected[k] ?? 0)
            let window = ordered[max(0, i - 2)...i]
            let sales = window.reduce(Int64(0)) { $0 + (invoiced[key($1.year, $1.month)] ?? 0) }
            let days = window.reduce(0) { total, w in
                let isRunning = w.year == today.year && w.month == today.month
                return total + (isRunning ? today.day : LocalDate.daysInMonth(year: w.year, month: w.month))
            }
            let receivables = max(0, open)
            points.append(Point(month: k, receivables: receivables, days: sales > 0 ? Double(receivables) / Double(sales) * Double(days) : nil))
        }
        return Array(points.suffix(months))
    }
}
