import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOFoundationEssentialsCompat
import OverdueAgents
import OverdueChannels
import OverdueCore
import OverdueUseCases

/// The conversation endpoints: receive a message, the inbox, approve or discard drafts, take a
/// case over or hand it back, and the private document links texted to debtors.
struct ConversationController: Sendable {
    let api: APIController

    func register(on router: Router<OverdueRequestContext>) {
        router.api(.post, "/api/v1/messages", .work, use: receive)
        router.api(.get, "/api/v1/inbox", .read, use: inbox)
        router.api(.post, "/api/v1/inbox/:id/resolve", .work, use: resolve)
        router.api(.post, "/api/v1/messages/:id/approve", .manage, use: approve)
        router.api(.post, "/api/v1/messages/:id/discard", .manage, use: discard)
        router.api(.post, "/api/v1/cases/:debtor/messages", .work, use: sendManual)
        router.api(.post, "/api/v1/cases/:debtor/takeover", .work, use: takeover)
        router.api(.post, "/api/v1/cases/:debtor/handback", .work, use: handback)
        router.api(.get, "/api/v1/disputes", .read, use: disputes)
        router.api(.get, "/api/v1/contact-proposals", .read, use: contactProposals)
        router.api(.post, "/api/v1/contact-proposals/:id/approve", .manage, use: { try await self.decideProposal($0, $1, approve: true) })
        router.api(.post, "/api/v1/contact-proposals/:id/reject", .manage, use: { try await self.decideProposal($0, $1, approve: false) })
        router.get("/d/:token", use: download)
        router.post("/webhooks/email/inbound", use: inboundEmail)
    }

    static func invalid(_ detail: String) -> Problem {
        Problem.invalidRequest(detail)
    }

