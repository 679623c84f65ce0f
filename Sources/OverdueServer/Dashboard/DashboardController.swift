import Foundation
import HTTPTypes
import Hummingbird
import OverdueAgents
import OverdueChannels
import OverdueCore
import OverdueStore

/// The web dashboard: server-rendered pages under `/app` for signed-in people (session cookie),
/// `/login` and `/logout`. Every form carries the session's CSRF token; every page escapes what
/// debtors wrote (`HTML`). Handlers read, call the same engine as the API, and redirect.
struct DashboardController: Sendable {
    let api: APIController
    let accounts: AccountsController
    let engine: ConversationEngine

    var store: Store { api.store }

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

    /// The signed-in person, or a redirect to the sign-in page.
    func viewer(_ request: Request) async throws -> (Pages.Viewer, UserSession)? {
        guard let token = request.cookies[AccountsController.cookieName]?.value,
              let session = try await store.read({ try await $0.userSession(token: token, idle: AccountsController.idleTimeout, now: Date()) }) else { return nil }
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
            try await AccountsController.audit(store, tenant: session.user.tenant, actor: "user:\(session.user.email)", action: "authz.denied",
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
        try await store.write { s in
            try await s.deleteUserSession(token: token)
            try await s.appendAudit(tenant: session.user.tenant, actor: "user:\(session.user.email)", action: "auth.logout", object: "/logout", outcome: "ok",
                                    ip: context.clientIP(request), detail: nil, at: Date())
        }
        var response = Self.redirect("/login")
        response.setCookie(accounts.cookie(""))
        return response
    }

    // MARK: Pages

    @Sendable func overview(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, _) = try await viewer(request) else { return signIn(request) }
        let tenant = viewer.tenant
        let now = Date()
        let data = try await store.read { s -> Pages.OverviewData in
            let settings = try await s.settings(tenant)
            let today = LocalDate(now, in: settings.timeZone)
            let cases = try await s.cases(tenant)
            let promises = try await s.promises(tenant)
            let disputes = try await s.disputes(tenant, openOnly: true)
            let counts = try await s.messageCounts(tenant, since: now.addingTimeInterval(-30 * 86_400))
            let figures = cases.map { CaseFigures(debtorID: $0.debtorID, balance: $0.balance, oldestDue: $0.oldestDue, status: $0.status) }
            let byReason = Dictionary(grouping: disputes, by: \.reason).map { ($0.key.label, $0.value.count) }.sorted { ($0.1, $1.0) > ($1.1, $0.0) }
            let channels = Channel.allCases.map { ch in
                (ch, counts.first { $0.channel == ch && $0.direction == .outbound }?.count ?? 0, counts.first { $0.channel == ch && $0.direction == .inbound }?.count ?? 0)
            }
            let month = LocalDate(year: today.year, month: today.month, day: 1)!
            return Pages.OverviewData(overview: Overview(cases: figures, currency: settings.currency, today: today),
                                      collected: try await s.collected(tenant, since: month)[settings.currency.code] ?? 0,
                                      promises: PromiseFigures(promises: promises.map(\.promise), today: today),
                                      disputes: byReason, channels: channels, today: today)
        }
        return Self.html(Pages.overview(data, viewer: viewer))
    }

