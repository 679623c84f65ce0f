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
        router.get("/app/account", use: account)
        router.post("/app/account/password", use: changePassword)
        router.post("/app/account/totp", use: beginTOTP)
        router.post("/app/account/totp/confirm", use: confirmTOTP)
        router.get("/app/audit", use: audit)
        router.get("/app/import", use: importPage)
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
        headers[HTTPField.Name("Content-Security-Policy")!] = "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; form-action 'self'"
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
        response.setCookie(Cookie(name: flashCookie, value: value, maxAge: 60, path: "/app", httpOnly: true, sameSite: .strict))
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
        if flash != nil { response.setCookie(Cookie(name: flashCookie, value: "", maxAge: 0, path: "/app", httpOnly: true, sameSite: .strict)) }
        return response
    }

    /// The signed-in person, or a redirect to the sign-in page.
    func viewer(_ request: Request) async throws -> (Pages.Viewer, UserSession)? {
        guard let token = request.cookies[AccountsController.cookieName]?.value,
              let session = try await api.useCases.session(token: token) else { return nil }
        return (Pages.Viewer(email: session.user.email, role: session.user.role, tenant: session.user.tenant, csrf: session.csrfToken), session)
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
            try await accounts.audit(tenant: session.user.tenant, actor: "user:\(session.user.email)", action: "authz.denied",
                                               object: "\(request.method) \(request.uri.path)", outcome: "denied", ip: context.clientIP(request), detail: "missing or wrong CSRF token")
            throw Problem(type: "https://overdue.dev/problems/csrf", title: "Forbidden", status: 403, detail: "the form's CSRF token is missing or stale; reload the page")
        }
        return fields
    }

    // MARK: Sign-in

    @Sendable func loginPage(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        if try await viewer(request) != nil { return Self.redirect("/app") }
        return Self.html(Pages.login(error: nil, email: "", next: Self.safeNext(request.uri.queryParameters.get("next"))))
    }

    /// Only a path on this site: never an open redirect.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/app"), !next.contains("//"), !next.contains("\\") else { return "/app" }
        return next
    }

    @Sendable func login(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let buffer = try await request.body.collect(upTo: 1 << 16)
        var fields: [String: String] = [:]
        for (k, v) in Form.decode(String(buffer: buffer)) { fields[k] = v }
        let next = Self.safeNext(fields["next"])
        do {
            let (token, _) = try await accounts.authenticate(email: fields["email"] ?? "", password: fields["password"] ?? "",
                                                            totp: fields["totp"].flatMap { $0.isEmpty ? nil : $0 }, ip: context.clientIP(request))
            var response = Self.redirect(next)
            response.setCookie(accounts.cookie(token))
            return response
        } catch let problem as Problem {
            return Self.html(Pages.login(error: problem.detail, email: fields["email"] ?? "", next: next), status: problem.status == 429 ? .tooManyRequests : .unauthorized)
        }
    }

    @Sendable func logout(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (_, session) = try await viewer(request), let token = request.cookies[AccountsController.cookieName]?.value else { return Self.redirect("/login") }
        _ = try await form(request, session, context: context)
        try await api.useCases.signOut(token: token, session: session, object: "/logout", ip: context.clientIP(request))
        var response = Self.redirect("/login")
        response.setCookie(accounts.cookie(""))
        return response
    }

    // MARK: Pages

    @Sendable func overview(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, _) = try await viewer(request) else { return signIn(request) }
        let data = try await api.useCases.overview(tenant: viewer.tenant)
        return Self.html(Pages.overview(data, viewer: viewer))
    }

    @Sendable func worklist(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, _) = try await viewer(request) else { return signIn(request) }
        let tenant = viewer.tenant
        let q = (request.uri.queryParameters.get("q") ?? "").trimmingCharacters(in: .whitespaces)
        let status = request.uri.queryParameters.get("status").flatMap(CaseStatus.init(rawValue:))
        let items = try await api.useCases.worklist(tenant: tenant, search: q, status: status)
        let page = max(1, Int(request.uri.queryParameters.get("page") ?? "") ?? 1)
        let shown = Array(items.dropFirst((page - 1) * Pages.worklistPageSize).prefix(Pages.worklistPageSize))
        return Self.html(Pages.worklist(shown, total: items.count, page: page, query: q, status: status?.rawValue ?? "all", viewer: viewer))
    }

    @Sendable func casePage(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, _) = try await viewer(request) else { return signIn(request) }
        let tenant = viewer.tenant
        let debtor = try context.parameters.require("debtor")
        let data = try await api.useCases.caseFile(tenant: tenant, debtor: debtor)
        guard let data else { return Self.html(Pages.layout(title: "Not found", viewer: viewer, "<h1>No such case</h1><p>There is no case for \(debtor).</p>"), status: .notFound) }
        return Self.page(request) { Pages.casePage(data, viewer: viewer, flash: $0) }
    }

    @Sendable func inbox(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, _) = try await viewer(request) else { return signIn(request) }
        let tenant = viewer.tenant
        let page = max(1, Int(request.uri.queryParameters.get("page") ?? "") ?? 1)
        let (rows, total) = try await api.useCases.inboxPage(tenant: tenant, page: page, pageSize: Pages.inboxPageSize)
        return Self.page(request) { Pages.inbox(rows, total: total, page: page, viewer: viewer, flash: $0) }
    }

    // MARK: Actions (forms)

    /// Runs a form action for a person whose role allows `permission`, audits it, then redirects.
    func act(_ request: Request, _ context: OverdueRequestContext, needs permission: Permission, then redirect: (String) -> String,
             _ body: (Pages.Viewer, [String: String], String) async throws -> Void) async throws -> Response {
        guard let (viewer, session) = try await viewer(request) else { return signIn(request) }
        let fields = try await form(request, session, context: context)
        let subject = context.parameters.get("debtor") ?? context.parameters.get("id") ?? ""
        return try await perform(request, context, viewer: viewer, fields: fields, needs: permission, back: redirect(subject), body)
    }

    /// The checked part of a form action: role, the action, its audit entry, and a redirect with a
    /// one-time message. A refusal (contact rules, a bad field) lands back on the page, said.
    func perform(_ request: Request, _ context: OverdueRequestContext, viewer: Pages.Viewer, fields: [String: String], needs permission: Permission,
                 back fallback: String, _ body: (Pages.Viewer, [String: String], String) async throws -> Void) async throws -> Response {
        guard viewer.role.allows(permission) else {
            try await accounts.audit(tenant: viewer.tenant, actor: "user:\(viewer.email)", action: "authz.denied", object: "POST \(request.uri.path)",
                                               outcome: "denied", ip: context.clientIP(request), detail: "role \(viewer.role.rawValue) may not \(permission.rawValue)")
            throw Problem(type: "https://overdue.dev/problems/forbidden", title: "Forbidden", status: 403, detail: "your role (\(viewer.role.rawValue)) may not \(permission.rawValue)")
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
        try await accounts.audit(tenant: viewer.tenant, actor: "user:\(viewer.email)", action: "app.post", object: request.uri.path, outcome: "ok",
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

    func act(_ request: Request, _ context: OverdueRequestContext, needs permission: Permission,
             _ body: (Pages.Viewer, [String: String], String) async throws -> Void) async throws -> Response {
        try await act(request, context, needs: permission, then: { "/app/cases/\($0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? $0)" }, body)
    }

    @Sendable func sendMessage(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        try await act(request, context, needs: .work) { viewer, f, debtor in
            guard let channel = f["channel"].flatMap(Channel.init(rawValue:)), channel != .voice, let text = f["text"], !text.isEmpty else {
                throw Problem.badRequest("choose email or sms and write a message")
            }
            try await api.useCases.sendMessage(tenant: viewer.tenant, debtor: debtor, channel: channel, text: text, subject: nil, contactName: nil,
                                               by: "user:\(viewer.email)")
        }
    }

    @Sendable func hold(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        try await act(request, context, needs: .work) { viewer, f, debtor in
            guard let reason = f["reason"], !reason.isEmpty, let until = f["until"].flatMap(LocalDate.parse) else { throw Problem.badRequest("give a reason and an end date") }
            // The form's end date is a day in the tenant's zone: the hold ends when that day starts.
            let zone = try await api.useCases.timeZone(tenant: viewer.tenant)
            try await api.useCases.placeHold(tenant: viewer.tenant, debtor: debtor, invoice: nil, reason: reason, until: until.at(in: zone))
        }
    }

    /// The amount field in the case's currency (or the tenant's when nothing is open).
    func amount(_ text: String?, tenant: String, debtor: String, required: Bool) async throws -> Money? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
            if required { throw ManualRecord.Refused(problems: [.init(field: "amount", message: "give the amount, e.g. 1250.00")]) }
            return nil
        }
        let currency = try await api.useCases.caseCurrency(tenant: tenant, debtor: debtor)
        do { return try Money.parse(text, currency: currency) } catch {
            throw ManualRecord.Refused(problems: [.init(field: "amount", message: error.description)])
        }
    }

    static func date(_ text: String?) -> LocalDate? { text.flatMap { LocalDate.parse($0.trimmingCharacters(in: .whitespaces)) } }

    static func optional(_ text: String?) -> String? {
        text.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    @Sendable func recordPromise(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        try await act(request, context, needs: .work) { viewer, f, debtor in
            try await api.useCases.recordPromise(tenant: viewer.tenant, debtor: debtor, date: Self.date(f["date"]),
                                                 amount: try await amount(f["amount"], tenant: viewer.tenant, debtor: debtor, required: false),
                                                 channel: f["channel"].flatMap(Channel.init(rawValue:)) ?? .voice, by: viewer.email)
        }
    }

    @Sendable func recordPayment(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        try await act(request, context, needs: .work) { viewer, f, debtor in
            try await api.useCases.recordPayment(tenant: viewer.tenant, debtor: debtor,
                                                 amount: try await amount(f["amount"], tenant: viewer.tenant, debtor: debtor, required: true),
                                                 date: Self.date(f["date"]), reference: Self.optional(f["reference"]), invoice: Self.optional(f["invoice"]),
                                                 by: viewer.email)
        }
    }

    @Sendable func openDispute(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        try await act(request, context, needs: .work) { viewer, f, debtor in
            try await api.useCases.openDispute(tenant: viewer.tenant, debtor: debtor, invoice: f["invoice"] ?? "",
                                               reason: f["reason"].flatMap(DisputeReason.init(rawValue:)), note: f["note"], by: viewer.email)
        }
    }

    @Sendable func resolveDispute(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        try await act(request, context, needs: .work) { viewer, f, debtor in
            try await api.useCases.resolveDispute(tenant: viewer.tenant, id: try context.parameters.require("id"), resolution: f["resolution"] ?? "",
                                                  by: viewer.email, debtor: debtor)
        }
    }

    @Sendable func takeover(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        try await act(request, context, needs: .work) { viewer, _, debtor in
            try await api.useCases.takeOver(tenant: viewer.tenant, debtor: debtor, by: viewer.email)
        }
    }

    @Sendable func handback(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        try await act(request, context, needs: .work) { viewer, _, debtor in
            try await api.useCases.handBack(tenant: viewer.tenant, debtor: debtor, by: viewer.email)
        }
    }
}

extension DashboardController {
    // MARK: Inbox actions

    @Sendable func resolveItem(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        try await act(request, context, needs: .work, then: { _ in "/app/inbox" }) { viewer, f, raw in
            guard let id = Int64(raw) else { throw Problem.notFound("no inbox item '\(raw)'") }
            try await api.useCases.resolveInboxItem(tenant: viewer.tenant, id: id, note: f["note"], by: viewer.email)
        }
    }

    @Sendable func approve(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        try await act(request, context, needs: .manage, then: { _ in "/app/inbox" }) { viewer, _, id in
            try await api.useCases.approveDraft(tenant: viewer.tenant, messageID: id)
        }
    }

    @Sendable func discard(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        try await act(request, context, needs: .manage, then: { _ in "/app/inbox" }) { viewer, _, id in
            try await api.useCases.discardDraft(tenant: viewer.tenant, messageID: id)
        }
    }

    // MARK: Account

    @Sendable func account(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, session) = try await viewer(request) else { return signIn(request) }
        let notice = request.uri.queryParameters.get("done").map { $0 == "password" ? "Password changed. Sign in again on your other devices." : "Second factor is on." }
        return Self.html(Pages.account(viewer: viewer, user: session.user, enrolment: nil, notice: notice, errors: []))
    }

    /// A validation problem's field errors as sentences for a form: "New password: is too short".
    static func sentences(_ problem: Problem, labels: [String: String]) -> [String] {
        guard let errors = problem.errors, !errors.isEmpty else { return [problem.detail] }
        return errors.map { e in
            let key = String(e.pointer.split(separator: "/").last ?? "")
            return "\(labels[key] ?? key): \(e.detail)."
        }
    }

    static let accountLabels = ["current": "Current password", "new": "New password", "code": "Code"]

    @Sendable func changePassword(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, session) = try await viewer(request) else { return signIn(request) }
        var posted = try await form(request, session, context: context)
        let again = posted.removeValue(forKey: "again")
        let user = session.user
        var f = AccountsController.fields(form: posted)
        let fresh: (token: String, session: UserSession)?
        do {
            fresh = try await accounts.changePassword(&f, user: user, ip: context.clientIP(request), again: again ?? "", keepSignedIn: true)
        } catch let problem as Problem where problem.status == 422 {
            return Self.html(Pages.account(viewer: viewer, user: user, enrolment: nil, notice: nil,
                                           errors: Self.sentences(problem, labels: Self.accountLabels.merging(["again": "New password again"]) { a, _ in a })),
                             status: .unprocessableContent)
        }
        // Every session ended with the old password; this browser got a fresh one.
        var response = Self.redirect("/app/account?done=password")
        if let fresh { response.setCookie(accounts.cookie(fresh.token)) }
        return response
    }

    @Sendable func beginTOTP(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, session) = try await viewer(request) else { return signIn(request) }
        _ = try await form(request, session, context: context)
        guard session.user.totpSecret == nil else { return Self.redirect("/app/account") }
        let enrolment = try await api.useCases.beginSecondFactor(user: session.user)
        return Self.html(Pages.account(viewer: viewer, user: session.user, enrolment: enrolment, notice: nil, errors: []))
    }

    @Sendable func confirmTOTP(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, session) = try await viewer(request) else { return signIn(request) }
        let user = session.user
        var f = AccountsController.fields(form: try await form(request, session, context: context))
        do {
            try await accounts.confirmTOTP(&f, user: user, ip: context.clientIP(request))
        } catch let problem as Problem where problem.status == 422 {
            let enrolment = user.totpPending.map { ($0, SecondFactor.url(secret: $0, email: user.email)) }
            return Self.html(Pages.account(viewer: viewer, user: user, enrolment: enrolment, notice: nil, errors: Self.sentences(problem, labels: Self.accountLabels)),
                             status: .unprocessableContent)
        }
        return Self.redirect("/app/account?done=totp")
    }

    // MARK: Audit, import

    @Sendable func audit(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, _) = try await viewer(request) else { return signIn(request) }
        guard viewer.role.allows(.administer) else {
            return Self.html(Pages.layout(title: "Audit log", viewer: viewer, "<h1>Audit log</h1><p>Only owners and admins see the audit log.</p>"), status: .forbidden)
        }
        let (entries, altered) = try await api.useCases.latestAudit(tenant: viewer.tenant, limit: 300)
        return Self.html(Pages.audit(entries, broken: altered, viewer: viewer))
    }

    @Sendable func importPage(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, _) = try await viewer(request) else { return signIn(request) }
        return Self.html(Pages.importPage(viewer: viewer))
    }
}

