import Foundation
import OverdueCore

extension Pages {
    // MARK: Settings

    /// The settings form's sections, each the keys starting with one of its prefixes.
    static let settingGroups: [(title: String, prefixes: [String])] = [
        ("Company and sender", ["company.", "sender.", "remit.to", "pay.url", "public_url"]),
        ("Contact rules (windows, holidays, caps)", ["window.", "cap."]),
        ("Automation", ["autonomy", "nlu.", "promise.", "paid.", "acknowledge.", "plan."]),
        ("Email provider", ["email."]),
        ("SMS and voice providers", ["sms.", "voice.", "twilio.", "vonage.", "plivo."]),
        ("Model-written messages (optional)", ["llm."]),
    ]

    /// Keys whose values are a fixed list: shown as a choice, not free text.
    static let settingChoices: [String: [String]] = [
        "autonomy": ["auto", "review", "suggest"], "email.provider": ["sandbox", "smtp"], "sms.provider": ["sandbox", "twilio", "vonage", "plivo"],
        "sms.secondary": ["none", "twilio", "vonage", "plivo"], "voice.provider": ["sandbox", "twilio"], "voice.record": ["off", "on"],
        "email.tracking": ["off", "opens", "clicks", "all"], "email.smtp.security": ["starttls", "tls", "none"], "email.imap.security": ["tls", "starttls", "none"],
        "vonage.signature_method": ["md5hash", "md5", "sha1", "sha256", "sha512"], "llm.provider": ["off", "openai"], "llm.language": ["en", "es", "fr"],
        "nlu.llm": ["off", "on"],
    ]

    static func group(of key: String) -> Int {
        settingGroups.firstIndex { g in g.prefixes.contains { key == $0 || ($0.hasSuffix(".") && key.hasPrefix($0)) } } ?? settingGroups.count
    }

    static let settingsNav: [(path: String, label: String)] = [("/app/settings", "Settings"), ("/app/settings/users", "Users and roles"),
                                                                ("/app/settings/keys", "API keys"), ("/app/settings/webhooks", "Webhooks")]

    static func settingsTabs(_ current: String, viewer: Viewer) -> HTML {
        let items = settingsNav.filter { $0.path == "/app/settings" || viewer.role.allows(.administer) }.map { item -> HTML in
            item.path == current ? "<a href=\"\(item.path)\" aria-current=\"page\">\(item.label)</a>" : "<a href=\"\(item.path)\">\(item.label)</a>"
        }
        return "<nav class=\"tabs\" aria-label=\"Settings\">\(items)</nav>"
    }

