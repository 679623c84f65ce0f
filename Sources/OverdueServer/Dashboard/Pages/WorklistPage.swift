import Foundation
import OverdueAgents
import OverdueCore
import OverdueUseCases

/// The worklist: cases ranked by priority, with search and status filters.
extension Pages {
    typealias WorkItem = UseCases.WorkItem

    /// Worklist rows per page.
    static let worklistPageSize = 100

    static func worklist(_ items: [WorkItem], total: Int? = nil, page: Int = 1, query: String, status: String, viewer: Viewer) -> HTML {
        let total = total ?? items.count
        let pages = max(1, (total + worklistPageSize - 1) / worklistPageSize)
        let rows = HTML.join(
            items.map { i -> HTML in
                let r = i.record
                return """
                    <tr>
                      <td><a href="/app/cases/\(r.debtorID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? r.debtorID)">\(r.debtorName)</a><div class="muted small">\(r.debtorID)</div></td>
                      <td class="num">\(r.balance?.description ?? "—")</td>
                      <td class="num">\(i.daysPastDue)</td>
                      <td><span class="status \(r.status.rawValue)">\(r.status.rawValue)</span></td>
                      <td>\(r.nextActionAt.map { when($0, viewer.zone) } ?? "—") \(r.nextActionChannel?.rawValue ?? "")</td>
                      <td class="small">\(i.reasons.joined(separator: " · "))</td>
                    </tr>
                    """
            })
        let options = HTML.join(
            (["all"] + CaseStatus.allCases.map(\.rawValue)).map { s -> HTML in
                s == status ? "<option selected>\(s)</option>" : "<option>\(s)</option>"
            })
        return layout(
            title: "Worklist", viewer: viewer, current: "/app/cases",
            """
            <h1>Worklist</h1>
            <form class="filters" method="get" action="/app/cases" role="search">
              <label for="q">Debtor, invoice, load, PRO or BOL number</label>
              <input id="q" name="q" type="search" value="\(query)">
              <label for="status">Status</label>
              <select id="status" name="status">\(options)</select>
              <button type="submit">Filter</button>
            </form>
            <p class="muted">\(total) case\(total == 1 ? "" : "s"), most urgent first (amount × age × risk)\(pages > 1 ? "; \(worklistPageSize) a page" : "").</p>
            <table class="list">
              <thead><tr><th scope="col">Debtor</th><th scope="col">Open</th><th scope="col">Days late</th><th scope="col">Status</th><th scope="col">Next</th><th scope="col">Why here</th></tr></thead>
              <tbody>\(rows)</tbody>
            </table>
            \(pager("/app/cases", page: page, pages: pages, keep: [("q", query), ("status", status == "all" ? "" : status)], label: "Worklist pages"))
            """)
    }
}