extension DashboardController {
    // MARK: Templates

    @Sendable func templates(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, _) = try await viewer(request) else { return signIn(request) }
        let rows = try await api.useCases.templates(tenant: viewer.tenant).map { (name: $0.name, channel: $0.channel, tenant: $0.overridden) }
        return Self.html(Pages.templates(rows, viewer: viewer))
    }

    @Sendable func templateEditor(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, _) = try await viewer(request) else { return signIn(request) }
        let name = try context.parameters.require("name")
        guard let channel = Channel(rawValue: try context.parameters.require("channel")), TemplateComposer.templateNames.contains(name) else {
            return Self.html(Pages.layout(title: "Not found", viewer: viewer, "<h1>No such template</h1>"), status: .notFound)
        }
        guard let (t, own) = try await api.useCases.template(tenant: viewer.tenant, name: name, channel: channel) else {
            return Self.html(Pages.layout(title: "Not found", viewer: viewer, "<h1>No such template</h1>"), status: .notFound)
        }
        return Self.html(Pages.templateEditor(name: name, channel: channel, subject: t.subject, body: t.body, tenant: own, viewer: viewer))
    }
}


extension DashboardController {
    // MARK: Cadence

    func cadencePage(_ request: Request, viewer: Pages.Viewer, form: Pages.CadenceForm, policy: Policy?, errors: [String], previewing: Bool,
                     status: HTTPResponse.Status = .ok) async throws -> Response {
        let settings = try await api.useCases.settings(tenant: viewer.tenant)
        let zone = settings.timeZone
        let today = LocalDate(api.clock.now(), in: zone)
        let steps = policy.map {
            CadencePreview.run(policy: $0, settings: settings, facts: CadencePreview.sampleFacts(settings: settings, due: today),
                               from: today.at(in: zone), dueDay: today)
        } ?? []
        return Self.page(request, status: status) { Pages.cadence(form, errors: errors, steps: steps, zone: zone, previewing: previewing, viewer: viewer, flash: $0) }
    }

