import Foundation
import OverdueAgents
import OverdueCore
import OverdueUseCases

/// The templates and their editor with a live preview.
extension Pages {
    static func templates(_ rows: [(name: String, channel: Channel, tenant: Bool)], viewer: Viewer) -> HTML {
        let list = HTML.join(
            rows.map { r -> HTML in
                "<tr><th scope=\"row\"><a href=\"/app/templates/\(r.channel.rawValue)/\(r.name)\">\(r.name)</a></th><td>\(r.channel.rawValue)</td><td>\(r.tenant ? "yours" : "built-in")</td></tr>"
            })
        return layout(
            title: "Templates", viewer: viewer, current: "/app/templates",
            """
            <h1>Templates</h1>
            <p class="muted">Every message Overdue writes comes from one of these (Mustache). Change one for your company; the built-in stays as the fallback.</p>
            <table class="list"><thead><tr><th scope="col">Template</th><th scope="col">Channel</th><th scope="col">Source</th></tr></thead><tbody>\(list)</tbody></table>
            """)
    }

    static func templateEditor(name: String, channel: Channel, subject: String?, body: String, tenant: Bool, viewer: Viewer) -> HTML {
        let canEdit = viewer.role.allows(.manage)
        return layout(
            title: "\(name) (\(channel.rawValue))", viewer: viewer, current: "/app/templates",
            """
            <h1>\(name) <span class="muted">\(channel.rawValue)</span></h1>
            <div class="cols">
            <section class="card">
              <form id="template" data-csrf="\(viewer.csrf)" data-name="\(name)" data-channel="\(channel.rawValue)">
                \(channel == .email ? "<label for=\"subject\">Subject</label><input id=\"subject\" name=\"subject\" value=\"\(subject ?? "")\"\(canEdit ? "" : " readonly")>" as HTML : .empty)
                <label for="body">Body</label>
                <textarea id="body" name="body" rows="14" spellcheck="true"\(canEdit ? "" : " readonly")>\(body)</textarea>
                <label for="debtor">Preview for debtor <span class="hint">(id; empty: a sample invoice)</span></label>
                <input id="debtor" name="debtor">
                \(canEdit ? "<button type=\"submit\">Save for my company</button>" as HTML : "<p class=\"muted\">Managers and admins can change templates.</p>" as HTML)
                \(canEdit && tenant ? "<button type=\"button\" id=\"reset\" class=\"secondary\">Back to the built-in</button>" as HTML : .empty)
              </form>
              <p id="saved" role="status" aria-live="polite"></p>
            </section>
            <section class="card" aria-live="polite"><h2>Preview</h2>
              <div id="preview-subject" class="subject"></div>
              <blockquote id="preview-body"></blockquote>
              <p id="preview-meta" class="muted small"></p>
            </section>
            </div>
            <script src="/app/app.js" defer></script>
            """)
    }
}
