import Foundation
import OverdueCore
import SQLKit

extension Session {
    // MARK: Commitments

    /// Records a promise or payment claim (once per id).
    public func insertCommitment(_ tenant: String, debtor: String, _ c: Commitment) async throws {
        let inserted = try await rows(
            """
            INSERT INTO commitments (tenant_id, id, debtor_id, kind, contact_id, channel, made_at, date, target_minor, currency, amount_stated,
                                     review_at, status, invoice_numbers, message_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, id) DO NOTHING RETURNING id
            """,
            [
                .text(tenant), .text(c.id), .text(debtor), .text(c.kind.rawValue), c.contactID.map { .int($0) } ?? .null, .text(c.channel.rawValue),
                .time(c.madeAt), .text(c.date.description), .int(c.target.minorUnits), .text(c.target.currency.code), .bool(c.amountStated),
                .time(c.reviewAt), .text(c.status.rawValue), .text(Session.json(c.invoiceNumbers)), .opt(c.messageID),
            ])
        if !inserted.isEmpty && c.kind == .promise {
            try await emit(tenant, .promiseCreated, debtor: debtor, data: EventData.Promise(c, debtor: debtor), at: c.madeAt)
        }
    }

    /// A debtor's commitments, oldest first.
    public func commitments(_ tenant: String, debtor: String) async throws -> [Commitment] {
        try await rows("SELECT * FROM commitments WHERE tenant_id = ? AND debtor_id = ? ORDER BY made_at, id", [.text(tenant), .text(debtor)]).map(
            Self.commitment)
    }

    /// The columns `commitment(_:)` reads.
    static let commitmentColumns = [
        "id", "kind", "contact_id", "channel", "made_at", "date", "target_minor", "currency", "amount_stated", "review_at", "status", "invoice_numbers",
        "message_id",
    ]

    static func commitment(_ r: any StoredRow) throws -> Commitment {
        guard let kind = Commitment.Kind(rawValue: try r.string("kind")), let ch = Channel(rawValue: try r.string("channel")),
            let cur = Currency(try r.string("currency")), let status = Commitment.Status(rawValue: try r.string("status"))
        else {
            throw StoreError.corrupt("commitment row")
        }
        return Commitment(
            id: try r.string("id"), kind: kind, contactID: try r.optInt("contact_id"), channel: ch, madeAt: try r.time("made_at"),
            date: try r.date("date"), target: Money(minorUnits: try r.int("target_minor"), currency: cur),
            amountStated: try r.bool("amount_stated"), reviewAt: try r.time("review_at"), status: status,
            invoiceNumbers: try Session.decodeJSON([String].self, try r.string("invoice_numbers")), messageID: try r.optString("message_id"))
    }

    /// Settles an open commitment.
    public func settleCommitment(_ tenant: String, id: String, status: Commitment.Status, reason: Reason, at: Date) async throws {
        let settled = try await rows(
            "UPDATE commitments SET status = ?, settled_at = ?, settled_reason = ? WHERE tenant_id = ? AND id = ? AND status = 'open' RETURNING *",
            [.text(status.rawValue), .time(at), .text(reason.message), .text(tenant), .text(id)])
        guard let r = settled.first else { return }
        let c = try Self.commitment(r)
        guard c.kind == .promise, status == .broken || status == .kept else { return }
        try await emit(
            tenant, status == .broken ? .promiseBroken : .promiseKept, debtor: try r.string("debtor_id"),
            data: EventData.Promise(c, debtor: try r.string("debtor_id"), reason: reason.message), at: at)
    }

    // MARK: Disputes

    /// Opens a dispute (once per id).
    public func insertDispute(_ tenant: String, debtor: String, _ d: Dispute) async throws {
        let inserted = try await rows(
            """
            INSERT INTO disputes (tenant_id, id, debtor_id, invoice_number, reason, opened_at, status, message_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, id) DO NOTHING RETURNING id
            """,
            [
                .text(tenant), .text(d.id), .text(debtor), .text(d.invoiceNumber), .text(d.reason.rawValue), .time(d.openedAt),
                .text(d.status.rawValue), .opt(d.messageID),
            ])
        if !inserted.isEmpty {
            try await emit(tenant, .disputeOpened, debtor: debtor, data: EventData.DisputeData(d, debtor: debtor), at: d.openedAt)
        }
    }

