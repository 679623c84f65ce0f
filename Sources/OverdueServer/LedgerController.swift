import Foundation
import HTTPTypes
import Hummingbird
import NIOFoundationEssentialsCompat
import OverdueAgents
import OverdueCore
import OverdueUseCases

/// The ledger over HTTP: debtors, contacts, invoices, payments (JSON bulk writes and CSV uploads,
/// both through the CLI's importer so that rows fail the same way), documents, holds, promises.
struct LedgerController: Sendable {
    let api: APIController

    func register(on router: Router<OverdueRequestContext>) {
        router.api(.get, "/api/v1/debtors", .read, use: debtors)
        router.api(.get, "/api/v1/debtors/:id", .read, use: debtor)
        router.api(.get, "/api/v1/invoices", .read, use: invoices)
        router.api(.get, "/api/v1/invoices/:number", .read, use: invoice)
        router.api(.post, "/api/v1/invoices", .work, use: { try await bulk($0, $1, kind: .invoices) })
        router.api(.post, "/api/v1/contacts", .work, use: { try await bulk($0, $1, kind: .contacts) })
        router.api(.post, "/api/v1/payments", .work, use: { try await bulk($0, $1, kind: .payments) })
        router.api(.post, "/api/v1/imports/:kind", .work, use: upload)
        router.api(.get, "/api/v1/payments", .read, use: payments)
        router.api(.get, "/api/v1/invoices/:number/documents", .read, use: invoiceDocuments)
        router.api(.post, "/api/v1/invoices/:number/documents", .work, use: addDocument)
        router.api(.get, "/api/v1/documents/:id", .read, use: downloadDocument)
        router.api(.get, "/api/v1/holds", .read, use: holds)
        router.api(.post, "/api/v1/holds", .work, use: addHold)
        router.api(.get, "/api/v1/promises", .read, use: promises)
        router.api(.post, "/api/v1/disputes/:id/resolve", .work, use: resolveDispute)
    }

    // MARK: Lines

    struct InvoiceLine: Encodable {
        let number: String
        let debtor_id: String
        let amount_minor: Int64
        let currency: String
        let issue_date: String
        let due_date: String
        let load_number: String?
        let pro_number: String?
        let bol_number: String?
        let po_number: String?
        let terms: String?
        let factored: Bool

        init(_ i: Invoice) {
            number = i.number
            debtor_id = i.debtorID
            amount_minor = i.amount.minorUnits
            currency = i.amount.currency.code
            issue_date = i.issueDate.description
            due_date = i.dueDate.description
            load_number = i.loadNumber
            pro_number = i.proNumber
            bol_number = i.bolNumber
            po_number = i.poNumber
            terms = i.terms
            factored = i.factored
        }
    }

    struct ContactLine: Encodable {
        let id: Int64
        let name: String
        let email: String?
        let phone: String?
        let role: String?
        let timezone: String
        let sms_consent: Bool
        let call_consent: Bool
        let preferred_channel: String?

        init(_ c: Contact) {
            id = c.id
            name = c.name
            email = c.email
            phone = c.phone
            role = c.role
            timezone = c.timeZone
            sms_consent = c.smsConsent
            call_consent = c.callConsent
            preferred_channel = c.preferredChannel?.rawValue
        }
    }

    /// A payment: the same shape as a `payment.recorded` event's data.
    typealias PaymentLine = PaymentPayload

    struct HoldLine: Encodable {
        let debtor_id: String
        let invoice_number: String?
        let reason: String
        let until: String

        init(debtor_id: String, invoice_number: String?, reason: String, until: String) {
            self.debtor_id = debtor_id
            self.invoice_number = invoice_number
            self.reason = reason
            self.until = until
        }

        init(_ h: Hold) {
            self.init(debtor_id: h.debtorID, invoice_number: h.invoiceNumber, reason: h.reason, until: Timestamp.format(h.until))
        }
    }

    struct PromiseLine: Encodable {
        let id: String
        let kind: String
        let date: String
        let amount_minor: Int64
        let currency: String
        let channel: String
        let status: String
        let made_at: String
        let review_at: String
        let invoice_numbers: [String]

        init(_ c: Commitment) {
            id = c.id
            kind = c.kind.rawValue
            date = c.date.description
            amount_minor = c.target.minorUnits
            currency = c.target.currency.code
            channel = c.channel.rawValue
            status = c.status.rawValue
            made_at = Timestamp.format(c.madeAt)
            review_at = Timestamp.format(c.reviewAt)
            invoice_numbers = c.invoiceNumbers
        }
    }