    /// Every setting by section: explicit values in the fields, defaults as placeholders, secrets
    /// never shown (empty keeps them). `typed` are the values of a rejected form, `errors` by key.
    static func settings(_ s: TenantSettings, typed: [String: String] = [:], errors: [String: String] = [:], viewer: Viewer, flash: Flash?) -> HTML {
        let canEdit = viewer.role.allows(.manage)
        let keys = TenantSettings.definitions.keys.sorted()
        let sections = HTML.join((0...settingGroups.count).compactMap { g -> HTML? in
            let inGroup = keys.filter { group(of: $0) == g }
            guard !inGroup.isEmpty else { return nil }
            let fields = HTML.join(inGroup.map { key -> HTML in
                let def = TenantSettings.definitions[key]!
                let id = "set-" + key.replacingOccurrences(of: ".", with: "-")
                let explicit = typed[key] ?? (def.secret ? nil : s.values[key])
                let error: HTML = errors[key].map { e -> HTML in "<p class=\"error\" id=\"\(id)-err\">\(e)</p>" } ?? .empty
                let described = errors[key] == nil ? "\(id)-help" : "\(id)-help \(id)-err"
                let input: HTML
                if def.secret {
                    let isSet = s.values[key] != nil
                    input = """
                    <input id="\(id)" name="\(key)" type="password" autocomplete="new-password" placeholder="\(isSet ? "set — leave empty to keep it" : "not set")" aria-describedby="\(described)"\(canEdit ? "" : " disabled")>
                    \(isSet && canEdit ? "<label class=\"inline\"><input type=\"checkbox\" name=\"clear.\(key)\"> remove it</label>" as HTML : .empty)
                    """
                } else if let choices = settingChoices[key] {
                    let current = explicit ?? ""
                    let options = HTML.join(([""] + choices).map { c -> HTML in
                        "<option value=\"\(c)\"\(c == current ? " selected" : "")>\(c.isEmpty ? "default (\(def.defaultValue ?? "none"))" : c)</option>"
                    })
                    input = "<select id=\"\(id)\" name=\"\(key)\" aria-describedby=\"\(described)\"\(canEdit ? "" : " disabled")>\(options)</select>"
                } else {
                    input = "<input id=\"\(id)\" name=\"\(key)\" value=\"\(explicit ?? "")\" placeholder=\"\(def.defaultValue.map { "default: \($0)" } ?? "not set")\" aria-describedby=\"\(described)\"\(canEdit ? "" : " disabled")>"
                }
                return """
                <div class="setting\(errors[key] == nil ? "" : " invalid")"><label for="\(id)"><code>\(key)</code></label>\(input)
                <p class="hint" id="\(id)-help">\(def.help)</p>\(error)</div>
                """
            })
            let title = g < settingGroups.count ? settingGroups[g].title : "Other"
            return "<fieldset class=\"card\"><legend>\(title)</legend>\(fields)</fieldset>"
        })
        let problems: HTML = errors.isEmpty ? .empty : "<div class=\"error\" role=\"alert\"><p>Nothing was saved: \(errors.count) setting\(errors.count == 1 ? " is" : "s are") not valid (marked below).</p></div>"
        return layout(title: "Settings", viewer: viewer, current: "/app/settings", """
        <h1>Settings</h1>
        \(settingsTabs("/app/settings", viewer: viewer))
        \(flash?.html ?? .empty)
        \(problems)
        <p class="muted">An empty field uses the default shown in it. The same keys as <code>overdue settings set</code>; every change is in the audit log.</p>
        <form method="post" action="/app/settings" class="settings">
          <input type="hidden" name="_csrf" value="\(viewer.csrf)">
          \(sections)
          \(canEdit ? "<button type=\"submit\">Save settings</button>" as HTML : "<p class=\"muted\">Managers and admins can change settings.</p>" as HTML)
        </form>
        """)
    }

    // MARK: Users

    static func roleOptions(_ selected: Role?, viewer: Viewer) -> HTML {
        HTML.join(Role.allCases.filter { $0 != .owner || viewer.role == .owner || selected == .owner }.map { r -> HTML in
            "<option\(r == selected ? " selected" : "")>\(r.rawValue)</option>"
        })
    }

