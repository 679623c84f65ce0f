import Foundation
import OverdueCore

/// The API keys page: made once, shown once.
extension Pages {
    static func keys(_ keys: [APIKey], made: (key: String, name: String)?, viewer: Viewer, flash: Flash?) -> HTML {
        let csrf: HTML = "<input type=\"hidden\" name=\"_csrf\" value=\"\(viewer.csrf)\">"
        let rows = HTML.join(
            keys.map { k -> HTML in
                """
                <tr><th scope="row"><code>\(k.prefix)</code></th><td>\(k.name)</td><td>\(k.role.rawValue)</td><td>\(when(k.createdAt, viewer.zone))</td>
                  <td>\(k.lastUsedAt.map { when($0, viewer.zone) } ?? "never")</td>
                  <td>\(k.revokedAt.map { at -> HTML in "revoked \(when(at, viewer.zone))" } ?? "") \(k.revokedAt == nil ? """
                <form method="post" action="/app/settings/keys/\(k.prefix)/revoke">\(csrf)<button type="submit" class="secondary">Revoke</button></form>
                """ as HTML : .empty)</td></tr>
                """
            })
        let shown: HTML =
            made.map { m -> HTML in
                """
                <div class="notice" role="status"><p>The key <strong>\(m.name)</strong> — copy it now, it is not shown again:</p>
                <p><code class="key">\(m.key)</code></p></div>
                """
            } ?? .empty
        return layout(
            title: "API keys", viewer: viewer, current: "/app/settings",
            """
            <h1>API keys</h1>
            \(settingsTabs("/app/settings/keys", viewer: viewer))
            \(flash?.html ?? .empty)
            \(shown)
            <section class="card">
            <table class="list"><thead><tr><th scope="col">Prefix</th><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Made</th><th scope="col">Last used</th><th scope="col">Status</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            <p class="muted small">Send a key as <code>Authorization: Bearer od_…</code>. Only its hash is stored.</p>
            </section>
            <section class="card narrow"><h2>Make a key</h2>
              <form method="post" action="/app/settings/keys">\(csrf)
                <label for="k-name">What it is for</label><input id="k-name" name="name" required placeholder="TMS invoice sync">
                <label for="k-role">Role</label><select id="k-role" name="role">\(roleOptions(.collector, viewer: viewer))</select>
                <button type="submit">Make key</button>
              </form>
            </section>
            """)
    }
}
