import Foundation
import OverdueCore
import SQLKit

extension Session {
    /// Inserts or updates debtors (by id).
    public func upsertDebtors(_ tenant: String, _ debtors: [Debtor]) async throws {
        try await insertMany(
            "debtors", columns: ["tenant_id", "id", "name"],
            rows: debtors.map { [.text(tenant), .text($0.id), .text($0.name)] },
            suffix: "ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name")
    }

    /// Creates debtors that do not exist yet, named by their id (a contact or payment may come first).
    public func ensureDebtors(_ tenant: String, _ ids: [String]) async throws {
        try await insertMany(
            "debtors", columns: ["tenant_id", "id", "name"],
            rows: ids.map { [.text(tenant), .text($0), .text($0)] },
            suffix: "ON CONFLICT (tenant_id, id) DO NOTHING")
    }

    /// All debtors, by id.
    public func debtors(_ tenant: String) async throws -> [Debtor] {
        try await rows("SELECT id, name FROM debtors WHERE tenant_id = ? ORDER BY id", [.text(tenant)])
            .map { Debtor(id: try $0.string("id"), name: try $0.string("name")) }
    }

    /// One debtor.
    public func debtor(_ tenant: String, _ id: String) async throws -> Debtor? {
        try await row("SELECT id, name FROM debtors WHERE tenant_id = ? AND id = ?", [.text(tenant), .text(id)])
            .map { Debtor(id: try $0.string("id"), name: try $0.string("name")) }
    }

    /// Inserts or updates invoices (by number): re-importing never duplicates.
    public func upsertInvoices(_ tenant: String, _ invoices: [Invoice]) async throws {
        let cols = [
            "tenant_id", "number", "debtor_id", "amount_minor", "currency", "issue_date", "due_date",
            "load_number", "pro_number", "bol_number", "po_number", "terms", "factored",
        ]
        let updates = cols.dropFirst(2).map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        try await insertMany(
            "invoices", columns: cols,
            rows: invoices.map { i in
                [
                    .text(tenant), .text(i.number), .text(i.debtorID), .int(i.amount.minorUnits), .text(i.amount.currency.code),
                    .text(i.issueDate.description), .text(i.dueDate.description), .opt(i.loadNumber), .opt(i.proNumber),
                    .opt(i.bolNumber), .opt(i.poNumber), .opt(i.terms), .bool(i.factored),
                ]
            }, suffix: "ON CONFLICT (tenant_id, number) DO UPDATE SET \(updates)")
    }

    /// Existing invoice numbers among `numbers` with their debtor (to report moves between debtors).
    public func invoiceDebtors(_ tenant: String, numbers: [String]) async throws -> [String: String] {
        var result: [String: String] = [:]
        for chunk in stride(from: 0, to: numbers.count, by: 5000).map({ Array(numbers[$0..<min(numbers.count, $0 + 5000)]) }) {
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            for r in try await rows(
                "SELECT number, debtor_id FROM invoices WHERE tenant_id = ? AND number IN (\(marks))",
                [.text(tenant)] + chunk.map { .text($0) })
            {
                result[try r.string("number")] = try r.string("debtor_id")
            }
        }
        return result
    }

    /// A debtor's invoices.
    public func invoices(_ tenant: String, debtor: String) async throws -> [Invoice] {
        try await rows("SELECT * FROM invoices WHERE tenant_id = ? AND debtor_id = ? ORDER BY due_date, number", [.text(tenant), .text(debtor)])
            .map(Session.invoice)
    }

    /// The invoices a debtor's words may name (`INV-1001`, `#1001`, a load or PRO number): candidates
    /// share the reference's longest run of digits; `Invoice.matches(reference:)` decides.
    public func invoices(_ tenant: String, referencedBy refs: [String]) async throws -> [Invoice] {
        var found: [String: Invoice] = [:]
        for ref in refs.prefix(10) {
            // An invoice number typed in full is found by its key, without scanning every reference column.
            if let exact = try await row("SELECT * FROM invoices WHERE tenant_id = ? AND number = ?", [.text(tenant), .text(ref)]) {
                let inv = try Session.invoice(exact)
                found[inv.number] = inv
                continue
            }
            let runs = ref.split(whereSeparator: { !$0.isNumber })
            guard let digits = runs.max(by: { $0.count < $1.count }), digits.count >= 3 else { continue }
            let like = "%\(digits)%"
            let rows = try await rows(
                """
                SELECT * FROM invoices WHERE tenant_id = ? AND (number LIKE ? OR load_number LIKE ? OR pro_number LIKE ? OR bol_number LIKE ? OR po_number LIKE ?)
                LIMIT 200
                """, [.text(tenant), .text(like), .text(like), .text(like), .text(like), .text(like)])
            for inv in try rows.map(Session.invoice) where inv.matches(reference: ref) { found[inv.number] = inv }
        }
        return found.values.sorted { $0.number < $1.number }
    }

