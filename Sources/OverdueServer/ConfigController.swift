import Foundation
import HTTPTypes
import Hummingbird
import NIOFoundationEssentialsCompat
import OverdueAgents
import OverdueChannels
import OverdueCore
import OverdueUseCases

/// The tenant's configuration over HTTP: the escalation policy, message templates (with a render
/// preview of a draft), settings (secrets masked), and the tenant itself.
struct ConfigController: Sendable {
    let api: APIController

    func register(on router: Router<OverdueRequestContext>) {
        router.api(.get, "/api/v1/tenants", .administer, use: tenants)
        router.api(.get, "/api/v1/tenants/:id", .administer, use: tenant)
        router.api(.get, "/api/v1/policy", .read, use: policy)
        router.api(.put, "/api/v1/policy", .manage, use: setPolicy)
        router.api(.get, "/api/v1/settings", .read, use: settings)
        router.api(.get, "/api/v1/templates", .read, use: templates)
        router.api(.get, "/api/v1/templates/:channel/:name", .read, use: template)
        router.api(.put, "/api/v1/templates/:channel/:name", .manage, use: setTemplate)
        router.api(.delete, "/api/v1/templates/:channel/:name", .manage, use: resetTemplate)
        router.api(.post, "/api/v1/templates/preview", .read, use: preview)
    }

    struct TenantLine: Encodable {
        let id: String
        let timezone: String
        let currency: String
        let country: String
        let policy: String
    }

    func tenantLine(_ id: String) async throws -> TenantLine {
        let (settings, policy) = try await api.useCases.configuration(tenant: id)
        return TenantLine(id: id, timezone: settings.timeZoneIdentifier, currency: settings.currency.code, country: settings.country, policy: policy.name)
    }

    /// A key or user sees its own tenant only: the list has one entry, any other id is not found.
    @Sendable func tenants(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let id = try api.tenant(context)
        return APIController.json(Listing.jsonLine(PageOf(items: [try await tenantLine(id)], next: nil)))
    }

    @Sendable func tenant(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let own = try api.tenant(context)
        let asked = try context.parameters.require("id")
        guard asked == own else { throw Problem.notFound("no tenant '\(asked)'") }
        return APIController.json(Listing.jsonLine(try await tenantLine(own)))
    }

    @Sendable func policy(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        let policy = try await api.useCases.policy(tenant: tenant)
        return APIController.json(String(decoding: policy.jsonData(), as: UTF8.self))
    }

    /// The body is a policy document (as `overdue policy set`); every case is re-planned.
    @Sendable func setPolicy(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        let body = try await request.body.collect(upTo: 1 << 20)
        let policy: Policy
        do { policy = try Policy.parse(json: Data(buffer: body)) } catch {
            throw Problem.validation([FieldError(pointer: "", detail: error.description)])
        }
        try await api.useCases.changePolicy(tenant: tenant, policy, by: try context.caller().actor, source: "PUT /api/v1/policy", ip: context.clientIP(request))
        return APIController.json(String(decoding: policy.jsonData(), as: UTF8.self))
    }

    struct SettingLine: Encodable { let key: String; let value: String?; let secret: Bool; let help: String }

    /// Every setting; secrets show only whether they are set.
    @Sendable func settings(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        let settings = try await api.useCases.settings(tenant: tenant)
        let lines = TenantSettings.definitions.keys.sorted().map { key -> SettingLine in
            let def = TenantSettings.definitions[key]!
            let value = settings.value(key)
            return SettingLine(key: key, value: def.secret ? value.map { _ in "********" } : value, secret: def.secret, help: def.help)
        }
        return APIController.json(Listing.jsonLine(PageOf(items: lines, next: nil)))
    }

    struct TemplateLine: Encodable {
        let name: String
        let channel: String
        let source: String
        let subject: String?
        let body: String?
    }

    @Sendable func templates(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        let lines = try await api.useCases.templates(tenant: tenant).map {
            TemplateLine(name: $0.name, channel: $0.channel.rawValue, source: $0.overridden ? "tenant" : "built-in", subject: nil, body: nil)
        }
        return APIController.json(Listing.jsonLine(PageOf(items: lines, next: nil)))
    }

