import Foundation
import OverdueAgents
import OverdueCore
import OverdueUseCases

/// The sign-in page.
extension Pages {
    static func login(error: String?, email: String, next: String) -> HTML {
        layout(
            title: "Sign in", viewer: nil,
            """
            <section class="card narrow">
              <h1>Sign in</h1>
              \(error.map { e -> HTML in "<p class=\"error\" role=\"alert\">\(e)</p>" })
              <form method="post" action="/login">
                <input type="hidden" name="next" value="\(next)">
                <label for="email">Email</label>
                <input id="email" name="email" type="email" autocomplete="username" required value="\(email)">
                <label for="password">Password</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required>
                <label for="totp">Authenticator code <span class="hint">(if you set one up)</span></label>
                <input id="totp" name="totp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*">
                <button type="submit">Sign in</button>
              </form>
            </section>
            """)
    }
}