    /// Number of invoices of the tenant.
    public func invoiceCount(_ tenant: String) async throws -> Int {
        Int(try await row("SELECT COUNT(*) AS n FROM invoices WHERE tenant_id = ?", [.text(tenant)])?.int("n") ?? 0)
    }

    /// The columns `invoice(_:)` reads.
    static let invoiceColumns = [
        "number", "debtor_id", "amount_minor", "currency", "issue_date", "due_date", "load_number", "pro_number", "bol_number", "po_number", "terms",
        "factored",
    ]

    static func invoice(_ r: any StoredRow) throws -> Invoice {
        guard let cur = Currency(try r.string("currency")) else { throw StoreError.corrupt("invoice currency") }
        return Invoice(
            number: try r.string("number"), debtorID: try r.string("debtor_id"),
            amount: Money(minorUnits: try r.int("amount_minor"), currency: cur),
            issueDate: try r.date("issue_date"), dueDate: try r.date("due_date"),
            loadNumber: try r.optString("load_number"), proNumber: try r.optString("pro_number"),
            bolNumber: try r.optString("bol_number"), poNumber: try r.optString("po_number"),
            terms: try r.optString("terms"), factored: try r.bool("factored"))
    }

    /// Inserts or updates contacts (by debtor and name); their `id` is ignored and assigned by the store.
    public func upsertContacts(_ tenant: String, _ contacts: [Contact]) async throws {
        let cols = ["tenant_id", "debtor_id", "name", "email", "phone", "role", "timezone", "sms_consent", "call_consent", "preferred_channel"]
        let updates = cols.dropFirst(3).map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        try await insertMany(
            "contacts", columns: cols,
            rows: contacts.map { c in
                [
                    .text(tenant), .text(c.debtorID), .text(c.name), .opt(c.email), .opt(c.phone), .opt(c.role), .text(c.timeZone),
                    .bool(c.smsConsent), .bool(c.callConsent), .opt(c.preferredChannel?.rawValue),
                ]
            }, suffix: "ON CONFLICT (tenant_id, debtor_id, name) DO UPDATE SET \(updates)")
    }

    /// A debtor's contacts, in import order.
    public func contacts(_ tenant: String, debtor: String) async throws -> [Contact] {
        try await rows("SELECT * FROM contacts WHERE tenant_id = ? AND debtor_id = ? ORDER BY id", [.text(tenant), .text(debtor)])
            .map(Session.contact)
    }

    /// The contact with store id `id`.
    public func contact(_ tenant: String, id: Int64) async throws -> Contact? {
        try await row("SELECT * FROM contacts WHERE tenant_id = ? AND id = ?", [.text(tenant), .int(id)]).map(Session.contact)
    }

    /// Contacts whose email (case-insensitive) or phone is `address`.
    public func contacts(_ tenant: String, address: String) async throws -> [Contact] {
        try await rows(
            "SELECT * FROM contacts WHERE tenant_id = ? AND (lower(email) = lower(?) OR phone = ?) ORDER BY id",
            [.text(tenant), .text(address), .text(address)]
        ).map(Session.contact)
    }

    /// Per debtor among `debtors`, the latest message sent (or being sent) to `address` at or
    /// before `until`: its contact and when. Tells which of several debtors sharing an address a
    /// reply answers (`SenderMatch`).
    public func lastSent(_ tenant: String, to address: String, debtors: Set<String>, until: Date) async throws -> [String: (contactID: Int64, at: Date)] {
        guard !debtors.isEmpty else { return [:] }
        let list = debtors.sorted()
        let rows = try await rows(
            """
            SELECT debtor_id, contact_id, MAX(at) AS at FROM messages
            WHERE tenant_id = ? AND direction = 'out' AND status IN ('sent', 'pending') AND lower(to_addr) = lower(?) AND at <= ?
              AND contact_id IS NOT NULL AND debtor_id IN (\(list.map { _ in "?" }.joined(separator: ", ")))
            GROUP BY debtor_id, contact_id
            """, [.text(tenant), .text(address), .time(until)] + list.map { .text($0) })
        var latest: [String: (contactID: Int64, at: Date)] = [:]
        for r in rows {
            let (debtor, contact, at) = (try r.string("debtor_id"), try r.int("contact_id"), try r.time("at"))
            if let known = latest[debtor], known.at >= at { continue }
            latest[debtor] = (contact, at)
        }
        return latest
    }

