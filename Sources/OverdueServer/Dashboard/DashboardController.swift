import Foundation
import HTTPTypes
import Hummingbird
import OverdueAgents
import OverdueChannels
import OverdueCore
import OverdueUseCases

/// The web dashboard: server-rendered pages under `/app` for signed-in people (session cookie),
/// `/login` and `/logout`. Every form carries the session's CSRF token; every page escapes what
/// debtors wrote (`HTML`). Handlers read, call the same engine as the API, and redirect.
struct DashboardController: Sendable {
    let api: APIController
    let accounts: AccountsController
    let webhooks: WebhookController

    func register(on router: Router<OverdueRequestContext>) {
        router.get("/", use: { _, _ in Self.redirect("/app") })
        router.get("/login", use: loginPage)
        router.post("/login", use: login)
        router.post("/logout", use: logout)
        router.get("/app/style.css", use: { _, _ in Self.asset(DashboardAssets.css, type: "text/css; charset=utf-8") })
        router.get("/app/manifest.webmanifest", use: { _, _ in Self.asset(DashboardAssets.manifest, type: "application/manifest+json") })
        router.get("/app/icon.svg", use: { _, _ in Self.asset(DashboardAssets.icon, type: "image/svg+xml") })
        router.get("/app", use: overview)
        router.get("/app/cases", use: worklist)
        router.get("/app/cases/:debtor", use: casePage)
        router.post("/app/cases/:debtor/message", use: sendMessage)
        router.post("/app/cases/:debtor/hold", use: hold)
        router.post("/app/cases/:debtor/takeover", use: takeover)
        router.post("/app/cases/:debtor/handback", use: handback)
        router.post("/app/cases/:debtor/promise", use: recordPromise)
        router.post("/app/cases/:debtor/payment", use: recordPayment)
        router.post("/app/cases/:debtor/dispute", use: openDispute)
        router.post("/app/cases/:debtor/disputes/:id/resolve", use: resolveDispute)
        router.get("/app/inbox", use: inbox)
        router.post("/app/inbox/:id/resolve", use: resolveItem)
        router.post("/app/messages/:id/approve", use: approve)
        router.post("/app/messages/:id/discard", use: discard)
        router.post("/app/contact-proposals/:id/approve", use: { try await self.decideProposal($0, context: $1, approve: true) })
        router.post("/app/contact-proposals/:id/reject", use: { try await self.decideProposal($0, context: $1, approve: false) })
        router.get("/app/account", use: account)
        router.post("/app/account/password", use: changePassword)
        router.post("/app/account/totp", use: beginTOTP)
        router.post("/app/account/totp/confirm", use: confirmTOTP)
        router.get("/app/audit", use: audit)
        router.get("/app/import", use: importPage)
        router.get("/app/time.js", use: { _, _ in Self.asset(DashboardAssets.timeScript, type: "text/javascript; charset=utf-8") })
        router.get("/app/app.js", use: { _, _ in Self.asset(DashboardAssets.script + DashboardAssets.templateScript, type: "text/javascript; charset=utf-8") })
        registerSettings(on: router)
        router.get("/app/cadence", use: cadence)
        router.post("/app/cadence", use: saveCadence)
        router.get("/app/templates", use: templates)
        router.get("/app/templates/:channel/:name", use: templateEditor)
    }

