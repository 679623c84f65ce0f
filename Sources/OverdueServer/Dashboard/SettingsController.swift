import Foundation
import HTTPTypes
import Hummingbird
import OverdueCore
import OverdueUseCases

/// Settings pages: the tenant's settings (everyone reads, managers change), and for owners and
/// admins its users, API keys and webhook subscriptions — through the same operations as the API.
extension DashboardController {
    func registerSettings(on router: Router<OverdueRequestContext>) {
        router.get("/app/settings", use: settingsPage)
        router.post("/app/settings", use: saveSettings)
        router.get("/app/settings/users", use: usersPage)
        router.post("/app/settings/users", use: addUser)
        router.post("/app/settings/users/:id", use: changeUser)
        router.get("/app/settings/keys", use: keysPage)
        router.post("/app/settings/keys", use: makeKey)
        router.post("/app/settings/keys/:prefix/revoke", use: revokeKey)
        router.get("/app/settings/webhooks", use: webhooksPage)
        router.post("/app/settings/webhooks", use: subscribe)
        router.post("/app/settings/webhooks/:id/disable", use: unsubscribe)
    }

    /// The caller as the API's operations see it.
    static func principal(_ viewer: Pages.Viewer, _ session: UserSession) -> Principal {
        Principal(tenant: viewer.tenant, role: viewer.role, actor: "user:\(viewer.email)", userID: session.user.id)
    }

    /// An owner or admin looking at an admin page — or the response for anyone else.
    enum Admin {
        case allowed(Pages.Viewer, UserSession)
        case refused(Response)

        /// The answer for someone who may not see the page (nil when allowed).
        var refusal: Response? { if case .refused(let r) = self { r } else { nil } }
    }

    func administrator(_ request: Request) async throws -> Admin {
        guard let (viewer, session) = try await viewer(request) else { return .refused(signIn(request)) }
        guard viewer.role.allows(.administer) else {
            return .refused(
                Self.html(
                    Pages.layout(
                        title: "Settings", viewer: viewer,
                        "<h1>Not for your role</h1><p>Only owners and admins manage users, keys and webhooks.</p>"), status: .forbidden))
        }
        return .allowed(viewer, session)
    }

    // MARK: Settings