    /// The columns `contact(_:)` reads.
    static let contactColumns = [
        "id", "debtor_id", "name", "email", "phone", "role", "timezone", "sms_consent", "call_consent", "preferred_channel", "language",
    ]

    static func contact(_ r: any StoredRow) throws -> Contact {
        Contact(
            id: try r.int("id"), debtorID: try r.string("debtor_id"), name: try r.string("name"),
            email: try r.optString("email"), phone: try r.optString("phone"), role: try r.optString("role"),
            timeZone: try r.string("timezone"), smsConsent: try r.bool("sms_consent"), callConsent: try r.bool("call_consent"),
            preferredChannel: try r.optString("preferred_channel").flatMap(Channel.init(rawValue:)), language: try r.optString("language"))
    }

    /// Sets the language a contact writes in.
    public func setContactLanguage(_ tenant: String, id: Int64, _ language: String?) async throws {
        try await exec("UPDATE contacts SET language = ? WHERE tenant_id = ? AND id = ?", [.opt(language), .text(tenant), .int(id)])
    }

    /// Inserts payments; one already stored (same id) is updated, never counted twice.
    /// Each payment not seen before is a `payment.recorded` event.
    public func upsertPayments(_ tenant: String, _ payments: [Payment]) async throws {
        var known: Set<String> = []
        for chunk in stride(from: 0, to: payments.count, by: 500).map({ Array(payments[$0..<min($0 + 500, payments.count)]) }) {
            let marks = chunk.map { _ in "?" }.joined(separator: ",")
            for r in try await rows("SELECT id FROM payments WHERE tenant_id = ? AND id IN (\(marks))", [.text(tenant)] + chunk.map { .text($0.id) }) {
                known.insert(try r.string("id"))
            }
        }
        var seen: Set<String> = []
        let fresh = payments.filter { !known.contains($0.id) && seen.insert($0.id).inserted }
        try await emit(tenant, .paymentRecorded, fresh.map { (debtor: $0.debtorID, data: EventData.PaymentData($0)) })
        // A payment is credited to the last attempt up to the end of its (UTC) day.
        let utc = TimeZone(identifier: "UTC")!
        for p in fresh {
            try await attribute(tenant, debtor: p.debtorID, column: "paid_at", at: p.date.at(hour: 12, in: utc), until: p.date.adding(days: 1).at(in: utc))
        }
        let cols = ["tenant_id", "id", "debtor_id", "amount_minor", "currency", "date", "reference", "invoice_number"]
        let updates = cols.dropFirst(2).map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        try await insertMany(
            "payments", columns: cols,
            rows: payments.map { p in
                [
                    .text(tenant), .text(p.id), .text(p.debtorID), .int(p.amount.minorUnits), .text(p.amount.currency.code),
                    .text(p.date.description), .opt(p.reference), .opt(p.invoiceNumber),
                ]
            }, suffix: "ON CONFLICT (tenant_id, id) DO UPDATE SET \(updates)")
    }

    /// A debtor's payments.
    public func payments(_ tenant: String, debtor: String) async throws -> [Payment] {
        try await rows("SELECT * FROM payments WHERE tenant_id = ? AND debtor_id = ? ORDER BY date, id", [.text(tenant), .text(debtor)]).map(Session.payment)
    }

    /// The columns `payment(_:)` reads.
    static let paymentColumns = ["id", "debtor_id", "amount_minor", "currency", "date", "reference", "invoice_number"]

    static func payment(_ r: any StoredRow) throws -> Payment {
        guard let cur = Currency(try r.string("currency")) else { throw StoreError.corrupt("payment currency") }
        return Payment(
            id: try r.string("id"), debtorID: try r.string("debtor_id"),
            amount: Money(minorUnits: try r.int("amount_minor"), currency: cur), date: try r.date("date"),
            reference: try r.optString("reference"), invoiceNumber: try r.optString("invoice_number"))
    }

