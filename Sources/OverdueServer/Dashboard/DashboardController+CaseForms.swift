import Foundation
import HTTPTypes
import Hummingbird
import OverdueAgents
import OverdueChannels
import OverdueCore
import OverdueUseCases

/// The forms on a case page and in the inbox: each calls one use case and lands back with a message.
extension DashboardController {
    func act(
        _ request: Request, _ context: OverdueRequestContext, needs permission: Permission,
        _ body: (Pages.Viewer, [String: String], String) async throws -> Void
    ) async throws -> Response {
        try await act(
            request, context, needs: permission, then: { "/app/cases/\($0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? $0)" }, body)
    }

    @Sendable func sendMessage(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        try await act(request, context, needs: .work) { viewer, f, debtor in
            guard let channel = f["channel"].flatMap(Channel.init(rawValue:)), channel != .voice, let text = f["text"], !text.isEmpty else {
                throw Problem.badRequest("choose email or sms and write a message")
            }
            try await api.useCases.sendMessage(
                tenant: viewer.tenant, debtor: debtor, channel: channel, text: text, subject: nil, contactName: nil,
                by: "user:\(viewer.email)")
        }
    }

    @Sendable func hold(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        try await act(request, context, needs: .work) { viewer, f, debtor in
            guard let reason = f["reason"], !reason.isEmpty, let until = f["until"].flatMap(LocalDate.parse) else {
                throw Problem.badRequest("give a reason and an end date")
            }
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
            try await api.useCases.recordPromise(
                tenant: viewer.tenant, debtor: debtor, date: Self.date(f["date"]),
                amount: try await amount(f["amount"], tenant: viewer.tenant, debtor: debtor, required: false),
                channel: f["channel"].flatMap(Channel.init(rawValue:)) ?? .voice, by: viewer.email)
        }
    }

    @Sendable func recordPayment(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        try await act(request, context, needs: .work) { viewer, f, debtor in
            try await api.useCases.recordPayment(
                tenant: viewer.tenant, debtor: debtor,
                amount: try await amount(f["amount"], tenant: viewer.tenant, debtor: debtor, required: true),
                date: Self.date(f["date"]), reference: Self.optional(f["reference"]), invoice: Self.optional(f["invoice"]),
                by: viewer.email)
        }
    }

    @Sendable func openDispute(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        try await act(request, context, needs: .work) { viewer, f, debtor in
            try await api.useCases.openDispute(
                tenant: viewer.tenant, debtor: debtor, invoice: f["invoice"] ?? "",
                reason: f["reason"].flatMap(DisputeReason.init(rawValue:)), note: f["note"], by: viewer.email)
        }
    }

    @Sendable func resolveDispute(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        try await act(request, context, needs: .work) { viewer, f, debtor in
            try await api.useCases.resolveDispute(
                tenant: viewer.tenant, id: try context.parameters.require("id"), resolution: f["resolution"] ?? "",
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

    /// Adds or turns down a contact a reply named (issue 20, finding 1: a person decides).
    @Sendable func decideProposal(_ request: Request, context: OverdueRequestContext, approve: Bool) async throws -> Response {
        try await act(request, context, needs: .manage, then: { _ in "/app/inbox" }) { viewer, _, raw in
            guard let id = Int64(raw) else { throw Problem.notFound("no contact proposal '\(raw)'") }
            try await api.useCases.decideContactProposal(tenant: viewer.tenant, id: id, approve: approve, by: "user:\(viewer.email)")
        }
    }

    @Sendable func discard(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        try await act(request, context, needs: .manage, then: { _ in "/app/inbox" }) { viewer, _, id in
            try await api.useCases.discardDraft(tenant: viewer.tenant, messageID: id)
        }
    }
}