    static func users(_ users: [User], self me: String, viewer: Viewer, flash: Flash?) -> HTML {
        let csrf: HTML = "<input type=\"hidden\" name=\"_csrf\" value=\"\(viewer.csrf)\">"
        let rows = HTML.join(users.map { u -> HTML in
            let locked = u.id == me || (u.role == .owner && viewer.role != .owner)
            return """
            <tr><th scope="row">\(u.email)<div class="muted small">\(u.name)</div></th>
              <td>\(u.totpSecret == nil ? "—" : "on")</td><td>\(Timestamp.format(u.createdAt))</td>
              <td>\(locked ? "<span>\(u.role.rawValue)\(u.disabledAt == nil ? "" : " · disabled")</span>" as HTML : """
                <form method="post" action="/app/settings/users/\(u.id)" class="row">\(csrf)
                  <label class="sr-only" for="role-\(u.id)">Role of \(u.email)</label><select id="role-\(u.id)" name="role">\(roleOptions(u.role, viewer: viewer))</select>
                  <label class="inline"><input type="checkbox" name="disabled"\(u.disabledAt == nil ? "" : " checked")> disabled</label>
                  <button type="submit" class="secondary">Save</button>
                </form>
                """)</td></tr>
            """
        })
        return layout(title: "Users and roles", viewer: viewer, current: "/app/settings", """
        <h1>Users and roles</h1>
        \(settingsTabs("/app/settings/users", viewer: viewer))
        \(flash?.html ?? .empty)
        <section class="card">
        <table class="list"><thead><tr><th scope="col">User</th><th scope="col">Second factor</th><th scope="col">Since</th><th scope="col">Role and status</th></tr></thead>
        <tbody>\(rows)</tbody></table>
        <p class="muted small">Owners: everything. Admins: everything but ownership. Managers: cadence, templates, settings, approving drafts.
        Collectors: work cases. Viewers: read only. A new role or a disabled account ends that person's sessions.</p>
        </section>
        <section class="card narrow"><h2>Add a user</h2>
          <form method="post" action="/app/settings/users">\(csrf)
            <label for="nu-email">Email</label><input id="nu-email" name="email" type="email" required autocomplete="off">
            <label for="nu-name">Name</label><input id="nu-name" name="name">
            <label for="nu-role">Role</label><select id="nu-role" name="role">\(roleOptions(.collector, viewer: viewer))</select>
            <label for="nu-password">First password <span class="hint">(12+ characters; they can change it under Account)</span></label>
            <input id="nu-password" name="password" type="password" autocomplete="new-password" minlength="12" required>
            <button type="submit">Add user</button>
          </form>
        </section>
        """)
    }

    // MARK: API keys

    static func keys(_ keys: [APIKey], made: (key: String, name: String)?, viewer: Viewer, flash: Flash?) -> HTML {
        let csrf: HTML = "<input type=\"hidden\" name=\"_csrf\" value=\"\(viewer.csrf)\">"
        let rows = HTML.join(keys.map { k -> HTML in
            """
            <tr><th scope="row"><code>\(k.prefix)</code></th><td>\(k.name)</td><td>\(k.role.rawValue)</td><td>\(Timestamp.format(k.createdAt))</td>
              <td>\(k.lastUsedAt.map(Timestamp.format) ?? "never")</td>
              <td>\(k.revokedAt.map { "revoked \(Timestamp.format($0))" } ?? "") \(k.revokedAt == nil ? """
                <form method="post" action="/app/settings/keys/\(k.prefix)/revoke">\(csrf)<button type="submit" class="secondary">Revoke</button></form>
                """ as HTML : .empty)</td></tr>
            """
        })
        let shown: HTML = made.map { m -> HTML in
            """
            <div class="notice" role="status"><p>The key <strong>\(m.name)</strong> — copy it now, it is not shown again:</p>
            <p><code class="key">\(m.key)</code></p></div>
            """
        } ?? .empty
        return layout(title: "API keys", viewer: viewer, current: "/app/settings", """
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

    // MARK: Webhooks

    static func webhooks(_ subs: [(sub: WebhookSubscription, counts: [String: Int])], made: WebhookSubscription?, errors: [String], typedURL: String,
                         viewer: Viewer, flash: Flash?) -> HTML {
        let csrf: HTML = "<input type=\"hidden\" name=\"_csrf\" value=\"\(viewer.csrf)\">"
        let rows = HTML.join(subs.map { x -> HTML in
            let s = x.sub
            let counts = x.counts.keys.sorted().map { "\(x.counts[$0]!) \($0)" }.joined(separator: " · ")
            return """
            <tr><th scope="row">\(s.url)<div class="muted small">\(s.id)\(s.description.map { " · \($0)" } ?? "")</div></th>
              <td class="small">\(s.events.joined(separator: ", "))</td><td class="small">\(counts.isEmpty ? "—" : counts)</td>
              <td>\(s.disabledAt.map { "off since \(Timestamp.format($0))" } ?? "on") \(s.disabledAt == nil ? """
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