    @Sendable func worklist(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, _) = try await viewer(request) else { return signIn(request) }
        let tenant = viewer.tenant
        let q = (request.uri.queryParameters.get("q") ?? "").trimmingCharacters(in: .whitespaces)
        let status = request.uri.queryParameters.get("status").flatMap(CaseStatus.init(rawValue:))
        let now = Date()
        let (records, today, broken, matches) = try await store.read { s in
            let settings = try await s.settings(tenant)
            var query = CaseQuery()
            if let status { query.statuses = [status] }
            let records = try await s.cases(tenant, query: query, after: nil, limit: 100_000)
            let promises = try await s.promises(tenant)
            let broken = Dictionary(grouping: promises.filter { $0.promise.status == .broken }, by: \.debtor).mapValues(\.count)
            // A search by a number finds the debtor owing the invoice, load, PRO, BOL or PO it names.
            let matches = q.isEmpty ? [] : Set(try await s.invoices(tenant, referencedBy: [q]).map(\.debtorID))
            return (records, LocalDate(now, in: settings.timeZone), broken, matches)
        }
        let needle = q.lowercased()
        let items = records
            .filter { r in q.isEmpty || r.debtorName.lowercased().contains(needle) || r.debtorID.lowercased().contains(needle) || matches.contains(r.debtorID) }
            .map { r -> Pages.WorkItem in
                let f = CaseFigures(debtorID: r.debtorID, balance: r.balance, oldestDue: r.oldestDue, status: r.status, brokenPromises: broken[r.debtorID] ?? 0)
                let (score, reasons) = WorkPriority.score(f, today: today)
                return Pages.WorkItem(record: r, score: score, reasons: reasons, daysPastDue: f.daysPastDue(today: today))
            }
            .sorted { ($0.score, $1.record.debtorID) > ($1.score, $0.record.debtorID) }
        return Self.html(Pages.worklist(Array(items.prefix(500)), query: q, status: status?.rawValue ?? "all", viewer: viewer))
    }

    @Sendable func casePage(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, _) = try await viewer(request) else { return signIn(request) }
        let tenant = viewer.tenant
        let debtor = try context.parameters.require("debtor")
        let now = Date()
        let data = try await store.read { s -> Pages.CaseData? in
            guard let record = try await s.caseRecord(tenant, debtor: debtor) else { return nil }
            return Pages.CaseData(record: record, contacts: try await s.contacts(tenant, debtor: debtor), suppressions: try await s.suppressions(tenant, debtor: debtor),
                                  invoices: try await s.invoices(tenant, debtor: debtor), documents: try await s.documents(tenant, debtor: debtor),
                                  messages: try await s.messages(tenant, direction: nil, debtor: debtor),
                                  decisions: try await s.decisions(tenant, debtor: debtor).map { ($0.at, $0.action, $0.reasons) },
                                  promises: try await s.commitments(tenant, debtor: debtor), disputes: try await s.disputes(tenant, debtor: debtor),
                                  holds: try await s.holds(tenant, debtor: debtor), payments: try await s.payments(tenant, debtor: debtor), now: now)
        }
        guard let data else { return Self.html(Pages.layout(title: "Not found", viewer: viewer, "<h1>No such case</h1><p>There is no case for \(debtor).</p>"), status: .notFound) }
        return Self.html(Pages.casePage(data, viewer: viewer))
    }

    @Sendable func inbox(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, _) = try await viewer(request) else { return signIn(request) }
        let tenant = viewer.tenant
        let rows = try await store.read { s in
            var out: [(item: InboxItem, debtorName: String?, message: MessageRecord?, draft: MessageRecord?)] = []
            for item in try await s.inbox(tenant) {
                out.append((item, try await item.debtorID.asyncMap { try await s.debtor(tenant, $0)?.name } ?? nil,
                            try await item.messageID.asyncMap { try await s.message(tenant, id: $0) } ?? nil,
                            try await item.draftID.asyncMap { try await s.message(tenant, id: $0) } ?? nil))
            }
            return out
        }
        return Self.html(Pages.inbox(rows, viewer: viewer))
    }

    // MARK: Actions (forms)

    /// Runs a form action for a person whose role allows `permission`, audits it, then redirects.
    func act(_ request: Request, _ context: OverdueRequestContext, needs permission: Permission, then redirect: (String) -> String,
             _ body: (Pages.Viewer, [String: String], String) async throws -> Void) async throws -> Response {
        guard let (viewer, session) = try await viewer(request) else { return signIn(request) }
        let fields = try await form(request, session, context: context)
        guard viewer.role.allows(permission) else {
            try await AccountsController.audit(store, tenant: viewer.tenant, actor: "user:\(viewer.email)", action: "authz.denied", object: "POST \(request.uri.path)",
                                               outcome: "denied", ip: context.clientIP(request), detail: "role \(viewer.role.rawValue) may not \(permission.rawValue)")
            throw Problem(type: "https://overdue.dev/problems/forbidden", title: "Forbidden", status: 403, detail: "your role (\(viewer.role.rawValue)) may not \(permission.rawValue)")
        }
        let subject = context.parameters.get("debtor") ?? context.parameters.get("id") ?? ""
        try await body(viewer, fields, subject)
        try await AccountsController.audit(store, tenant: viewer.tenant, actor: "user:\(viewer.email)", action: "app.post", object: request.uri.path, outcome: "ok",
                                           ip: context.clientIP(request), detail: "")
        return Self.redirect(redirect(subject))
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
            do {
                _ = try await engine.sendManual(tenant: viewer.tenant, debtor: debtor, channel: channel, text: text, subject: nil, contactName: nil,
                                                by: "user:\(viewer.email)", now: Date())
            } catch let refused as ConversationEngine.Refused {
                throw Problem(type: "https://overdue.dev/problems/contact-rules", title: "Not allowed now", status: 409, detail: refused.description)
            }
        }
    }

    @Sendable func hold(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        try await act(request, context, needs: .work) { viewer, f, debtor in
            guard let reason = f["reason"], !reason.isEmpty, let until = f["until"].flatMap(LocalDate.parse) else { throw Problem.badRequest("give a reason and an end date") }
            try await store.write { s in
                let zone = try await s.settings(viewer.tenant).timeZone
                try await s.addHold(viewer.tenant, Hold(debtorID: debtor, reason: reason, until: until.at(in: zone)), now: Date())
                try await s.schedule(viewer.tenant, subjects: [debtor], at: Date(), mode: .earliest)
            }
        }
    }

    @Sendable func takeover(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        try await act(request, context, needs: .work) { viewer, _, debtor in
            try await engine.takeOver(tenant: viewer.tenant, debtor: debtor, by: viewer.email, now: Date())
        }
    }

    @Sendable func handback(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        try await act(request, context, needs: .work) { viewer, _, debtor in
            try await engine.handBack(tenant: viewer.tenant, debtor: debtor, by: viewer.email, now: Date())
        }
    }
}

