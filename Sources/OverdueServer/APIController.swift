import Foundation
import HTTPTypes
import Hummingbird
import OverdueAgents
import OverdueCore
import OverdueStore

/// `/health` and the read-only JSON API over cases and the outbox.
struct APIController: Sendable {
    let store: Store
    let defaultTenant: String

    func register(on router: Router<OverdueRequestContext>) {
        router.get("/health", use: health)
        router.get("/healthz", use: live)
        router.get("/readyz", use: health)
        router.get("/api/v1/cases", use: cases)
        router.get("/api/v1/cases/:debtor", use: oneCase)
        router.get("/api/v1/outbox", use: outbox)
    }

    /// The caller's tenant: the API key's, whatever the request names.
    func tenant(_ context: OverdueRequestContext) throws -> String { try context.caller().tenant }

    /// The tenant a provider's webhook names (`?tenant=`): webhooks carry no API key, they prove
    /// themselves with the tenant's own secret.
    func namedTenant(_ request: Request) async throws -> String {
        let name = request.uri.queryParameters.get("tenant") ?? defaultTenant
        guard try await store.read({ try await $0.tenants() }).contains(name) else {
            throw Problem(type: "https://overdue.dev/problems/not-found", title: "Not found", status: 404, detail: "no tenant '\(name)'")
        }
        return name
    }

    static func json(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    struct Health: Encodable { let status: String; let version: String; let database: String }

    /// Liveness: the process answers. (Readiness, `/readyz` and `/health`, also checks the database.)
    @Sendable func live(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        Self.json(#"{"status":"ok"}"#)
    }

    @Sendable func health(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let ok = (try? await store.read { try await $0.tenants() }) != nil
        return Self.json(Listing.jsonLine(Health(status: ok ? "ok" : "degraded", version: Overdue.version, database: ok ? "ok" : "unreachable")),
                         status: ok ? .ok : .serviceUnavailable)
    }

    struct Page<T: Encodable>: Encodable { let tenant: String; let count: Int; let items: [T] }

    @Sendable func cases(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try tenant(context)
        var status: CaseStatus?
        if let s = request.uri.queryParameters.get("status") {
            guard let parsed = CaseStatus(rawValue: s) else {
                throw Problem(type: "https://overdue.dev/problems/invalid-parameter", title: "Invalid parameter", status: 400,
                              detail: "status must be one of \(CaseStatus.allCases.map(\.rawValue).joined(separator: ", ")) (got '\(s)')")
            }
            status = parsed
        }
        let records = try await store.read { try await $0.cases(tenant, status: status) }
        return Self.json(Listing.jsonLine(Page(tenant: tenant, count: records.count, items: records.map(CaseLine.init))))
    }

    struct CaseDetail: Encodable {
        let `case`: CaseLine
        let messages: [OutboxLine]
        let decisions: [DecisionLine]
    }

    struct DecisionLine: Encodable { let at: String; let action: String; let reasons: [String] }

    @Sendable func oneCase(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try tenant(context)
        let debtor = try context.parameters.require("debtor")
        let detail = try await store.read { s -> CaseDetail? in
            guard let record = try await s.caseRecord(tenant, debtor: debtor) else { return nil }
            return CaseDetail(case: CaseLine(record),
                              messages: try await s.messages(tenant, direction: nil, debtor: debtor).map(OutboxLine.init),
                              decisions: try await s.decisions(tenant, debtor: debtor).map {
                                  DecisionLine(at: Timestamp.format($0.at), action: $0.action, reasons: $0.reasons.map(\.message))
                              })
        }
        guard let detail else {
            throw Problem(type: "https://overdue.dev/problems/not-found", title: "Not found", status: 404, detail: "no case for debtor '\(debtor)'")
        }
        return Self.json(Listing.jsonLine(detail))
    }

    @Sendable func outbox(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try tenant(context)
        var messages = try await store.read { try await $0.messages(tenant, direction: .outbound, debtor: request.uri.queryParameters.get("debtor")) }
        if let ch = request.uri.queryParameters.get("channel") {
            guard let channel = Channel(rawValue: ch) else {
                throw Problem(type: "https://overdue.dev/problems/invalid-parameter", title: "Invalid parameter", status: 400,
                              detail: "channel must be email, sms or voice (got '\(ch)')")
            }
            messages = messages.filter { $0.channel == channel }
        }
        return Self.json(Listing.jsonLine(Page(tenant: tenant, count: messages.count, items: messages.map(OutboxLine.init))))
    }
}
