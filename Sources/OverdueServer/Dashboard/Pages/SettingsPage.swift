import Foundation
import OverdueCore

/// The settings page: every key by group, secrets masked.
extension Pages {
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
        "email.tracking": ["off", "opens", "clicks", "all"], "email.smtp.security": ["starttls", "tls", "none"],
        "email.imap.security": ["tls", "starttls", "none"],
        "vonage.signature_method": ["md5hash", "md5", "sha1", "sha256", "sha512"], "llm.provider": ["off", "openai"], "llm.language": ["en", "es", "fr"],
        "nlu.llm": ["off", "on"],
    ]

    static func group(of key: String) -> Int {
        settingGroups.firstIndex { g in g.prefixes.contains { key == $0 || ($0.hasSuffix(".") && key.hasPrefix($0)) } } ?? settingGroups.count
    }

    static let settingsNav: [(path: String, label: String)] = [
        ("/app/settings", "Settings"), ("/app/settings/users", "Users and roles"),
        ("/app/settings/keys", "API keys"), ("/app/settings/webhooks", "Webhooks"),
    ]

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
        let sections = HTML.join(
            (0...settingGroups.count).compactMap { g -> HTML? in
                let inGroup = keys.filter { group(of: $0) == g }
                guard !inGroup.isEmpty else { return nil }
                let fields = HTML.join(
                    inGroup.map { key -> HTML in
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
                            let options = HTML.join(
                                ([""] + choices).map { c -> HTML in
                                    "<option value=\"\(c)\"\(c == current ? " selected" : "")>\(c.isEmpty ? "default (\(def.defaultValue ?? "none"))" : c)</option>"
                                })
                            input = "<select id=\"\(id)\" name=\"\(key)\" aria-describedby=\"\(described)\"\(canEdit ? "" : " disabled")>\(options)</select>"
                        } else {
                            input =
                                "<input id=\"\(id)\" name=\"\(key)\" value=\"\(explicit ?? "")\" placeholder=\"\(def.defaultValue.map { "default: \($0)" } ?? "not set")\" aria-describedby=\"\(described)\"\(canEdit ? "" : " disabled")>"
                        }
                        return """
                            <div class="setting\(errors[key] == nil ? "" : " invalid")"><label for="\(id)"><code>\(key)</code></label>\(input)
                            <p class="hint" id="\(id)-help">\(def.help)</p>\(error)</div>
                            """
                    })
                let title = g < settingGroups.count ? settingGroups[g].title : "Other"
                return "<fieldset class=\"card\"><legend>\(title)</legend>\(fields)</fieldset>"
            })
        let problems: HTML =
            errors.isEmpty
            ? .empty
            : "<div class=\"error\" role=\"alert\"><p>Nothing was saved: \(errors.count) setting\(errors.count == 1 ? " is" : "s are") not valid (marked below).</p></div>"
        return layout(
            title: "Settings", viewer: viewer, current: "/app/settings",
            """
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
}