    /// A debtor's disputes (all, or only open ones).
    public func disputes(_ tenant: String, debtor: String? = nil, openOnly: Bool = false) async throws -> [Dispute] {
        var sql = "SELECT * FROM disputes WHERE tenant_id = ?"
        var binds: [SQLValue] = [.text(tenant)]
        if let debtor { sql += " AND debtor_id = ?"; binds.append(.text(debtor)) }
        if openOnly { sql += " AND status = 'open'" }
        return try await rows(sql + " ORDER BY opened_at, id", binds).map(Session.dispute)
    }

    /// The debtor whose case holds dispute `id`, if the tenant has one by that id.
    public func disputeDebtor(_ tenant: String, id: String) async throws -> String? {
        try await row("SELECT debtor_id FROM disputes WHERE tenant_id = ? AND id = ?", [.text(tenant), .text(id)])?.string("debtor_id")
    }

    /// Resolves an open dispute; returns its debtor, or nil if there is no such open dispute.
    public func resolveDispute(_ tenant: String, id: String, resolution: String, at: Date) async throws -> String? {
        guard
            let r = try await rows(
                """
                UPDATE disputes SET status = 'resolved', resolution = ?, resolved_at = ? WHERE tenant_id = ? AND id = ? AND status = 'open' RETURNING *
                """, [.text(resolution), .time(at), .text(tenant), .text(id)]
            ).first
        else { return nil }
        let debtor = try r.string("debtor_id")
        try await emit(tenant, .disputeResolved, debtor: debtor, data: EventData.DisputeData(try Self.dispute(r), debtor: debtor), at: at)
        return debtor
    }

    /// The columns `dispute(_:)` reads.
    static let disputeColumns = ["id", "invoice_number", "reason", "opened_at", "status", "resolution", "message_id"]

    static func dispute(_ r: any StoredRow) throws -> Dispute {
        guard let reason = DisputeReason(rawValue: try r.string("reason")), let status = Dispute.Status(rawValue: try r.string("status")) else {
            throw StoreError.corrupt("dispute row")
        }
        return Dispute(
            id: try r.string("id"), invoiceNumber: try r.string("invoice_number"), reason: reason, openedAt: try r.time("opened_at"),
            status: status, resolution: try r.optString("resolution"), messageID: try r.optString("message_id"))
    }

    // MARK: Documents

    /// Stores a document's metadata.
    public func insertDocument(_ tenant: String, _ d: StoredDocument) async throws {
        try await exec(
            """
            INSERT INTO documents (tenant_id, id, debtor_id, invoice_number, kind, filename, content_type, size, sha256, path, token, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (tenant_id, id) DO UPDATE SET filename = excluded.filename, content_type = excluded.content_type, path = excluded.path
            """,
            [
                .text(tenant), .text(d.ref.id), .text(d.debtorID), .text(d.ref.invoiceNumber), .text(d.ref.kind.rawValue), .text(d.ref.filename),
                .text(d.ref.contentType), .int(d.ref.size), .text(d.ref.sha256), .text(d.path), .text(d.token), .time(d.createdAt),
            ])
    }

    /// Documents of a debtor's invoices (or of every debtor).
    public func documents(_ tenant: String, debtor: String? = nil) async throws -> [StoredDocument] {
        var sql = "SELECT * FROM documents WHERE tenant_id = ?"
        var binds: [SQLValue] = [.text(tenant)]
        if let debtor { sql += " AND debtor_id = ?"; binds.append(.text(debtor)) }
        return try await rows(sql + " ORDER BY invoice_number, kind, created_at, id", binds).map(Session.document)
    }

    /// The document behind a download token (any tenant: the token is the secret).
    public func document(token: String) async throws -> (tenant: String, document: StoredDocument)? {
        guard let r = try await row("SELECT * FROM documents WHERE token = ?", [.text(token)]) else { return nil }
        return (try r.string("tenant_id"), try Session.document(r))
    }

    static func document(_ r: any StoredRow) throws -> StoredDocument {
        guard let kind = DocumentKind(rawValue: try r.string("kind")) else { throw StoreError.corrupt("document kind") }
        return StoredDocument(
            ref: DocumentRef(
                id: try r.string("id"), invoiceNumber: try r.string("invoice_number"), kind: kind, filename: try r.string("filename"),
                contentType: try r.string("content_type"), size: try r.int("size"), sha256: try r.string("sha256")),
            debtorID: try r.string("debtor_id"), path: try r.string("path"), token: try r.string("token"), createdAt: try r.time("created_at"))
    }

    // MARK: Inbox