    struct DocumentLine: Encodable {
        let id: String
        let invoice_number: String
        let kind: String
        let filename: String
        let content_type: String
        let size: Int64
        let sha256: String
    }

    struct DebtorLine: Encodable { let id: String; let name: String }

    // MARK: Debtors and invoices

    @Sendable func debtors(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        var q = Query(request)
        let limit = q.limit()
        let cursor = q.cursor()
        let search = q.value("q")
        try q.done()
        let rows = try await api.useCases.debtors(tenant: tenant, after: cursor?.id, search: search, limit: limit + 1)
        return APIController.json(Listing.jsonLine(PageOf(rows.map { DebtorLine(id: $0.id, name: $0.name) }, limit: limit) { Cursor(key: "", id: $0.id) }))
    }

    struct DebtorDetail: Encodable {
        let id: String
        let name: String
        let contacts: [ContactLine]
        let invoices: [InvoiceLine]
        let payments: [PaymentLine]
    }

    @Sendable func debtor(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        let id = try context.parameters.require("id")
        guard let file = try await api.useCases.debtorFile(tenant: tenant, id: id) else { throw Problem.notFound("no debtor '\(id)'") }
        return APIController.json(
            Listing.jsonLine(
                DebtorDetail(
                    id: file.debtor.id, name: file.debtor.name, contacts: file.contacts.map(ContactLine.init),
                    invoices: file.invoices.map(InvoiceLine.init), payments: file.payments.map(PaymentLine.init))))
    }

    /// `GET /api/v1/invoices`: `debtor`, `due_from`/`due_to` (dates), `limit`, `cursor`; by number.
    @Sendable func invoices(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        var q = Query(request)
        let limit = q.limit()
        let cursor = q.cursor()
        let debtor = q.value("debtor")
        var from: LocalDate?, to: LocalDate?
        if let s = q.value("due_from") { if let d = LocalDate.parse(s) { from = d } else { q.fail("due_from", "must be a date YYYY-MM-DD (got '\(s)')") } }
        if let s = q.value("due_to") { if let d = LocalDate.parse(s) { to = d } else { q.fail("due_to", "must be a date YYYY-MM-DD (got '\(s)')") } }
        try q.done()
        let rows = try await api.useCases.invoices(tenant: tenant, debtor: debtor, dueFrom: from, dueTo: to, after: cursor?.id, limit: limit + 1)
        return APIController.json(Listing.jsonLine(PageOf(rows.map(InvoiceLine.init), limit: limit) { Cursor(key: "", id: $0.number) }))
    }

    @Sendable func invoice(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        let number = try context.parameters.require("number")
        guard let found = try await api.useCases.invoice(tenant: tenant, number: number) else { throw Problem.notFound("no invoice '\(number)'") }
        return APIController.json(Listing.jsonLine(InvoiceLine(found)))
    }

    // MARK: Writes through the importer

    struct ImportResult: Encodable {
        let rows_read: Int
        let rows_written: Int
        let debtors_replanned: Int
        let unknown_columns: [String]
        let skipped: [FieldError]
        let moved_invoices: [String]
    }