    static func html(_ page: HTML, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        // No script from anywhere else, no framing: a hostile reply that slipped through escaping still could not run.
        headers[HTTPField.Name("Content-Security-Policy")!] =
            "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; form-action 'self'"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page.rendered)))
    }

    static func asset(_ text: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "public, max-age=3600"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(_ to: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = to
        return Response(status: .seeOther, headers: headers)
    }

    static let flashCookie = "overdue_flash"

    /// A redirect carrying a one-time message for the next page (a short-lived cookie, so no text
    /// rides in the URL where a link could forge it).
    static func redirect(_ to: String, flash: Pages.Flash) -> Response {
        var response = redirect(to)
        let value = Data(((flash.isError ? "e" : "n") + String(flash.text.prefix(600))).utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        response.setCookie(
            Cookie(
                name: flashCookie, value: value, maxAge: 60, path: "/app", secure: ServerConfiguration.secureByEnvironment, httpOnly: true, sameSite: .strict))
        return response
    }

    /// The message the last form post left, if any.
    static func flash(_ request: Request) -> Pages.Flash? {
        guard var raw = request.cookies[flashCookie]?.value, !raw.isEmpty else { return nil }
        raw = raw.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        raw += String(repeating: "=", count: (4 - raw.count % 4) % 4)
        guard let data = Data(base64Encoded: raw), let text = String(data: data, encoding: .utf8), let kind = text.first else { return nil }
        return kind == "e" ? .error(String(text.dropFirst())) : .notice(String(text.dropFirst()))
    }

    /// A page that shows (and so uses up) the last form post's message.
    static func page(_ request: Request, status: HTTPResponse.Status = .ok, _ build: (Pages.Flash?) -> HTML) -> Response {
        let flash = flash(request)
        var response = html(build(flash), status: status)
        if flash != nil {
            response.setCookie(
                Cookie(
                    name: flashCookie, value: "", maxAge: 0, path: "/app", secure: ServerConfiguration.secureByEnvironment, httpOnly: true, sameSite: .strict))
        }
        return response
    }

    /// The signed-in person, or a redirect to the sign-in page.
    func viewer(_ request: Request) async throws -> (Pages.Viewer, UserSession)? {
        guard let token = request.cookies[AccountsController.cookieName]?.value,
            let session = try await api.useCases.session(token: token)
        else { return nil }
        let zone = try await api.useCases.timeZone(tenant: session.user.tenant)
        return (Pages.Viewer(email: session.user.email, role: session.user.role, tenant: session.user.tenant, csrf: session.csrfToken, zone: zone), session)
    }

    func signIn(_ request: Request) -> Response {
        let next = request.uri.path.hasPrefix("/app") ? request.uri.path : "/app"
        return Self.redirect("/login?next=\(next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/app")")
    }

    /// A form post: its fields, after checking the CSRF token against the session's.
    func form(_ request: Request, _ session: UserSession, context: OverdueRequestContext) async throws -> [String: String] {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        var fields: [String: String] = [:]
        for (k, v) in Form.decode(String(buffer: buffer)) { fields[k] = v }
        guard ConstantTime.equal(fields["_csrf"] ?? "", session.csrfToken) else {
            try await accounts.audit(
                tenant: session.user.tenant, actor: "user:\(session.user.email)", action: "authz.denied",
                object: "\(request.method) \(request.uri.path)", outcome: "denied", ip: context.clientIP(request), detail: "missing or wrong CSRF token")
            throw Problem.csrf("the form's CSRF token is missing or stale; reload the page")
        }
        return fields
    }

    // MARK: Actions (forms)

    /// Runs a form action for a person whose role allows `permission`, audits it, then redirects.
    func act(
        _ request: Request, _ context: OverdueRequestContext, needs permission: Permission, then redirect: (String) -> String,
        _ body: (Pages.Viewer, [String: String], String) async throws -> Void
    ) async throws -> Response {
        guard let (viewer, session) = try await viewer(request) else { return signIn(request) }
        let fields = try await form(request, session, context: context)
        let subject = context.parameters.get("debtor") ?? context.parameters.get("id") ?? ""
        return try await perform(request, context, viewer: viewer, fields: fields, needs: permission, back: redirect(subject), body)
    }

    /// The checked part of a form action: role, the action, its audit entry, and a redirect with a
    /// one-time message. A refusal (contact rules, a bad field) lands back on the page, said.
    func perform(
        _ request: Request, _ context: OverdueRequestContext, viewer: Pages.Viewer, fields: [String: String], needs permission: Permission,
        back fallback: String, _ body: (Pages.Viewer, [String: String], String) async throws -> Void
    ) async throws -> Response {
        guard viewer.role.allows(permission) else {
            try await accounts.audit(
                tenant: viewer.tenant, actor: "user:\(viewer.email)", action: "authz.denied", object: "POST \(request.uri.path)",
                outcome: "denied", ip: context.clientIP(request), detail: "role \(viewer.role.rawValue) may not \(permission.rawValue)")
            throw Problem.forbidden("your role (\(viewer.role.rawValue)) may not \(permission.rawValue)")
        }
        let subject = context.parameters.get("debtor") ?? context.parameters.get("id") ?? ""
        // A form may say where to come back to (the case page it was on); only a path on this site.
        let back = fields["back"].map { Self.safeNext($0) } ?? fallback
        do {
            try await body(viewer, fields, subject)
        } catch let refused as ManualRecord.Refused {
            return Self.redirect(back, flash: .error("Not recorded — " + refused.description))
        } catch let refused as ConversationEngine.Refused where !refused.notFound {
            return Self.redirect(back, flash: .error("Not sent — " + refused.description))
        } catch let problem as Problem where [400, 409, 422].contains(problem.status) {
            return Self.redirect(back, flash: .error("Not done — " + problem.detail))
        } catch let refused as UseCaseError where refused.kind == .notFound || refused.kind == .forbidden {
            throw Problem(refused)
        } catch let refused as UseCaseError where refused.kind == .conflict {
            return Self.redirect(back, flash: .error("Not done — " + refused.problems.map(\.message).joined(separator: "; ")))
        } catch let refused as UseCaseError {
            return Self.redirect(back, flash: .error("Not recorded — " + refused.description))
        }
        try await accounts.audit(
            tenant: viewer.tenant, actor: "user:\(viewer.email)", action: "app.post", object: request.uri.path, outcome: "ok",
            ip: context.clientIP(request), detail: "")
        return Self.redirect(back, flash: .notice(done(request.uri.path)))
    }

    /// What a successful form post says on the page it lands on.
    func done(_ path: String) -> String {
        if path.hasPrefix("/app/settings/users/") { return "User updated." }
        switch path.split(separator: "/").last ?? "" {
        case "message": return "Message sent."
        case "hold": return "Hold added."
        case "takeover": return "You have the case: nothing automatic is sent."
        case "handback": return "Handed back: the ladder resumes."
        case "promise": return "Promise recorded: the ladder waits for it."
        case "payment": return "Payment recorded."
        case "dispute": return "Dispute opened: that invoice is not chased."
        case "resolve": return "Resolved."
        case "approve": return "Approved and sent."
        case "cadence": return "Cadence saved: every case is being re-planned."
        case "settings": return "Settings saved."
        case "users": return "User added."
        case "revoke": return "Key revoked: it no longer works."
        case "disable": return "Webhook turned off."
        case "discard": return "Discarded."
        default: return "Done."
        }
    }
}
