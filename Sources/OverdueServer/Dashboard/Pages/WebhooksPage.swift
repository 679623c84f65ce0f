// swift-format-ignore-file
// (swift-format 6.3 re-indents the multi-line literals nested in this page's interpolations so that they no longer compile.)
import Foundation
import OverdueCore

/// The outbound webhooks page: subscriptions and their recent deliveries.
extension Pages {
    static func webhooks(_ subs: [(sub: WebhookSubscription, counts: [String: Int])], made: WebhookSubscription?, errors: [String], typedURL: String,
                         viewer: Viewer, flash: Flash?) -> HTML {
        let csrf: HTML = "<input type=\"hidden\" name=\"_csrf\" value=\"\(viewer.csrf)\">"
        let rows = HTML.join(subs.map { x -> HTML in
            let s = x.sub
            let counts = x.counts.keys.sorted().map { "\(x.counts[$0]!) \($0)" }.joined(separator: " · ")
            return """
            <tr><th scope="row">\(s.url)<div class="muted small">\(s.id)\(s.description.map { " · \($0)" } ?? "")</div></th>
              <td class="small">\(s.events.joined(separator: ", "))</td><td class="small">\(counts.isEmpty ? "—" : counts)</td>
              <td>\(s.disabledAt.map { at -> HTML in "off since \(when(at, viewer.zone))" } ?? "on") \(s.disabledAt == nil ? """
                <form method="post" action="/app/settings/webhooks/\(s.id)/disable">\(csrf)<button type="submit" class="secondary">Turn off</button></form>
                """ as HTML : .empty)</td></tr>
            """
        })
        let boxes = HTML.join(EventType.allCases.map { e -> HTML in
            "<label class=\"inline\"><input type=\"checkbox\" name=\"event.\(e.rawValue)\"> <code>\(e.rawValue)</code></label>"
        })
        let shown: HTML = made.map { m -> HTML in
            """
            <div class="notice" role="status"><p>Subscribed \(m.url). Its signing secret — copy it now, it is not shown again:</p>
            <p><code class="key">\(m.secret)</code></p><p class="small">Check each POST's <code>Overdue-Signature</code> with it (README, "Webhooks").</p></div>
            """
        } ?? .empty
        let problems: HTML = errors.isEmpty ? .empty : "<div class=\"error\" role=\"alert\"><ul>\(errors.map { e -> HTML in "<li>\(e)</li>" })</ul></div>"
        return layout(title: "Webhooks", viewer: viewer, current: "/app/settings", """
        <h1>Webhooks</h1>
        \(settingsTabs("/app/settings/webhooks", viewer: viewer))
        \(flash?.html ?? .empty)
        \(shown)
        \(problems)
        <section class="card">
        <table class="list"><thead><tr><th scope="col">Endpoint</th><th scope="col">Events</th><th scope="col">Deliveries</th><th scope="col">Status</th></tr></thead>
        <tbody>\(rows)</tbody></table>
        </section>
        <section class="card"><h2>Subscribe an endpoint</h2>
          <form method="post" action="/app/settings/webhooks">\(csrf)
            <label for="w-url">HTTPS URL</label><input id="w-url" name="url" type="url" required value="\(typedURL)" placeholder="https://erp.example.com/overdue-events">
            <label for="w-desc">Description</label><input id="w-desc" name="description">
            <fieldset><legend>Events</legend><div class="checks">\(boxes)</div></fieldset>
            <button type="submit">Subscribe</button>
          </form>
        </section>
        """)
    }
}