    @Sendable func cadence(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, _) = try await viewer(request) else { return signIn(request) }
        let policy = try await api.useCases.policy(tenant: viewer.tenant)
        return try await cadencePage(request, viewer: viewer, form: Pages.CadenceForm(policy), policy: policy, errors: [], previewing: false)
    }

    /// Preview (anyone) or save (managers) the posted ladder; it is validated exactly as the API's
    /// `PUT /api/v1/policy` body, and a rejected form comes back as typed with every problem listed.
    @Sendable func saveCadence(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, session) = try await viewer(request) else { return signIn(request) }
        let fields = try await form(request, session, context: context)
        let form = Pages.CadenceForm(fields: fields)
        let policy: Policy
        do { policy = try Policy.parse(json: form.json) } catch {
            return try await cadencePage(request, viewer: viewer, form: form, policy: nil, errors: error.problems, previewing: true, status: .unprocessableContent)
        }
        guard fields["intent"] == "save" else {
            return try await cadencePage(request, viewer: viewer, form: form, policy: policy, errors: [], previewing: true)
        }
        return try await perform(request, context, viewer: viewer, fields: fields, needs: .manage, back: "/app/cadence") { viewer, _, _ in
            try await api.useCases.changePolicy(tenant: viewer.tenant, policy, by: "user:\(viewer.email)", source: "cadence page", ip: context.clientIP(request))
        }
    }
}

