// swift-format-ignore-file
// (swift-format 6.3 re-indents the multi-line literals nested in this page's interpolations so that they no longer compile.)
import Foundation
import OverdueAgents
import OverdueCore
import OverdueUseCases

/// The overview: balances, aging, collections, promises, disputes, channel effectiveness, DSO.
extension Pages {
    typealias OverviewData = UseCases.OverviewFigures

    static func percent(_ rate: Double?) -> String { rate.map { String(format: "%.0f%%", $0 * 100) } ?? "—" }

    /// DSO as columns, one per month, the figure above each; months without sales say so.
    static func dsoChart(_ points: [DSOTrend.Point]) -> HTML {
        let top = max(30, (points.compactMap(\.days).max() ?? 30) * 1.15)
        let width = 720, height = 190, base = 160, slot = width / max(1, points.count)
        let columns = points.enumerated().map { i, p -> HTML in
            let x = i * slot + slot / 4
            let label: HTML = "<text x=\"\(x + slot / 4)\" y=\"\(base + 18)\" class=\"tick\">\(p.month)</text>"
            guard let d = p.days else {
                return "\(label)<text x=\"\(x + slot / 4)\" y=\"\(base - 6)\" class=\"value\">no sales</text>"
            }
            let h = Int(d / top * Double(base - 20))
            return "\(label)<rect x=\"\(x)\" y=\"\(base - h)\" width=\"\(slot / 2)\" height=\"\(h)\" rx=\"3\"></rect><text x=\"\(x + slot / 4)\" y=\"\(base - h - 6)\" class=\"value\">\(Int(d.rounded())) d</text>"
        }
        let summary = points.map { "\($0.month): \($0.days.map { "\(Int($0.rounded())) days" } ?? "no sales")" }.joined(separator: ", ")
        return "<svg class=\"dso\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"DSO by month: \(summary)\"><title>DSO by month</title><line x1=\"0\" y1=\"\(base)\" x2=\"\(width)\" y2=\"\(base)\" class=\"grid\"></line>\(columns)</svg>"
    }

    static func money(_ minor: Int64, _ currency: Currency) -> String { Money(minorUnits: minor, currency: currency).description }

    /// Horizontal bars as inline SVG, with the figures as text for screen readers.
    static func bars(_ rows: [(label: String, value: Int64, note: String)], title: String) -> HTML {
        let maxValue = max(1, rows.map(\.value).max() ?? 1)
        // Bars up to 360 units wide after a 110-unit label column, leaving room for the figures.
        let height = rows.count * 28 + 4
        let bars = rows.enumerated().map { i, r -> HTML in
            let w = Int((Double(r.value) / Double(maxValue)) * 360)
            let y = i * 28 + 2
            return """
            <text x="0" y="\(y + 17)" class="label">\(r.label)</text><rect x="110" y="\(y + 4)" width="\(max(w, r.value > 0 ? 2 : 0))" height="18" rx="3"></rect><text x="\(110 + w + 6)" y="\(y + 17)" class="value">\(r.note)</text>
            """
        }
        return """
        <svg class="bars" viewBox="0 0 720 \(height)" role="img" aria-label="\(title)"><title>\(title)</title>\(bars)</svg>
        """
    }

    static func overview(_ d: OverviewData, viewer: Viewer) -> HTML {
        let o = d.overview
        let cur = o.currency
        let aging = bars(o.aging.map { ($0.bucket.label, $0.amount, "\(money($0.amount, cur)) · \($0.cases) case\($0.cases == 1 ? "" : "s")") }, title: "Open balance by age")
        let kept = d.promises.keptRate.map { String(format: "%.0f%%", $0 * 100) } ?? "—"
        let disputeRows = d.disputes.isEmpty ? "<p class=\"muted\">No open disputes.</p>" :
            HTML.join(d.disputes.map { "<li><span>\($0.reason)</span> <strong>\($0.count)</strong></li>" }).wrapped("ul", class: "counts")
        let effectRows = HTML.join(d.effectiveness.map { e -> HTML in
            """
            <tr><th scope="row">\(e.channel.rawValue)</th><td>\(e.stage.map { "stage \($0)" } ?? "by a person")</td><td class="num">\(e.sent)</td>
            <td class="num">\(e.replied) <span class="muted">(\(percent(e.replyRate)))</span></td><td class="num">\(e.paid) <span class="muted">(\(percent(e.payRate)))</span></td></tr>
            """
        })
        let latestDSO = d.dso.last?.days.map { "\(Int($0.rounded())) days" } ?? "—"
        return layout(title: "Overview", viewer: viewer, current: "/app", """
        <h1>Overview</h1>
        <section class="tiles" aria-label="Totals">
          <div class="tile"><span class="k">Overdue</span><span class="v">\(money(o.overdue, cur))</span></div>
          <div class="tile"><span class="k">Open</span><span class="v">\(money(o.open, cur))</span></div>
          <div class="tile"><span class="k">Collected this month</span><span class="v">\(money(d.collected, cur))</span></div>
          <div class="tile"><span class="k">Promises due this week</span><span class="v">\(d.promises.dueThisWeek)</span><span class="s">\(money(d.promises.dueThisWeekAmount, cur))</span></div>
          <div class="tile"><span class="k">DSO</span><span class="v">\(latestDSO)</span><span class="s">receivables ÷ 3 months' sales</span></div>
          <div class="tile"><span class="k">Promises kept</span><span class="v">\(kept)</span><span class="s">\(d.promises.kept) kept · \(d.promises.broken) broken</span></div>
          \(d.model.map { m -> HTML in """
          <div class="tile"><span class="k">Model this month</span><span class="v">\(m.written) written</span><span class="s">\(m.fellBack) by template instead · \(m.tokens) tokens · \(m.averageMilliseconds) ms each</span></div>
          """ })
        </section>
        <section class="card"><h2>Aging</h2>\(aging)
          \(o.otherCurrencyCases > 0 ? "<p class=\"muted\">\(o.otherCurrencyCases) case(s) billed in other currencies are not in these totals.</p>" as HTML : .empty)
        </section>
        <div class="cols">
          <section class="card"><h2>Open disputes by reason</h2>\(disputeRows)</section>
          <section class="card"><h2>DSO trend</h2>\(dsoChart(d.dso))
            <p class="muted small">Days sales outstanding at each month's end (this month: to date), in \(cur.code).</p></section>
        </div>
        <section class="card"><h2>What works (last 90 days)</h2>
          <table><thead><tr><th scope="col">Channel</th><th scope="col">Stage</th><th scope="col">Sent</th><th scope="col">Reply followed</th><th scope="col">Payment followed</th></tr></thead>
          <tbody>\(effectRows)</tbody></table>
          \(d.effectiveness.isEmpty ? "<p class=\"muted\">Nothing sent yet.</p>" as HTML : .empty)
          <p class="muted small">A reply or payment counts for the last attempt sent to that debtor in the 14 days before it. These figures and the DSO trend are refreshed once a minute.</p>
        </section>
        """)
    }
}