extension DashboardController {
    // MARK: Inbox actions

    @Sendable func resolveItem(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        try await act(request, context, needs: .work, then: { _ in "/app/inbox" }) { viewer, f, raw in
            guard let id = Int64(raw) else { throw Problem.notFound("no inbox item '\(raw)'") }
            let done = try await store.write { s -> Bool in
                guard try await s.inbox(viewer.tenant).contains(where: { $0.id == id }) else { return false }
                try await s.resolveInbox(viewer.tenant, id: id, resolution: f["note"].flatMap { $0.isEmpty ? nil : $0 } ?? "resolved by \(viewer.email)", at: Date())
                return true
            }
            guard done else { throw Problem.notFound("no open inbox item \(id)") }
        }
    }

    @Sendable func approve(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        try await act(request, context, needs: .manage, then: { _ in "/app/inbox" }) { viewer, _, id in
            do { _ = try await engine.approve(tenant: viewer.tenant, messageID: id, now: Date()) } catch let e as ConversationEngine.InvalidMessage {
                throw Problem(type: "https://overdue.dev/problems/not-a-draft", title: "Not a draft", status: 409, detail: e.description)
            }
        }
    }

    @Sendable func discard(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        try await act(request, context, needs: .manage, then: { _ in "/app/inbox" }) { viewer, _, id in
            do { try await engine.discard(tenant: viewer.tenant, messageID: id, now: Date()) } catch let e as ConversationEngine.InvalidMessage {
                throw Problem(type: "https://overdue.dev/problems/not-a-draft", title: "Not a draft", status: 409, detail: e.description)
            }
        }
    }

    // MARK: Account

