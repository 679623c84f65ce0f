import Foundation
import HTTPTypes
import Hummingbird
import OverdueAgents
import OverdueChannels
import OverdueCore
import OverdueUseCases

/// The pages a person reads: overview, worklist, a case, the inbox, the audit log, import.
extension DashboardController {
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
        guard let data else {
            return Self.html(Pages.layout(title: "Not found", viewer: viewer, "<h1>No such case</h1><p>There is no case for \(debtor).</p>"), status: .notFound)
        }
        return Self.page(request) { Pages.casePage(data, viewer: viewer, flash: $0) }
    }

    @Sendable func inbox(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, _) = try await viewer(request) else { return signIn(request) }
        let tenant = viewer.tenant
        let page = max(1, Int(request.uri.queryParameters.get("page") ?? "") ?? 1)
        let (rows, total) = try await api.useCases.inboxPage(tenant: tenant, page: page, pageSize: Pages.inboxPageSize)
        let proposals = try await api.useCases.contactProposalsNamed(tenant: tenant)
        return Self.page(request) { Pages.inbox(rows, total: total, page: page, proposals: proposals, viewer: viewer, flash: $0) }
    }

    @Sendable func audit(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, _) = try await viewer(request) else { return signIn(request) }
        guard viewer.role.allows(.administer) else {
            return Self.html(
                Pages.layout(title: "Audit log", viewer: viewer, "<h1>Audit log</h1><p>Only owners and admins see the audit log.</p>"), status: .forbidden)
        }
        let (entries, altered) = try await api.useCases.latestAudit(tenant: viewer.tenant, limit: 300)
        return Self.html(Pages.audit(entries, broken: altered, viewer: viewer))
    }

    @Sendable func importPage(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, _) = try await viewer(request) else { return signIn(request) }
        return Self.html(Pages.importPage(viewer: viewer))
    }
}