    @Sendable func settingsPage(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, _) = try await viewer(request) else { return signIn(request) }
        let settings = try await api.useCases.settings(tenant: viewer.tenant)
        return Self.page(request) { Pages.settings(settings, viewer: viewer, flash: $0) }
    }

    /// The changes a settings form asks of `settings`: an empty field resets a key to its default,
    /// an empty secret keeps it (its "remove" box clears it); unchanged fields are left out.
    static func changes(_ fields: [String: String], from settings: TenantSettings) -> [(key: String, value: String?)] {
        var pending: [(key: String, value: String?)] = []
        for key in TenantSettings.definitions.keys.sorted() {
            let def = TenantSettings.definitions[key]!
            let posted = fields[key]?.trimmingCharacters(in: .whitespacesAndNewlines)
            if def.secret {
                if fields["clear.\(key)"] == "on" { pending.append((key, nil)) } else if let v = posted, !v.isEmpty { pending.append((key, v)) }
                continue
            }
            guard let posted else { continue }
            let value: String? = posted.isEmpty ? nil : posted
            if value == settings.values[key] { continue }
            pending.append((key, value))
        }
        return pending
    }

    @Sendable func saveSettings(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, session) = try await viewer(request) else { return signIn(request) }
        let fields = try await form(request, session, context: context)
        guard viewer.role.allows(.manage) else {
            return try await perform(request, context, viewer: viewer, fields: fields, needs: .manage, back: "/app/settings") { _, _, _ in }
        }
        let current = try await api.useCases.settings(tenant: viewer.tenant)
        let changes = Self.changes(fields, from: current)
        do {
            try await api.useCases.changeSettings(tenant: viewer.tenant, changes, by: "user:\(viewer.email)", ip: context.clientIP(request))
        } catch let refused as UseCaseError where refused.kind == .invalid {
            // Nothing was written: the bad fields come back on the form with the others as typed.
            let typed = fields.filter { k, _ in TenantSettings.definitions[k].map { !$0.secret } ?? false }
            let errors = Dictionary(refused.problems.map { ($0.field, $0.message) }, uniquingKeysWith: { a, b in a + "; " + b })
            return Self.html(Pages.settings(current, typed: typed, errors: errors, viewer: viewer, flash: nil), status: .unprocessableContent)
        }
        // Done: audited and redirected like every form.
        return try await perform(request, context, viewer: viewer, fields: fields, needs: .manage, back: "/app/settings") { _, _, _ in }
    }

    // MARK: Users

    @Sendable func usersPage(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let admin = try await administrator(request)
        guard case .allowed(let viewer, let session) = admin else { return admin.refusal ?? signIn(request) }
        let users = try await api.useCases.users(tenant: viewer.tenant)
        return Self.page(request) { Pages.users(users, self: session.user.id, viewer: viewer, flash: $0) }
    }

    /// Runs an account operation for an admin; its field problems come back as the page's message.
    func adminAct(
        _ request: Request, _ context: OverdueRequestContext, back: String,
        _ body: (Pages.Viewer, UserSession, [String: String]) async throws -> Void
    ) async throws -> Response {
        guard let (viewer, session) = try await viewer(request) else { return signIn(request) }
        let fields = try await form(request, session, context: context)
        return try await perform(request, context, viewer: viewer, fields: fields, needs: .administer, back: back) { viewer, fields, _ in
            do { try await body(viewer, session, fields) } catch let problem as Problem where problem.status == 422 {
                throw Problem(type: problem.type, title: problem.title, status: 422, detail: Self.sentences(problem, labels: [:]).joined(separator: " "))
            }
        }
    }

    @Sendable func addUser(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        try await adminAct(request, context, back: "/app/settings/users") { viewer, session, fields in
            var f = AccountsController.fields(form: fields)
            _ = try await accounts.createUser(&f, caller: Self.principal(viewer, session), ip: context.clientIP(request))
        }
    }

    @Sendable func changeUser(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        try await adminAct(request, context, back: "/app/settings/users") { viewer, session, fields in
            let id = try context.parameters.require("id")
            let user = try await api.useCases.requireUser(tenant: viewer.tenant, id: id)
            var f = AccountsController.fields(form: fields, booleans: ["disabled"])
            try await accounts.updateUser(&f, user: user, caller: Self.principal(viewer, session), ip: context.clientIP(request))
        }
    }

    // MARK: API keys

    @Sendable func keysPage(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let admin = try await administrator(request)
        guard case .allowed(let viewer, _) = admin else { return admin.refusal ?? signIn(request) }
        let keys = try await api.useCases.apiKeys(tenant: viewer.tenant)
        return Self.page(request) { Pages.keys(keys, made: nil, viewer: viewer, flash: $0) }
    }

    /// The new key is shown in this answer only (never in a redirect, a cookie or a log).
    @Sendable func makeKey(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, session) = try await viewer(request) else { return signIn(request) }
        let fields = try await form(request, session, context: context)
        var made: (key: String, record: APIKey)?
        let response = try await perform(request, context, viewer: viewer, fields: fields, needs: .administer, back: "/app/settings/keys") {
            viewer, fields, _ in
            var f = AccountsController.fields(form: fields)
            do { made = try await accounts.createKey(&f, caller: Self.principal(viewer, session)) } catch let problem as Problem where problem.status == 422 {
                throw Problem(type: problem.type, title: problem.title, status: 422, detail: Self.sentences(problem, labels: [:]).joined(separator: " "))
            }
        }
        guard let made else { return response }
        let keys = try await api.useCases.apiKeys(tenant: viewer.tenant)
        return Self.html(Pages.keys(keys, made: (made.key, made.record.name), viewer: viewer, flash: nil), status: .created)
    }

    @Sendable func revokeKey(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        try await adminAct(request, context, back: "/app/settings/keys") { viewer, _, _ in
            let prefix = try context.parameters.require("prefix")
            try await api.useCases.revokeAPIKey(
                tenant: viewer.tenant, prefix: prefix, by: "user:\(viewer.email)", revoker: viewer.role, ip: context.clientIP(request))
        }
    }

    // MARK: Webhooks

    func webhookRows(_ tenant: String) async throws -> [(sub: WebhookSubscription, counts: [String: Int])] {
        try await api.useCases.webhookSubscriptionsWithCounts(tenant: tenant)
    }

    @Sendable func webhooksPage(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let admin = try await administrator(request)
        guard case .allowed(let viewer, _) = admin else { return admin.refusal ?? signIn(request) }
        let rows = try await webhookRows(viewer.tenant)
        return Self.page(request) { Pages.webhooks(rows, made: nil, errors: [], typedURL: "", viewer: viewer, flash: $0) }
    }

    /// The signing secret is shown in this answer only; a refused form comes back as typed.
    @Sendable func subscribe(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, session) = try await viewer(request) else { return signIn(request) }
        let fields = try await form(request, session, context: context)
        var made: WebhookSubscription?
        var errors: [String] = []
        let response = try await perform(request, context, viewer: viewer, fields: fields, needs: .administer, back: "/app/settings/webhooks") {
            viewer, fields, _ in
            let events = EventType.allCases.map(\.rawValue).filter { fields["event.\($0)"] == "on" }
            var object: [String: JSONValue] = ["url": .string(fields["url"] ?? ""), "events": .array(events.map { .string($0) })]
            if let d = fields["description"], !d.isEmpty { object["description"] = .string(d) }
            var f = Fields(object)
            do { made = try await webhooks.subscribe(&f, tenant: viewer.tenant, by: "user:\(viewer.email)", ip: context.clientIP(request)) } catch let problem
                as Problem where problem.status == 422
            {
                errors = Self.sentences(problem, labels: ["url": "URL", "events": "Events"])
            }
        }
        guard made != nil || !errors.isEmpty else { return response }
        return Self.html(
            Pages.webhooks(
                try await webhookRows(viewer.tenant), made: made, errors: errors, typedURL: made == nil ? fields["url"] ?? "" : "",
                viewer: viewer, flash: nil), status: made == nil ? .unprocessableContent : .created)
    }

    @Sendable func unsubscribe(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        try await adminAct(request, context, back: "/app/settings/webhooks") { viewer, _, _ in
            let id = try context.parameters.require("id")
            try await api.useCases.unsubscribeWebhook(tenant: viewer.tenant, id: id, by: "user:\(viewer.email)", ip: context.clientIP(request))
        }
    }
}
