import Foundation
import OverdueAgents
import OverdueCore
import OverdueStore

/// A tenant's own wording: a template overridden or reset, from the API
/// (`PUT|DELETE /api/v1/templates/{name}/{channel}`) and `overdue templates set|reset`.
extension UseCases {
    /// Overrides template `name` on `channel` with `body` (and, for email, `subject`; the built-in
    /// subject when nil). Refused — nothing written — when there is no such template (`notFound`),
    /// the Mustache does not parse, a subject is given for a text or call, or an email template has
    /// no subject at all (`invalid`, naming `body` or `subject`). Returns what was saved.
    @discardableResult
    public func setTemplate(tenant: String, name: String, channel: Channel, subject: String?, body: String, at: Date? = nil) async throws -> TemplateOverride {
        try Self.checkTemplateName(name)
        let t = try Self.templateDraft(name: name, channel: channel, subject: subject, body: body)
        let now = at ?? clock.now()
        try await store.write { try await $0.saveTemplate(tenant, t, now: now) }
        return t
    }

    /// A template override as written, checked (see `setTemplate`) but not saved: what a preview renders.
    public static func templateDraft(name: String, channel: Channel, subject: String?, body: String) throws(UseCaseError) -> TemplateOverride {
        var problems: [Problem] = []
        do { try TemplateComposer.validate(body, what: "body") } catch { problems.append(Problem("body", error.description)) }
        if let subject {
            do { try TemplateComposer.validate(subject, what: "subject") } catch { problems.append(Problem("subject", error.description)) }
            if channel != .email { problems.append(Problem("subject", "only email templates have a subject")) }
        }
        let builtInSubject = TemplateComposer().template(name, channel: .email)?.subject
        if channel == .email && subject == nil && builtInSubject == nil { problems.append(Problem("subject", "is required for an email template")) }
        guard problems.isEmpty else { throw UseCaseError(.invalid, problems) }
        return TemplateOverride(name: name, channel: channel, subject: channel == .email ? (subject ?? builtInSubject) : nil, body: body)
    }

    /// Drops the tenant's override of `name` on `channel`: the built-in template applies again.
    /// Returns whether there was one.
    @discardableResult
    public func resetTemplate(tenant: String, name: String, channel: Channel) async throws -> Bool {
        try Self.checkTemplateName(name)
        return try await store.write { try await $0.deleteTemplate(tenant, name: name, channel: channel) }
    }

    static func checkTemplateName(_ name: String) throws(UseCaseError) {
        guard TemplateComposer.templateNames.contains(name) else {
            throw UseCaseError.notFound("name", "'\(name)' is not a template; templates: \(TemplateComposer.templateNames.joined(separator: ", "))")
        }
    }
}

private typealias Problem = UseCaseError.Problem

/// The templates as the doors list them (the API, the templates page, `overdue templates list|show`).
extension UseCases {
    /// A template a tenant can send, and whether it wrote its own.
    public struct TemplateEntry: Sendable, Hashable {
        /// The template's name (`reminder_1`, `pod_reply`…).
        public var name: String
        /// Its channel.
        public var channel: Channel
        /// True when the tenant overrides the built-in one.
        public var overridden: Bool
    }

    /// Every template by name and channel, with whether the tenant overrides it.
    public func templates(tenant: String) async throws -> [TemplateEntry] {
        let overrides = try await templateOverrides(tenant: tenant)
        let composer = TemplateComposer(overrides: overrides)
        var out: [TemplateEntry] = []
        for name in TemplateComposer.templateNames {
            for ch in Channel.allCases where composer.template(name, channel: ch) != nil {
                out.append(TemplateEntry(name: name, channel: ch, overridden: overrides.contains { $0.name == name && $0.channel == ch }))
            }
        }
        return out
    }

    /// Template `name` on `channel` as the tenant sends it, and whether it is the tenant's own
    /// (nil: there is no such template on that channel).
    public func template(tenant: String, name: String, channel: Channel) async throws -> (template: TemplateComposer.Template, overridden: Bool)? {
        let overrides = try await templateOverrides(tenant: tenant)
        guard let t = TemplateComposer(overrides: overrides).template(name, channel: channel) else { return nil }
        return (t, overrides.contains { $0.name == name && $0.channel == channel })
    }
}

extension UseCases {
    /// Renders template `name` on `channel` — the tenant's, or `draft` when given — for
    /// `debtor`'s open invoices (a sample debtor when nil), as it would be sent now. Refused
    /// (`invalid`, field `template`) when it does not render: an unknown debtor, a Mustache error.
    public func previewTemplate(tenant: String, name: String, channel: Channel, debtor: String?, draft: TemplateOverride? = nil) async throws -> ComposedMessage
    {
        do {
            return try await TemplatePreview.render(store: store, tenant: tenant, name: name, channel: channel, debtor: debtor, draft: draft, now: clock.now())
        } catch let e as TemplatePreview.Failure {
            throw UseCaseError.invalid("template", e.description)
        }
    }
}