    /// `POST /api/v1/{invoices,contacts,payments}` `{"items": [...]}`: creates or updates up to 10,000
    /// rows; the fields are the CSV columns, with money as `amount_minor` + `currency`. A bad item
    /// rejects the whole request (422 naming every bad field as `/items/N/field`) unless
    /// `?skip_invalid=true`.
    func bulk(_ request: Request, _ context: OverdueRequestContext, kind: ImportKind) async throws -> Response {
        let tenant = try api.tenant(context)
        var q = Query(request)
        let skip = q.flag("skip_invalid")
        try q.done()
        var f = try await Fields.body(request, limit: 32 << 20)
        let items = f.objects("items") ?? []
        if items.isEmpty && f.errors.isEmpty { f.fail("items", "must hold at least one item") }
        try f.done()
        let columns = kind.requiredColumns + kind.optionalColumns
        var header = Set<String>()
        var rows: [[String: String]] = []
        var shapeErrors: [FieldError] = []
        for item in items {
            var row: [String: String] = [:]
            for (key, value) in item.object {
                let column = key == "amount_minor" ? "amount" : key
                guard columns.contains(column), key != "amount" else {
                    shapeErrors.append(
                        FieldError(
                            pointer: "\(item.pointer)/\(key)",
                            detail: key == "amount" ? "send amount_minor (integer minor units) and currency" : "is not a known field"))
                    continue
                }
                switch value {
                case .string(let s): row[column] = s
                case .integer(let i) where key == "amount_minor":
                    let digits =
                        (item.object["currency"].flatMap {
                            if case .string(let c) = $0 { return Currency(c.uppercased()) }; return nil
                        })?.minorUnitDigits ?? 2
                    row[column] = Money.decimalString(i, digits: digits)
                case .integer(let i): row[column] = String(i)
                case .bool(let b): row[column] = b ? "true" : "false"
                case .null: break
                default:
                    shapeErrors.append(
                        FieldError(
                            pointer: "\(item.pointer)/\(key)",
                            detail: key == "amount_minor" ? "must be an integer (minor units)" : "must be a string, number or boolean"))
                }
                header.insert(column)
            }
            rows.append(row)
        }
        guard shapeErrors.isEmpty else { throw Problem.validation(shapeErrors) }
        let ordered = columns.filter(header.contains)
        var csv = ordered.joined(separator: ",") + "\n"
        for row in rows { csv += ordered.map { Self.csvField(row[$0] ?? "") }.joined(separator: ",") + "\n" }
        // Line N of the generated CSV is item N-2.
        return try await runImport(Data(csv.utf8), tenant: tenant, kind: kind, skipInvalid: skip) { line, column in
            "/items/\(line - 2)" + (column.map { "/\($0 == "amount" ? "amount_minor" : $0)" } ?? "")
        }
    }

    static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// `POST /api/v1/imports/{invoices|contacts|payments}` with a CSV body (as `overdue import`):
    /// errors name `#/line/N/column`.
    @Sendable func upload(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        let raw = try context.parameters.require("kind")
        guard let kind = ImportKind(rawValue: raw) else { throw Problem.notFound("no import kind '\(raw)' (invoices, contacts or payments)") }
        var q = Query(request)
        let skip = q.flag("skip_invalid")
        try q.done()
        let body = try await request.body.collect(upTo: 256 << 20)
        guard body.readableBytes > 0 else { throw Problem.badRequest("the body is empty; send the CSV file as the body (Content-Type: text/csv)") }
        return try await runImport(Data(buffer: body), tenant: tenant, kind: kind, skipInvalid: skip) { line, column in
            "#/line/\(line)" + (column.map { "/\($0)" } ?? "")
        }
    }

    func runImport(_ data: Data, tenant: String, kind: ImportKind, skipInvalid: Bool, pointer: (Int, String?) -> String) async throws -> Response {
        do {
            let report = try await api.useCases.importCSV(tenant: tenant, data: data, file: "body", kind: kind, skipInvalid: skipInvalid)
            let result = ImportResult(
                rows_read: report.rowsRead, rows_written: report.rowsWritten, debtors_replanned: report.debtorsTouched,
                unknown_columns: report.unknownColumns,
                skipped: report.errors.map { FieldError(pointer: pointer($0.line, $0.column), detail: $0.reason) }, moved_invoices: report.movedInvoices)
            return APIController.json(Listing.jsonLine(result))
        } catch let rejected as ImportRejected {
            throw Problem.validation(rejected.report.errors.map { FieldError(pointer: pointer($0.line, $0.column), detail: $0.reason) })
        }
    }

    // MARK: Payments, holds, promises

    @Sendable func payments(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        var q = Query(request)
        let debtor = q.value("debtor")
        if debtor == nil { q.fail("debtor", "is required (payments are listed per debtor)") }
        try q.done()
        let rows = try await api.useCases.payments(tenant: tenant, debtor: debtor!)
        return APIController.json(Listing.jsonLine(PageOf(items: rows.map(PaymentLine.init), next: nil)))
    }

    @Sendable func holds(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        var q = Query(request)
        let debtor = q.value("debtor")
        if debtor == nil { q.fail("debtor", "is required (holds are listed per debtor)") }
        try q.done()
        let rows = try await api.useCases.holds(tenant: tenant, debtor: debtor!)
        return APIController.json(Listing.jsonLine(PageOf(items: rows.map(HoldLine.init), next: nil)))
    }