    /// Raises an inbox item.
    @discardableResult
    public func addInboxItem(_ tenant: String, debtor: String?, kind: InboxItem.Kind, reason: Reason, messageID: String?, draftID: String? = nil, at: Date)
        async throws -> Int64
    {
        let r = try await rows(
            """
            INSERT INTO inbox (tenant_id, debtor_id, kind, code, reason, message_id, draft_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
            """,
            [.text(tenant), .opt(debtor), .text(kind.rawValue), .text(reason.code.rawValue), .text(reason.message), .opt(messageID), .opt(draftID), .time(at)])
        let id = try r.first?.int("id") ?? 0
        try await emit(
            tenant, .handoffCreated, debtor: debtor,
            data: EventData.Handoff(
                id: id, debtor: debtor, kind: kind.rawValue, reason_code: reason.code.rawValue, reason: reason.message, message_id: messageID, draft_id: draftID
            ), at: at
        )
        return id
    }

    /// Inbox items (open ones by default), oldest first.
    /// How many inbox items are open.
    public func openInboxCount(_ tenant: String) async throws -> Int {
        Int(try await row("SELECT COUNT(*) AS n FROM inbox WHERE tenant_id = ? AND resolved_at IS NULL", [.text(tenant)])?.int("n") ?? 0)
    }

    /// Whether open inbox item `id` exists.
    public func hasOpenInboxItem(_ tenant: String, id: Int64) async throws -> Bool {
        try await row("SELECT id FROM inbox WHERE tenant_id = ? AND id = ? AND resolved_at IS NULL", [.text(tenant), .int(id)]) != nil
    }

    /// Inbox items: open ones (every one when `includeResolved`), of `debtor` when given, a page of `limit` from `offset`.
    public func inbox(_ tenant: String, includeResolved: Bool = false, debtor: String? = nil, limit: Int? = nil, offset: Int = 0) async throws -> [InboxItem] {
        var sql = "SELECT * FROM inbox WHERE tenant_id = ?"
        var binds: [SQLValue] = [.text(tenant)]
        if !includeResolved { sql += " AND resolved_at IS NULL" }
        if let debtor { sql += " AND debtor_id = ?"; binds.append(.text(debtor)) }
        sql += " ORDER BY id"
        if let limit { sql += " LIMIT \(max(1, limit)) OFFSET \(max(0, offset))" }
        return try await rows(sql, binds).map { r in
            InboxItem(
                id: try r.int("id"), debtorID: try r.optString("debtor_id"), kind: InboxItem.Kind(rawValue: try r.string("kind")) ?? .flag,
                code: try r.string("code"), reason: try r.string("reason"), messageID: try r.optString("message_id"),
                draftID: try r.optString("draft_id"), createdAt: try r.time("created_at"), resolvedAt: try r.optTime("resolved_at"),
                resolution: try r.optString("resolution"))
        }
    }

    /// Resolves open inbox items: one by id, those about a draft, or every one of a debtor's of some
    /// kinds. Resolving a reply a person was reading ends the hold the ladder waited under.
    public func resolveInbox(
        _ tenant: String, id: Int64? = nil, draftID: String? = nil, debtor: String? = nil, kinds: [InboxItem.Kind] = [],
        resolution: String, at: Date
    ) async throws {
        var filter = " WHERE tenant_id = ? AND resolved_at IS NULL"
        var binds: [SQLValue] = [.text(tenant)]
        if let id { filter += " AND id = ?"; binds.append(.int(id)) }
        if let draftID { filter += " AND draft_id = ?"; binds.append(.text(draftID)) }
        if let debtor { filter += " AND debtor_id = ?"; binds.append(.text(debtor)) }
        if !kinds.isEmpty { filter += " AND kind IN (\(kinds.map { "'\($0.rawValue)'" }.joined(separator: ", ")))" }
        let codes = Hold.replyReviewCodes.sorted().map { "'\($0)'" }.joined(separator: ", ")
        let waiting = try await rows("SELECT DISTINCT debtor_id FROM inbox" + filter + " AND code IN (\(codes)) AND debtor_id IS NOT NULL", binds)
            .map { try $0.string("debtor_id") }
        try await exec("UPDATE inbox SET resolved_at = ?, resolution = ?" + filter, [.time(at), .text(resolution)] + binds)
        for debtor in waiting {
            try await exec(
                "UPDATE holds SET until = ? WHERE tenant_id = ? AND debtor_id = ? AND until > ? AND reason LIKE ?",
                [.time(at), .text(tenant), .text(debtor), .time(at), .text(Hold.replyReviewPrefix + "%")])
        }
        if !waiting.isEmpty { try await schedule(tenant, subjects: waiting, at: at, mode: .earliest) }
    }

