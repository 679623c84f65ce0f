import Foundation
import HTTPTypes
import Hummingbird
import OverdueAgents
import OverdueCore
import OverdueUseCases

/// `/health` and the read-only JSON API over cases and the outbox.
struct APIController: Sendable {
    let defaultTenant: String
    /// The application layer every controller calls for its use cases.
    let useCases: UseCases

    /// Where the doors take "now" from: the application layer's clock.
    var clock: any Clock { useCases.clock }

    func register(on router: Router<OverdueRequestContext>) {
        router.get("/health", use: health)
        router.get("/healthz", use: live)
        router.get("/readyz", use: health)
        router.api(.get, "/api/v1/cases", .read, use: cases)
        router.api(.get, "/api/v1/cases/:debtor", .read, use: oneCase)
        router.api(.get, "/api/v1/outbox", .read, use: outbox)
        router.get("/api/v1/openapi.json", use: { _, _ in Self.json(OpenAPIDocument.json) })
    }

    /// The caller's tenant: the API key's, whatever the request names.
    func tenant(_ context: OverdueRequestContext) throws -> String { try context.caller().tenant }

    /// The tenant a provider's webhook names (`?tenant=`): webhooks carry no API key, they prove
    /// themselves with the tenant's own secret.
    func namedTenant(_ request: Request) async throws -> String {
        let name = request.uri.queryParameters.get("tenant") ?? defaultTenant
        guard try await useCases.tenantExists(name) else {
            throw Problem.notFound("no tenant '\(name)'")
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
        let ok = await useCases.databaseAnswers()
        return Self.json(
            Listing.jsonLine(Health(status: ok ? "ok" : "degraded", version: Overdue.version, database: ok ? "ok" : "unreachable")),
            status: ok ? .ok : .serviceUnavailable)
    }

    struct Page<T: Encodable>: Encodable { let tenant: String; let count: Int; let items: [T] }

    /// Aging buckets by days past due of the oldest open invoice.
    enum Aging: String, CaseIterable {
        case current, d1_30 = "1-30", d31_60 = "31-60", d61_90 = "61-90", d90plus = "90+"

        /// Oldest due date range for `today`.
        func range(today: LocalDate) -> (from: LocalDate?, to: LocalDate?) {
            switch self {
            case .current: return (today, nil)
            case .d1_30: return (today.adding(days: -30), today.adding(days: -1))
            case .d31_60: return (today.adding(days: -60), today.adding(days: -31))
            case .d61_90: return (today.adding(days: -90), today.adding(days: -61))
            case .d90plus: return (nil, today.adding(days: -91))
            }
        }
    }

    struct CasePage: Encodable {
        let tenant: String
        let count: Int
        let items: [CaseLine]
        let next_cursor: String?
    }

    /// `GET /api/v1/cases`: filter by `status` (comma list), `aging` (current, 1-30, 31-60, 61-90,
    /// 90+), `min_balance`/`max_balance` (minor units), `currency`, `channel` (of the next action), `q`
    /// (debtor name or id); `sort` by debtor, balance, oldest_due, next_action_at or updated_at
    /// (`-` for descending); `limit` and `cursor` page.
    @Sendable func cases(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try tenant(context)
        var q = Query(request)
        var query = CaseQuery()
        query.statuses = q.choices("status", CaseStatus.self)
        let aging = q.choice("aging", Aging.self)
        query.minBalance = q.integer("min_balance", range: 0...Int64.max)
        query.maxBalance = q.integer("max_balance", range: 0...Int64.max)
        if let c = q.value("currency") {
            if let cur = Currency(c.uppercased()) { query.currency = cur } else { q.fail("currency", "is not an ISO 4217 code (got '\(c)')") }
        }
        query.channel = q.choice("channel", Channel.self)
        query.search = q.value("q")
        if let sort = q.value("sort") {
            if let parsed = CaseQuery.Sort(sort) {
                query.sort = parsed
            } else {
                q.fail("sort", "must be one of \(CaseQuery.Field.allCases.map(\.rawValue).joined(separator: ", ")), with - for descending (got '\(sort)')")
            }
        }
        if let min = query.minBalance, let max = query.maxBalance, min > max { q.fail("min_balance", "is larger than max_balance") }
        let limit = q.limit()
        let cursor = q.cursor()
        try q.done()
        if let aging {
            (query.dueOnOrAfter, query.dueOnOrBefore) = aging.range(today: try await useCases.today(tenant: tenant))
        }
        let records = try await useCases.cases(tenant: tenant, query: query, after: cursor.map { ($0.key, $0.id) }, limit: limit + 1)
        let shown = Array(records.prefix(limit))
        let next = records.count > limit ? shown.last.map { Cursor(key: query.key(of: $0), id: $0.debtorID).token } : nil
        return Self.json(Listing.jsonLine(CasePage(tenant: tenant, count: shown.count, items: shown.map(CaseLine.init), next_cursor: next)))
    }

    /// A case and its whole timeline.
    struct CaseDetail: Encodable {
        let `case`: CaseLine
        let messages: [OutboxLine]
        let decisions: [DecisionLine]
        let promises: [LedgerController.PromiseLine]
        let disputes: [ConversationController.DisputeLine]
        let holds: [LedgerController.HoldLine]
        let payments: [LedgerController.PaymentLine]
    }

    struct DecisionLine: Encodable { let at: String; let action: String; let reasons: [String] }

    @Sendable func oneCase(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try tenant(context)
        let debtor = try context.parameters.require("debtor")
        guard let file = try await useCases.caseFile(tenant: tenant, debtor: debtor) else {
            throw Problem.notFound("no case for debtor '\(debtor)'")
        }
        let detail = CaseDetail(
            case: CaseLine(file.record), messages: file.messages.map(OutboxLine.init),
            decisions: file.decisions.map { DecisionLine(at: Timestamp.format($0.at), action: $0.action, reasons: $0.reasons.map(\.message)) },
            promises: file.promises.map(LedgerController.PromiseLine.init),
            disputes: file.disputes.map(ConversationController.DisputeLine.init),
            holds: file.holds.map(LedgerController.HoldLine.init), payments: file.payments.map(LedgerController.PaymentLine.init))
        return Self.json(Listing.jsonLine(detail))
    }

    struct MessagePage: Encodable {
        let tenant: String
        let count: Int
        let items: [OutboxLine]
        let next_cursor: String?
    }

    /// `GET /api/v1/outbox[?debtor=&channel=&limit=&cursor=]`: outbound messages in time order.
    @Sendable func outbox(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try tenant(context)
        var q = Query(request)
        let channel = q.choice("channel", Channel.self)
        let debtor = q.value("debtor")
        let limit = q.limit()
        let cursor = q.cursor()
        try q.done()
        let rows = try await useCases.messages(
            tenant: tenant, direction: .outbound, debtor: debtor, channel: channel, after: cursor.map { ($0.key, $0.id) },
            limit: limit + 1)
        let shown = Array(rows.prefix(limit))
        let next = rows.count > limit ? shown.last.map { Cursor(key: Timestamp.format($0.at), id: $0.id).token } : nil
        return Self.json(Listing.jsonLine(MessagePage(tenant: tenant, count: shown.count, items: shown.map(OutboxLine.init), next_cursor: next)))
    }
}