    /// `{debtor_id, invoice_number?, reason, until}`: pauses the debtor (or one invoice) and re-plans.
    @Sendable func addHold(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        var f = try await Fields.body(request)
        let debtor = f.string("debtor_id", maxLength: 200)
        let invoice = f.string("invoice_number", required: false, maxLength: 200)
        let reason = f.string("reason", maxLength: 500)
        let until = f.time("until")
        try f.done()
        let hold = try await api.useCases.placeHold(tenant: tenant, debtor: debtor!, invoice: invoice, reason: reason!, until: until!)
        return APIController.json(Listing.jsonLine(HoldLine(hold)), status: .created)
    }

    /// `GET /api/v1/promises?debtor=…[&status=open|kept|broken|unmatched]` (promises and payment claims).
    @Sendable func promises(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        var q = Query(request)
        let debtor = q.value("debtor")
        if debtor == nil { q.fail("debtor", "is required (promises are listed per debtor)") }
        let status = q.choice("status", Commitment.Status.self)
        try q.done()
        let rows = try await api.useCases.commitments(tenant: tenant, debtor: debtor!, status: status)
        return APIController.json(Listing.jsonLine(PageOf(items: rows.map(PromiseLine.init), next: nil)))
    }

    /// `{resolution}`: the invoice is chased again.
    @Sendable func resolveDispute(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        let id = try context.parameters.require("id")
        var f = try await Fields.body(request)
        let resolution = f.string("resolution", maxLength: 2000)
        try f.done()
        try await api.useCases.resolveDispute(tenant: tenant, id: id, resolution: resolution!, by: try context.caller().actor)
        return APIController.json(#"{"status":"resolved"}"#)
    }

    // MARK: Documents

    static func line(_ d: StoredDocument) -> DocumentLine {
        DocumentLine(
            id: d.ref.id, invoice_number: d.ref.invoiceNumber, kind: d.ref.kind.rawValue, filename: d.ref.filename, content_type: d.ref.contentType,
            size: d.ref.size, sha256: d.ref.sha256)
    }

    @Sendable func invoiceDocuments(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        let number = try context.parameters.require("number")
        let docs = try await api.useCases.documents(tenant: tenant, invoice: number)
        return APIController.json(Listing.jsonLine(PageOf(items: docs.map(Self.line), next: nil)))
    }

    /// The file is the body; `?kind=pod&filename=pod-448812.pdf`.
    @Sendable func addDocument(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        let number = try context.parameters.require("number")
        var q = Query(request)
        let given = q.errors.count
        let kind = q.choice("kind", DocumentKind.self)
        // Absent (not given wrong): say what it may be.
        if kind == nil, q.errors.count == given { q.fail("kind", "is required: \(DocumentKind.allCases.map(\.rawValue).joined(separator: ", "))") }
        let filename = q.value("filename")
        if filename == nil { q.fail("filename", "is required (it names the file in emails)") }
        if let filename, filename.contains("/") || filename.contains("\\") || filename.hasPrefix(".") { q.fail("filename", "must be a plain file name") }
        try q.done()
        guard try await api.useCases.invoice(tenant: tenant, number: number) != nil else { throw Problem.notFound("no invoice '\(number)'") }
        let body = try await request.body.collect(upTo: 25 << 20)
        guard body.readableBytes > 0 else { throw Problem.badRequest("the body is empty; send the file as the body") }
        let doc = try await api.useCases.addDocument(tenant: tenant, invoice: number, data: Data(buffer: body), filename: filename!, kind: kind!)
        return APIController.json(Listing.jsonLine(Self.line(doc)), status: .created)
    }

    @Sendable func downloadDocument(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let tenant = try api.tenant(context)
        let id = try context.parameters.require("id")
        guard let (doc, data) = try await api.useCases.document(tenant: tenant, id: id) else { throw Problem.notFound("no document '\(id)'") }
        return Self.file(doc, data)
    }

    /// A stored document as a download: its type, a safe file name, never cached.
    static func file(_ doc: StoredDocument, _ data: Data) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = doc.ref.contentType
        let safeName = doc.ref.filename.filter { $0.isASCII && $0 != "\"" && $0 != "\\" && !$0.isNewline }
        headers[.contentDisposition] = "attachment; filename=\"\(safeName)\""
        headers[.cacheControl] = "private, no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
