import Foundation
import HTTPTypes
import Hummingbird
import OverdueAgents
import OverdueChannels
import OverdueCore
import OverdueUseCases

/// The templates list and editor.
extension DashboardController {
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