    static func body<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        do { return try JSONDecoder().decode(T.self, from: Data(buffer: buffer)) } catch {
            throw invalid("the body must be JSON: \(error)")
        }
    }

    struct Inbound: Decodable { let channel: String; let from: String; let text: String; let subject: String?; let at: String?; let provider_id: String? }

    /// `POST /api/v1/messages`: an inbound message, as a provider or a person received it.
    @Sendable func receive(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        let m = try await Self.body(Inbound.self, request)
        guard let channel = Channel(rawValue: m.channel) else { throw Self.invalid("channel must be email, sms or voice (got '\(m.channel)')") }
        var at = api.clock.now()
        if let text = m.at {
            guard let parsed = Timestamp.parse(text) else { throw Self.invalid("at must be an ISO 8601 time (got '\(text)')") }
            at = parsed
        }
        do {
            let outcome = try await api.useCases.receive(
                tenant: tenant, channel: channel, from: m.from, text: m.text, subject: m.subject, providerID: m.provider_id, at: at)
            return APIController.json(Listing.jsonLine(ConversationReport(outcome)), status: outcome.isNew ? .created : .ok)
        } catch let refused as UseCaseError where refused.kind == .invalid {
            throw Self.invalid(refused.problems.map(\.message).joined(separator: "; ").replacingOccurrences(of: "--", with: ""))
        }
    }

    @Sendable func inbox(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        var q = Query(request)
        let (all, debtor) = (q.flag("all"), q.value("debtor"))
        try q.done()
        let items = try await api.useCases.inbox(tenant: tenant, includeResolved: all, debtor: debtor)
        return APIController.json(Listing.jsonLine(APIController.Page(tenant: tenant, count: items.count, items: items.map(InboxLine.init))))
    }

    @Sendable func resolve(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        guard let id = Int64(try context.parameters.require("id")) else { throw Self.invalid("the inbox item id must be a number") }
        var f = try await Fields.body(request, limit: 1 << 16)
        let note = f.string("note", required: false, maxLength: 2_000)
        try f.done()
        try await api.useCases.resolveInboxItem(tenant: tenant, id: id, note: note, by: try context.caller().actor)
        return APIController.json(#"{"status":"resolved"}"#)
    }

    @Sendable func approve(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        let id = try context.parameters.require("id")
        let sent = try await api.useCases.approveDraft(tenant: tenant, messageID: id)
        return APIController.json(Listing.jsonLine(OutboxLine(sent)))
    }

    @Sendable func discard(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        let id = try context.parameters.require("id")
        try await api.useCases.discardDraft(tenant: tenant, messageID: id)
        return APIController.json(#"{"status":"discarded"}"#)
    }

    /// `POST /api/v1/cases/{debtor}/messages` `{channel: email|sms, text, subject?, contact?}`: a
    /// person's own message, sent now if the contact rules allow (else 409 with the reasons).
    @Sendable func sendManual(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        let debtor = try context.parameters.require("debtor")
        var f = try await Fields.body(request)
        let channel = f.choice("channel", Channel.self)
        if channel == .voice { f.fail("channel", "a call is placed with `overdue call`; write by email or sms") }
        let text = f.string("text", maxLength: 10_000)
        let subject = f.string("subject", required: false, maxLength: 300)
        if subject != nil && channel == .sms { f.fail("subject", "only an email has a subject") }
        let contact = f.string("contact", required: false, maxLength: 200)
        try f.done()
        let sent = try await api.useCases.sendMessage(
            tenant: tenant, debtor: debtor, channel: channel!, text: text!, subject: subject, contactName: contact,
            by: try context.caller().actor)
        return APIController.json(Listing.jsonLine(OutboxLine(sent)), status: .created)
    }

    /// Who a takeover or handback names (`by`; an empty body or none: "an API user"). A body that
    /// is not a JSON object, or has other fields, is refused.
    func who(_ request: Request) async throws -> String {
        var f = try await Fields.body(request, limit: 1 << 16)
        let by = f.string("by", required: false)
        try f.done()
        return by ?? "an API user"
    }

    @Sendable func takeover(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        let debtor = try context.parameters.require("debtor")
        let by = try await who(request)
        try await api.useCases.takeOver(tenant: tenant, debtor: debtor, by: by)
        return APIController.json(#"{"status":"handoff"}"#)
    }

    @Sendable func handback(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        let debtor = try context.parameters.require("debtor")
        let by = try await who(request)
        try await api.useCases.handBack(tenant: tenant, debtor: debtor, by: by)
        return APIController.json(#"{"status":"active"}"#)
    }

    struct DisputeLine: Encodable {
        let id: String
        let invoice: String
        let reason: String
        let opened_at: String
        let status: String
        let resolution: String?

        init(_ d: Dispute) {
            id = d.id
            invoice = d.invoiceNumber
            reason = d.reason.rawValue
            opened_at = Timestamp.format(d.openedAt)
            status = d.status.rawValue
            resolution = d.resolution
        }
    }

    @Sendable func disputes(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        var q = Query(request)
        let all = q.flag("all")
        try q.done()
        let rows = try await api.useCases.disputes(tenant: tenant, openOnly: !all)
        let lines = rows.map(DisputeLine.init)
        return APIController.json(Listing.jsonLine(APIController.Page(tenant: tenant, count: lines.count, items: lines)))
    }

    /// `GET /api/v1/contact-proposals`: contacts replies named, waiting for a person.
    @Sendable func contactProposals(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        let lines = try await api.useCases.contactProposals(tenant: tenant).map(ContactProposalLine.init)
        return APIController.json(Listing.jsonLine(APIController.Page(tenant: tenant, count: lines.count, items: lines)))
    }

    /// `POST /api/v1/contact-proposals/{id}/approve|reject`.
    func decideProposal(_ request: Request, _ context: OverdueRequestContext, approve: Bool) async throws -> Response {
        let tenant = try api.tenant(context)
        guard let id = Int64(try context.parameters.require("id")) else { throw Self.invalid("the proposal id must be a number") }
        try await api.useCases.decideContactProposal(tenant: tenant, id: id, approve: approve, by: try context.caller().actor)
        return APIController.json(approve ? #"{"status":"approved"}"# : #"{"status":"rejected"}"#)
    }

    /// `POST /webhooks/email/inbound?tenant=T`: a raw RFC 822 message from a provider's inbound-parse
    /// webhook, authenticated by the tenant's `email.inbound_secret` (`Authorization: Bearer SECRET`).
    @Sendable func inboundEmail(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try await api.namedTenant(request)
        let given = request.headers[.authorization].map { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : $0 } ?? ""
        let buffer = try await request.body.collect(upTo: 25 << 20)
        let queued: (id: Int64, isNew: Bool)
        do {
            guard buffer.readableBytes > 0 else {
                // The secret is checked first: an empty body from a stranger learns nothing.
                try await api.useCases.checkInboundSecret(tenant: tenant, given: given)
                throw Self.invalid("the body must be the raw message (RFC 822)")
            }
            // Kept and queued: a worker reads and answers it.
            queued = try await api.useCases.queueEmail(tenant: tenant, raw: Array(buffer: buffer), secret: given)
        } catch let refused as UseCaseError where refused.kind == .forbidden {
            context.logger.warning("inbound email for \(tenant) refused: missing or wrong secret")
            throw Problem(refused)
        }
        return APIController.json(
            Listing.jsonLine(["result": queued.isNew ? "queued" : "duplicate", "id": String(queued.id)]), status: .accepted)
    }

    /// `GET /d/{token}`: the document behind a private link (the token is the secret; no tenant).
    @Sendable func download(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let token = try context.parameters.require("token")
        guard token.count >= 20 else { throw Problem.notFound("no such document") }
        let link = try await api.useCases.document(
            token: token, expires: request.uri.queryParameters.get("e").flatMap { Int64($0) }, signature: request.uri.queryParameters.get("s"))
        switch link {
        case .document(_, let document, let data): return LedgerController.file(document, data)
        case .expired: throw Problem("link-expired", "Link expired", 410, "this document link has expired: reply to the message to have it sent again")
        case .unknown: throw Problem.notFound("no such document")
        }
    }
}