    /// Adds a hold.
    public func addHold(_ tenant: String, _ hold: Hold, now: Date) async throws {
        try await exec(
            "INSERT INTO holds (tenant_id, debtor_id, invoice_number, reason, until, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            [.text(tenant), .text(hold.debtorID), .opt(hold.invoiceNumber), .text(hold.reason), .time(hold.until), .time(now)])
        try await emit(
            tenant, .holdCreated, debtor: hold.debtorID,
            data: EventData.HoldData(debtor: hold.debtorID, invoice: hold.invoiceNumber, reason: hold.reason, until: Timestamp.format(hold.until)), at: now)
    }

    /// A debtor's holds.
    public func holds(_ tenant: String, debtor: String) async throws -> [Hold] {
        try await rows("SELECT * FROM holds WHERE tenant_id = ? AND debtor_id = ? ORDER BY id", [.text(tenant), .text(debtor)]).map(Session.hold)
    }

    static func hold(_ r: any StoredRow) throws -> Hold {
        Hold(debtorID: try r.string("debtor_id"), invoiceNumber: try r.optString("invoice_number"), reason: try r.string("reason"), until: try r.time("until"))
    }

    /// Records an opt-out (`channel` nil = every channel).
    public func addSuppression(_ tenant: String, _ s: Suppression, now: Date) async throws {
        try await exec(
            """
            INSERT INTO suppressions (tenant_id, contact_id, channel, reason, created_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (tenant_id, contact_id, channel) DO UPDATE SET reason = excluded.reason
            """, [.text(tenant), .int(s.contactID), .text(s.channel?.rawValue ?? "all"), .text(s.reason), .time(now)])
    }

    /// Opt-outs of a debtor's contacts.
    public func suppressions(_ tenant: String, debtor: String) async throws -> [Suppression] {
        try await rows(
            """
            SELECT s.contact_id, s.channel, s.reason FROM suppressions s JOIN contacts c ON c.id = s.contact_id
            WHERE s.tenant_id = ? AND c.debtor_id = ? ORDER BY s.contact_id, s.channel
            """, [.text(tenant), .text(debtor)]
        ).map(Session.suppression)
    }

    static func suppression(_ r: any StoredRow) throws -> Suppression {
        Suppression(contactID: try r.int("contact_id"), channel: Channel(rawValue: try r.string("channel")), reason: try r.string("reason"))
    }
}

extension Session {
    /// A page of debtors by id after `after`, optionally those whose name or id holds `search`.
    public func debtors(_ tenant: String, after: String?, search: String?, limit: Int) async throws -> [Debtor] {
        var sql = "SELECT id, name FROM debtors WHERE tenant_id = ?"
        var binds: [SQLValue] = [.text(tenant)]
        if let after { sql += " AND id > ?"; binds.append(.text(after)) }
        if let search, !search.isEmpty {
            sql += " AND (LOWER(name) LIKE ? OR LOWER(id) LIKE ?)"
            let like = "%" + search.lowercased().replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
            binds += [.text(like), .text(like)]
        }
        return try await rows(sql + " ORDER BY id LIMIT \(max(1, limit))", binds).map { Debtor(id: try $0.string("id"), name: try $0.string("name")) }
    }

    /// A page of invoices by number after `after`, optionally of one debtor or due in a date range.
    public func invoices(_ tenant: String, debtor: String?, dueFrom: LocalDate?, dueTo: LocalDate?, after: String?, limit: Int) async throws -> [Invoice] {
        var sql = "SELECT * FROM invoices WHERE tenant_id = ?"
        var binds: [SQLValue] = [.text(tenant)]
        if let debtor { sql += " AND debtor_id = ?"; binds.append(.text(debtor)) }
        if let dueFrom { sql += " AND due_date >= ?"; binds.append(.text(dueFrom.description)) }
        if let dueTo { sql += " AND due_date <= ?"; binds.append(.text(dueTo.description)) }
        if let after { sql += " AND number > ?"; binds.append(.text(after)) }
        return try await rows(sql + " ORDER BY number LIMIT \(max(1, limit))", binds).map(Session.invoice)
    }

    /// One invoice.
    public func invoice(_ tenant: String, number: String) async throws -> Invoice? {
        try await row("SELECT * FROM invoices WHERE tenant_id = ? AND number = ?", [.text(tenant), .text(number)]).map(Session.invoice)
    }
}
