import Foundation
import OverdueAgents
import OverdueCore
import OverdueUseCases

/// One's own account: password and second factor.
extension Pages {
    static func account(viewer: Viewer, user: User, enrolment: (secret: String, url: String)?, notice: String?, errors: [String]) -> HTML {
        let csrf: HTML = "<input type=\"hidden\" name=\"_csrf\" value=\"\(viewer.csrf)\">"
        let problems: HTML = errors.isEmpty ? .empty : "<div class=\"error\" role=\"alert\"><ul>\(errors.map { e -> HTML in "<li>\(e)</li>" })</ul></div>"
        let base32 = enrolment.flatMap { URLComponents(string: $0.url)?.queryItems?.first { $0.name == "secret" }?.value }
        let second: HTML
        if user.totpSecret != nil {
            second = "<p>A second factor is on: signing in asks for the code from your authenticator app.</p>"
        } else if let enrolment {
            second = """
                <p>Add this key to your authenticator app (or open the link on your phone), then type the code it shows.</p>
                <p><code class="key">\(base32 ?? enrolment.secret)</code></p>
                <p><a href="\(enrolment.url)">\(enrolment.url)</a></p>
                <form method="post" action="/app/account/totp/confirm">\(csrf)
                  <label for="code">Code from the app</label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required>
                  <button type="submit">Turn on</button>
                </form>
                """
        } else {
            second = """
                <p>Off. With it on, a stolen password alone cannot sign in.</p>
                <form method="post" action="/app/account/totp">\(csrf)<button type="submit">Set up an authenticator app</button></form>
                """
        }
        return layout(
            title: "Account", viewer: viewer, current: "/app/account",
            """
            <h1>Your account</h1>
            \(notice.map { n -> HTML in "<p class=\"notice\" role=\"status\">\(n)</p>" })
            \(problems)
            <div class="cols">
            <section class="card"><h2>Password</h2>
              <form method="post" action="/app/account/password">\(csrf)
                <label for="current">Current password</label><input id="current" name="current" type="password" autocomplete="current-password" required>
                <label for="new">New password <span class="hint">(12 or more characters; a few unrelated words work well)</span></label>
                <input id="new" name="new" type="password" autocomplete="new-password" minlength="12" required>
                <label for="again">New password again</label><input id="again" name="again" type="password" autocomplete="new-password" minlength="12" required>
                <button type="submit">Change password</button>
              </form>
            </section>
            <section class="card"><h2>Second factor</h2>\(second)</section>
            </div>
            <p class="muted">\(user.email) · \(user.role.rawValue) · tenant \(user.tenant)</p>
            """)
    }
}
