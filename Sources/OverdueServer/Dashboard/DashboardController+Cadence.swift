import Foundation
import HTTPTypes
import Hummingbird
import OverdueAgents
import OverdueChannels
import OverdueCore
import OverdueUseCases

/// The cadence editor: preview for anyone, save for managers.
extension DashboardController {
    func cadencePage(
        _ request: Request, viewer: Pages.Viewer, form: Pages.CadenceForm, policy: Policy?, errors: [String], previewing: Bool,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let settings = try await api.useCases.settings(tenant: viewer.tenant)
        let zone = settings.timeZone
        let today = LocalDate(api.clock.now(), in: zone)
        let steps =
            policy.map {
                CadencePreview.run(
                    policy: $0, settings: settings, facts: CadencePreview.sampleFacts(settings: settings, due: today),
                    from: today.at(in: zone), dueDay: today)
            } ?? []
        return Self.page(request, status: status) {
            Pages.cadence(form, errors: errors, steps: steps, zone: zone, previewing: previewing, viewer: viewer, flash: $0)
        }
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
            return try await cadencePage(
                request, viewer: viewer, form: form, policy: nil, errors: error.problems, previewing: true, status: .unprocessableContent)
        }
        guard fields["intent"] == "save" else {
            return try await cadencePage(request, viewer: viewer, form: form, policy: policy, errors: [], previewing: true)
        }
        return try await perform(request, context, viewer: viewer, fields: fields, needs: .manage, back: "/app/cadence") { viewer, _, _ in
            try await api.useCases.changePolicy(
                tenant: viewer.tenant, policy, by: "user:\(viewer.email)", source: "cadence page", ip: context.clientIP(request))
        }
    }
}