    @Sendable func account(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, session) = try await viewer(request) else { return signIn(request) }
        let notice = request.uri.queryParameters.get("done").map { $0 == "password" ? "Password changed. Sign in again on your other devices." : "Second factor is on." }
        return Self.html(Pages.account(viewer: viewer, user: session.user, enrolment: nil, notice: notice, errors: []))
    }

    @Sendable func changePassword(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, session) = try await viewer(request) else { return signIn(request) }
        let f = try await form(request, session, context: context)
        let user = session.user
        var errors = PasswordPolicy.problems(f["new"] ?? "", email: user.email, name: user.name).map { "New password \($0)." }
        if f["new"] != f["again"] { errors.append("The two new passwords differ.") }
        if !(try await Passwords.verify(f["current"] ?? "", hash: user.passwordHash)) { errors.append("The current password is wrong.") }
        guard errors.isEmpty else { return Self.html(Pages.account(viewer: viewer, user: user, enrolment: nil, notice: nil, errors: errors), status: .unprocessableContent) }
        let hash = try await Passwords.hash(f["new"]!)
        // Every session ends with the old password; this browser gets a fresh one.
        let (token, fresh) = try await store.write { s in
            try await s.updateUser(user.tenant, id: user.id, passwordHash: hash)
            try await s.appendAudit(tenant: user.tenant, actor: "user:\(user.email)", action: "user.password_changed", object: user.id, outcome: "ok",
                                    ip: context.clientIP(request), detail: "", at: Date())
            return try await s.createUserSession(user, ttl: AccountsController.lifetime, ip: context.clientIP(request), now: Date())
        }
        _ = fresh
        var response = Self.redirect("/app/account?done=password")
        response.setCookie(accounts.cookie(token))
        return response
    }

    @Sendable func beginTOTP(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, session) = try await viewer(request) else { return signIn(request) }
        _ = try await form(request, session, context: context)
        guard session.user.totpSecret == nil else { return Self.redirect("/app/account") }
        let secret = SecretToken.make(bytes: 15)
        try await store.write { try await $0.updateUser(session.user.tenant, id: session.user.id, totpPending: .some(secret)) }
        let url = AccountsController.otpauthURL(secret: secret, email: session.user.email)
        return Self.html(Pages.account(viewer: viewer, user: session.user, enrolment: (secret, url), notice: nil, errors: []))
    }

    @Sendable func confirmTOTP(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, session) = try await viewer(request) else { return signIn(request) }
        let f = try await form(request, session, context: context)
        let user = session.user
        guard let pending = user.totpPending, AccountsController.totpMatches(f["code"] ?? "", secret: pending, now: Date()) else {
            let enrolment = user.totpPending.map { ($0, AccountsController.otpauthURL(secret: $0, email: user.email)) }
            return Self.html(Pages.account(viewer: viewer, user: user, enrolment: enrolment, notice: nil, errors: ["That code does not match; check the phone's clock and try the next one."]),
                             status: .unprocessableContent)
        }
        try await store.write { s in
            try await s.updateUser(user.tenant, id: user.id, totpSecret: .some(pending), totpPending: .some(nil))
            try await s.appendAudit(tenant: user.tenant, actor: "user:\(user.email)", action: "user.totp_enabled", object: user.id, outcome: "ok",
                                    ip: context.clientIP(request), detail: "", at: Date())
        }
        return Self.redirect("/app/account?done=totp")
    }

    // MARK: Audit, import

    @Sendable func audit(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, _) = try await viewer(request) else { return signIn(request) }
        guard viewer.role.allows(.administer) else {
            return Self.html(Pages.layout(title: "Audit log", viewer: viewer, "<h1>Audit log</h1><p>Only owners and admins see the audit log.</p>"), status: .forbidden)
        }
        let (entries, broken) = try await store.read { s in (try await s.auditLog(tenant: viewer.tenant), try await s.brokenAuditLink()) }
        return Self.html(Pages.audit(Array(entries.suffix(300).reversed()), broken: broken, viewer: viewer))
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
        let overrides = try await store.read { try await $0.templates(viewer.tenant) }
        let composer = TemplateComposer(overrides: overrides)
        var rows: [(name: String, channel: Channel, tenant: Bool)] = []
        for name in TemplateComposer.templateNames {
            for ch in Channel.allCases where composer.template(name, channel: ch) != nil {
                rows.append((name, ch, overrides.contains { $0.name == name && $0.channel == ch }))
            }
        }
        return Self.html(Pages.templates(rows, viewer: viewer))
    }

    @Sendable func templateEditor(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, _) = try await viewer(request) else { return signIn(request) }
        let name = try context.parameters.require("name")
        guard let channel = Channel(rawValue: try context.parameters.require("channel")), TemplateComposer.templateNames.contains(name) else {
            return Self.html(Pages.layout(title: "Not found", viewer: viewer, "<h1>No such template</h1>"), status: .notFound)
        }
        let overrides = try await store.read { try await $0.templates(viewer.tenant) }
        guard let t = TemplateComposer(overrides: overrides).template(name, channel: channel) else {
            return Self.html(Pages.layout(title: "Not found", viewer: viewer, "<h1>No such template</h1>"), status: .notFound)
        }
        return Self.html(Pages.templateEditor(name: name, channel: channel, subject: t.subject, body: t.body,
                                              tenant: overrides.contains { $0.name == name && $0.channel == channel }, viewer: viewer))
    }
}

extension Optional {
    /// `map` with an async throwing transform.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