    func target(_ context: OverdueRequestContext) throws -> (String, Channel) {
        let name = try context.parameters.require("name")
        let raw = try context.parameters.require("channel")
        guard let ch = Channel(rawValue: raw) else { throw Problem.notFound("no channel '\(raw)' (email, sms or voice)") }
        guard TemplateComposer.templateNames.contains(name) else { throw Problem.notFound("no template '\(name)'") }
        return (name, ch)
    }

    @Sendable func template(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        let (name, ch) = try target(context)
        guard let (t, own) = try await api.useCases.template(tenant: tenant, name: name, channel: ch) else {
            throw Problem.notFound("\(name) has no \(ch.rawValue) template")
        }
        return APIController.json(
            Listing.jsonLine(TemplateLine(name: name, channel: ch.rawValue, source: own ? "tenant" : "built-in", subject: t.subject, body: t.body)))
    }

    /// Reads and checks `{subject?, body}` for `name` on `channel`.
    static func draft(_ f: inout Fields, name: String, channel: Channel) -> TemplateOverride? {
        let body = f.string("body", maxLength: 20_000)
        let subject = f.string("subject", required: false, maxLength: 500)
        guard let body else { return nil }
        do throws(UseCaseError) {
            return try UseCases.templateDraft(name: name, channel: channel, subject: subject, body: body)
        } catch {
            for p in error.problems { f.fail(p.field, p.message) }
            return nil
        }
    }

    @Sendable func setTemplate(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        let (name, ch) = try target(context)
        var f = try await Fields.body(request)
        let body = f.string("body", maxLength: 20_000)
        let subject = f.string("subject", required: false, maxLength: 500)
        try f.done()
        let t = try await api.useCases.setTemplate(tenant: tenant, name: name, channel: ch, subject: subject, body: body!)
        return APIController.json(Listing.jsonLine(TemplateLine(name: name, channel: ch.rawValue, source: "tenant", subject: t.subject, body: t.body)))
    }

    @Sendable func resetTemplate(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        let (name, ch) = try target(context)
        try await api.useCases.resetTemplate(tenant: tenant, name: name, channel: ch)
        return Response(status: .noContent)
    }

    struct PreviewLine: Encodable {
        let subject: String?
        let body: String
        let html: String?
        let warnings: [String]
        let sms: SMSLine?
    }

    struct SMSLine: Encodable { let characters: Int; let encoding: String; let segments: Int }

    /// `{name, channel, debtor_id?, body?, subject?}`: renders the stored template, or the draft
    /// given, for the debtor's open invoices (or a sample).
    @Sendable func preview(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        var f = try await Fields.body(request)
        let name = f.string("name", maxLength: 100)
        if let name, !TemplateComposer.templateNames.contains(name) {
            f.fail("name", "is not a template; templates: \(TemplateComposer.templateNames.joined(separator: ", "))")
        }
        let channel = f.choice("channel", Channel.self)
        let debtor = f.string("debtor_id", required: false, maxLength: 200)
        var draft: TemplateOverride?
        if f.object["body"] != nil || f.object["subject"] != nil {
            // Rendering a caller's own text is part of writing templates: a draft needs `manage`.
            let role = try context.caller().role
            guard role.allows(.manage) else { throw PermissionDenied(needed: .manage, role: role) }
            if let name, let channel { draft = Self.draft(&f, name: name, channel: channel) }
        }
        try f.done()
        let m: ComposedMessage
        do { m = try await api.useCases.previewTemplate(tenant: tenant, name: name!, channel: channel!, debtor: debtor, draft: draft) } catch let refused
            as UseCaseError
        {
            // The failure is the template's as a whole, not one field of the body.
            throw Problem.validation(refused.problems.map { FieldError(pointer: "", detail: $0.message) })
        }
        let sms = channel == .sms ? SMSText.measure(m.body) : nil
        return APIController.json(
            Listing.jsonLine(
                PreviewLine(
                    subject: m.subject, body: m.body, html: m.html, warnings: m.warnings,
                    sms: sms.map { SMSLine(characters: $0.units, encoding: $0.encoding.rawValue, segments: $0.segments) })))
    }
}
