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
