// swift-format-ignore-file
// (swift-format 6.3 re-indents the multi-line literals nested in this page's interpolations so that they no longer compile.)
import Foundation
import OverdueCore

/// The users page (owners and admins).
extension Pages {
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
              <td>\(u.totpSecret == nil ? "—" : "on")</td><td>\(when(u.createdAt, viewer.zone))</td>
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
}