    // MARK: Templates

    /// Stores a tenant's template override.
    public func saveTemplate(_ tenant: String, _ t: TemplateOverride, now: Date) async throws {
        try await exec(
            """
            INSERT INTO templates (tenant_id, name, channel, subject, body, updated_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (tenant_id, name, channel) DO UPDATE SET subject = excluded.subject, body = excluded.body, updated_at = excluded.updated_at
            """, [.text(tenant), .text(t.name), .text(t.channel.rawValue), .opt(t.subject), .text(t.body), .time(now)])
        try await rulesChanged(tenant)
    }

    /// Removes a tenant's override (the built-in template applies again). Returns whether one existed.
    public func deleteTemplate(_ tenant: String, name: String, channel: Channel) async throws -> Bool {
        let deleted =
            !(try await rows(
                "DELETE FROM templates WHERE tenant_id = ? AND name = ? AND channel = ? RETURNING name",
                [.text(tenant), .text(name), .text(channel.rawValue)])).isEmpty
        if deleted { try await rulesChanged(tenant) }
        return deleted
    }

    /// A tenant's template overrides.
    public func templates(_ tenant: String) async throws -> [TemplateOverride] {
        try await rows("SELECT * FROM templates WHERE tenant_id = ? ORDER BY name, channel", [.text(tenant)]).compactMap(Session.template)
    }

    static func template(_ r: any StoredRow) throws -> TemplateOverride? {
        guard let ch = Channel(rawValue: try r.string("channel")) else { return nil }
        return TemplateOverride(name: try r.string("name"), channel: ch, subject: try r.optString("subject"), body: try r.string("body"))
    }

    // MARK: Contacts

    /// Adds one contact (or finds the one with that name) and returns it with its id.
    public func addContact(_ tenant: String, _ c: Contact) async throws -> Contact {
        try await upsertContacts(tenant, [c])
        guard let stored = try await contacts(tenant, debtor: c.debtorID).first(where: { $0.name == c.name }) else {
            throw StoreError.corrupt("contact '\(c.name)' not found after insert")
        }
        return stored
    }

    /// Lifts an opt-out.
    public func removeSuppression(_ tenant: String, contactID: Int64, channel: Channel?) async throws {
        try await exec(
            "DELETE FROM suppressions WHERE tenant_id = ? AND contact_id = ? AND channel = ?",
            [.text(tenant), .int(contactID), .text(channel?.rawValue ?? "all")])
    }
}

extension Session {
    /// Files a contact a reply named, for a person to approve; returns its id.
    public func proposeContact(_ tenant: String, debtor: String, _ contact: NewContact, reason: Reason, messageID: String?, at: Date) async throws -> Int64 {
        let r = try await rows(
            """
            INSERT INTO contact_proposals (tenant_id, debtor_id, contact, reason_code, reason, message_id, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id
            """,
            [.text(tenant), .text(debtor), .text(Session.json(contact)), .text(reason.code.rawValue), .text(reason.message), .opt(messageID), .time(at)])
        return try r[0].int("id")
    }

    /// The tenant's proposals not decided yet (only `id` when given), oldest first.
    public func contactProposals(_ tenant: String, id: Int64? = nil) async throws -> [ContactProposal] {
        var sql = "SELECT * FROM contact_proposals WHERE tenant_id = ? AND decided_at IS NULL"
        var binds: [SQLValue] = [.text(tenant)]
        if let id { sql += " AND id = ?"; binds.append(.int(id)) }
        return try await rows(sql + " ORDER BY id", binds).map { r in
            ContactProposal(
                id: try r.int("id"), debtorID: try r.string("debtor_id"), contact: try Session.decodeJSON(NewContact.self, try r.string("contact")),
                reason: Reason(ReasonCode(rawValue: try r.string("reason_code")), try r.string("reason")), messageID: try r.optString("message_id"),
                createdAt: try r.time("created_at"))
        }
    }

    /// Records a person's decision on an open proposal; false when it was decided already (or is not there).
    public func decideContactProposal(_ tenant: String, id: Int64, approved: Bool, by actor: String, at: Date) async throws -> Bool {
        !(try await rows(
            "UPDATE contact_proposals SET decided_at = ?, decision = ?, decided_by = ? WHERE tenant_id = ? AND id = ? AND decided_at IS NULL RETURNING id",
            [.time(at), .text(approved ? "approved" : "rejected"), .text(actor), .text(tenant), .int(id)]
        ).isEmpty)
    }
}
