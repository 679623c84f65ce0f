import Foundation
import OverdueAgents
import OverdueCore
import OverdueUseCases

/// The audit log (owners and admins).
extension Pages {
    static func audit(_ entries: [AuditEntry], broken: AuditEntry?, viewer: Viewer) -> HTML {
        let rows = HTML.join(
            entries.map { e -> HTML in
                "<tr><td>\(when(e.at, viewer.zone))</td><td>\(e.actor)</td><td>\(e.action)</td><td>\(e.object ?? "")</td><td>\(e.outcome)</td><td>\(e.ip ?? "")</td><td class=\"small\">\(e.detail ?? "")</td></tr>"
            })
        let chain: HTML =
            broken.map { b -> HTML in
                "<p class=\"error\" role=\"alert\">Entry \(b.id) (\(when(b.at, viewer.zone))) does not match its hash: the log was altered. Run <code>overdue audit verify</code>.</p>"
            }
            ?? "<p class=\"notice\">Every entry shown matches its hash. <code>overdue audit verify</code> walks the whole chain (that no entry was removed or reordered).</p>"
        return layout(
            title: "Audit log", viewer: viewer, current: "/app/audit",
            """
            <h1>Audit log</h1>
            \(chain)
            <p class="muted">The latest \(entries.count) entries, newest first. The full log: <code>overdue audit list</code>.</p>
            <table class="list"><thead><tr><th scope="col">When (UTC)</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Object</th><th scope="col">Outcome</th><th scope="col">From</th><th scope="col">Detail</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            """)
    }
}
