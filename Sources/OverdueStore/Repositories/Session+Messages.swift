import Foundation
import OverdueCore
import SQLKit

extension Session {
    /// Records a message; returns false (and changes nothing) if one with the same key exists.
    @discardableResult
    public func insertMessage(_ tenant: String, _ m: MessageRecord) async throws -> Bool {
        try await insertMessages([(tenant, m)])[0]
    }

    static let messageColumns = [
        "id", "tenant_id", "idempotency_key", "direction", "channel", "at", "debtor_id", "contact_id", "contact_name", "to_addr", "from_addr",
        "invoice_numbers", "stage", "attempt", "kind", "subject", "body", "status", "provider_id", "error", "html", "attachments", "in_reply_to",
        "understanding", "thread_refs", "composer", "composer_model", "llm_tokens", "llm_ms", "composer_notes",
    ]

    /// Records messages (of any tenants) in one statement; for each, whether it was new (false: one
    /// with the same key exists, and nothing of it changed). What a new message entails (its event,
    /// its audit entry, the reply it attributes to a message sent) is written together after.
    public func insertMessages(_ items: [(tenant: String, message: MessageRecord)]) async throws -> [Bool] {
        guard !items.isEmpty else { return [] }
        var fresh = Set<String>()
        let perStatement = max(1, dialect.maxBinds / Self.messageColumns.count)
        let tuple = "(" + Array(repeating: "?", count: Self.messageColumns.count).joined(separator: ",") + ")"
        for start in stride(from: 0, to: items.count, by: perStatement) {
            let chunk = items[start..<min(items.count, start + perStatement)]
            let sql =
                "INSERT INTO messages (\(Self.messageColumns.joined(separator: ","))) VALUES "
                + Array(repeating: tuple, count: chunk.count).joined(separator: ",")
                + " ON CONFLICT (tenant_id, idempotency_key) DO NOTHING RETURNING tenant_id, idempotency_key"
            for r in try await rows(sql, chunk.flatMap { Self.messageRow($0.tenant, $0.message) }) {
                fresh.insert(try r.string("tenant_id") + "\u{1F}" + r.string("idempotency_key"))
            }
        }
        // A key repeated within the batch is new once, the first time.
        var isNew: [Bool] = []
        isNew.reserveCapacity(items.count)
        for item in items { isNew.append(fresh.remove(item.tenant + "\u{1F}" + item.message.key) != nil) }
        var sent: [SentEvents.Key: [(debtor: String?, data: EventData.Message)]] = [:]
        var audits: [AuditDraft] = []
        for (item, new) in zip(items, isNew) where new {
            let (tenant, m) = item
            if m.direction == .inbound {
                if let debtor = m.debtorID { try await attribute(tenant, debtor: debtor, column: "replied_at", at: m.at, until: m.at) }
                try await emit(tenant, .messageReceived, debtor: m.debtorID, data: EventData.Message(m, includeBody: true), at: m.at)
            } else if m.status == .sent {
                sent[.init(tenant: tenant, at: m.at), default: []].append((m.debtorID, EventData.Message(m, includeBody: false)))
                audits.append(Self.sentAudit(tenant, m, at: clock.now()))
            }
        }
        try await emitSent(sent)
        try await appendAudits(audits)
        return isNew
    }

    /// A message's columns, in the order of `messageColumns`.
    static func messageRow(_ tenant: String, _ m: MessageRecord) -> [SQLValue] {
        [
            .text(m.id), .text(tenant), .text(m.key), .text(m.direction.rawValue), .text(m.channel.rawValue), .time(m.at),
            .opt(m.debtorID), m.contactID.map { .int($0) } ?? .null, .opt(m.contactName), .opt(m.to), .opt(m.from),
            .text(Session.json(m.invoiceNumbers)), m.stage.map { .int(Int64($0)) } ?? .null,
            m.attempt.map { .int(Int64($0)) } ?? .null, .text(m.kind), .opt(m.subject), .text(m.body),
            .text(m.status.rawValue), .opt(m.providerID), .opt(m.error),
            .opt(m.html), .text(Session.json(m.attachments)), .opt(m.inReplyTo), .opt(m.understanding.map { Session.json($0) }),
            .text(Session.json(m.references)), .opt(m.composition?.composer), .opt(m.composition?.model),
            m.composition.map { .int(Int64($0.tokens)) } ?? .null, m.composition.map { .int(Int64($0.milliseconds)) } ?? .null,
            // The model's proposals (with their verdicts) are kept with the notes: the timeline shows both.
            .opt(m.composition.map { Session.json($0.notes + $0.proposals.map(\.reason.message)) }),
        ]
    }

    /// The audit entry of a message that went.
    static func sentAudit(_ tenant: String, _ m: MessageRecord, at: Date) -> AuditDraft {
        .system(tenant, action: "message.sent", object: m.id, detail: "\(m.channel.rawValue) \(m.kind) to debtor \(m.debtorID ?? "?")", at: at)
    }

    /// The `message.sent` events of messages that went (each at its message's instant), one
    /// statement per tenant and instant.
    func emitSent(_ sent: [SentEvents.Key: [(debtor: String?, data: EventData.Message)]]) async throws {
        for (key, items) in sent.sorted(by: { ($0.key.tenant, $0.key.at) < ($1.key.tenant, $1.key.at) }) {
            try await emit(key.tenant, .messageSent, items, at: key.at)
        }
    }

    /// Events of messages that went, grouped for `emitSent`.
    enum SentEvents {
        struct Key: Hashable {
            let tenant: String
            let at: Date
        }
    }

    /// The message with idempotency key `key`, if any.
    public func message(_ tenant: String, key: String) async throws -> MessageRecord? {
        try await row("SELECT * FROM messages WHERE tenant_id = ? AND idempotency_key = ?", [.text(tenant), .text(key)]).map(Session.message)
    }

    /// Records what a delivery try came to: status, provider id, error, when (the try, or the next
    /// one booked) and the number of tries. `wasSent`: whether it was stored as sent before (read
    /// when the caller does not know).
    public func saveDelivery(_ tenant: String, _ m: MessageRecord, wasSent: Bool? = nil) async throws {
        var before = wasSent
        if m.status == .sent && before == nil {
            before = try await row("SELECT status FROM messages WHERE tenant_id = ? AND id = ?", [.text(tenant), .text(m.id)]).map {
                try $0.string("status") == MessageRecord.Status.sent.rawValue
            }
        }
        try await saveDeliveries([(tenant, m, before == true)])
    }

    /// Records what delivery tries came to (see `saveDelivery`) for messages of any tenants, each
    /// with whether it was stored as sent before: the events and audit entries of those that just
    /// went, then every message's new state in one statement.
    public func saveDeliveries(_ items: [(tenant: String, message: MessageRecord, wasSent: Bool)]) async throws {
        guard !items.isEmpty else { return }
        var sent: [SentEvents.Key: [(debtor: String?, data: EventData.Message)]] = [:]
        var audits: [AuditDraft] = []
        for (tenant, m, wasSent) in items where m.status == .sent && !wasSent {
            sent[.init(tenant: tenant, at: m.at), default: []].append((m.debtorID, EventData.Message(m, includeBody: false)))
            audits.append(Self.sentAudit(tenant, m, at: clock.now()))
        }
        try await emitSent(sent)
        try await appendAudits(audits)
        // One UPDATE from a list of values (both engines read `UPDATE … FROM`).
        let columns = ["tenant_id", "id", "status", "provider_id", "error", "at", "delivery_attempts", "link_token"]
        let perStatement = max(1, dialect.maxBinds / columns.count)
        let tuple = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
        for start in stride(from: 0, to: items.count, by: perStatement) {
            let chunk = items[start..<min(items.count, start + perStatement)]
            try await exec(
                "WITH v (\(columns.joined(separator: ", "))) AS (VALUES " + Array(repeating: tuple, count: chunk.count).joined(separator: ",") + ")"
                    + """
                     UPDATE messages SET status = v.status, provider_id = v.provider_id, error = v.error, at = v.at,
                        delivery_attempts = v.delivery_attempts, link_token = v.link_token
                    FROM v WHERE messages.tenant_id = v.tenant_id AND messages.id = v.id
                    """,
                chunk.flatMap { (tenant, m, _) -> [SQLValue] in
                    [
                        .text(tenant), .text(m.id), .text(m.status.rawValue), .opt(m.providerID), .opt(m.error), .time(m.at),
                        .int(Int64(m.deliveryAttempts)), .opt(m.linkToken),
                    ]
                })
        }
    }

    /// The message behind a link token (any tenant: the token is the secret).
    public func message(linkToken: String) async throws -> (tenant: String, message: MessageRecord)? {
        guard let r = try await row("SELECT * FROM messages WHERE link_token = ?", [.text(linkToken)]) else { return nil }
        return (try r.string("tenant_id"), try Session.message(r))
    }

    /// The message a provider knows as `providerID` (`PROVIDER:ID`).
    public func message(_ tenant: String, providerID: String) async throws -> MessageRecord? {
        try await row("SELECT * FROM messages WHERE tenant_id = ? AND provider_id = ?", [.text(tenant), .text(providerID)]).map(Session.message)
    }

    /// Notes a provider's delivery report on a message. Reports arrive out of order and more than
    /// once: a later state never goes back (delivered stays delivered). A failure marks the message
    /// failed with the provider's words.
    public func applyDeliveryReport(_ tenant: String, id: String, state: String, detail: String, at: Date) async throws {
        let rank = ["queued": 0, "sent": 1, "undelivered": 2, "failed": 2, "delivered": 3]
        guard let current = try await message(tenant, id: id) else { return }
        if let was = current.deliveryStatus, (rank[was] ?? 0) > (rank[state] ?? 0) { return }
        if state == "failed" || state == "undelivered" {
            try await exec(
                "UPDATE messages SET delivery_status = ?, status = 'failed', error = ? WHERE tenant_id = ? AND id = ?",
                [.text(state), .text(detail), .text(tenant), .text(id)])
        } else {
            try await exec(
                "UPDATE messages SET delivery_status = ?, delivered_at = COALESCE(delivered_at, ?) WHERE tenant_id = ? AND id = ?",
                [.text(state), state == "delivered" ? .time(at) : .null, .text(tenant), .text(id)])
        }
    }

    /// Notes what became of a call: `answered`, `voicemail`, or the provider's final status
    /// (`completed`, `busy`, `no-answer`, `failed`, `canceled`). What happened on the call
    /// (answered, voicemail) is not overwritten by `completed`.
    public func noteCall(_ tenant: String, id: String, status: String, at: Date) async throws {
        if status == "completed" {
            try await exec(
                "UPDATE messages SET delivery_status = COALESCE(delivery_status, 'completed') WHERE tenant_id = ? AND id = ?", [.text(tenant), .text(id)])
        } else if ["busy", "no-answer", "failed", "canceled"].contains(status) {
            try await exec(
                "UPDATE messages SET delivery_status = ?, error = ? WHERE tenant_id = ? AND id = ?",
                [.text(status), .text("call \(status)"), .text(tenant), .text(id)])
        } else {
            try await exec(
                "UPDATE messages SET delivery_status = ?, delivered_at = COALESCE(delivered_at, ?) WHERE tenant_id = ? AND id = ?",
                [.text(status), .time(at), .text(tenant), .text(id)])
        }
    }

    /// Keeps where a call's recording is.
    public func setRecording(_ tenant: String, id: String, url: String) async throws {
        try await exec("UPDATE messages SET recording_url = ? WHERE tenant_id = ? AND id = ?", [.text(url), .text(tenant), .text(id)])
    }

    /// Reserves `sender`'s next second with room at or after `at` (shared by every worker: the
    /// store serialises writers).
    public func reserveSendSlot(_ tenant: String, sender: String, at: Date, perSecond: Int) async throws -> Date {
        let latest = try await row("SELECT second, used FROM send_slots WHERE tenant_id = ? AND sender = ?", [.text(tenant), .text(sender)])
            .map { (second: try $0.time("second"), used: Int(try $0.int("used"))) }
        let slot = SendRate.slot(latest: latest, at: at, perSecond: perSecond)
        try await exec(
            """
            INSERT INTO send_slots (tenant_id, sender, second, used) VALUES (?, ?, ?, ?)
            ON CONFLICT (tenant_id, sender) DO UPDATE SET second = excluded.second, used = excluded.used
            """, [.text(tenant), .text(sender), .time(slot.second), .int(Int64(slot.used))])
        return slot.second
    }

    /// Counts an open (`click` false) or a followed link of a message; the first time is kept.
    public func recordEngagement(_ tenant: String, message id: String, click: Bool, at: Date) async throws {
        let sql =
            click
            ? "UPDATE messages SET clicks = clicks + 1, clicked_at = COALESCE(clicked_at, ?) WHERE tenant_id = ? AND id = ?"
            : "UPDATE messages SET opens = opens + 1, opened_at = COALESCE(opened_at, ?) WHERE tenant_id = ? AND id = ?"
        try await exec(sql, [.time(at), .text(tenant), .text(id)])
    }

    /// Messages of the tenant in time order (outbound only by default).
    public func messages(_ tenant: String, direction: MessageRecord.Direction? = .outbound, debtor: String? = nil) async throws -> [MessageRecord] {
        var sql = "SELECT * FROM messages WHERE tenant_id = ?"
        var binds: [SQLValue] = [.text(tenant)]
        if let direction { sql += " AND direction = ?"; binds.append(.text(direction.rawValue)) }
        if let debtor { sql += " AND debtor_id = ?"; binds.append(.text(debtor)) }
        return try await rows(sql + " ORDER BY at, debtor_id, idempotency_key", binds).map(Session.message)
    }

    /// A page of messages in time order after `after` (a time and id), optionally of one debtor and channel.
    public func messages(
        _ tenant: String, direction: MessageRecord.Direction?, debtor: String?, channel: Channel?,
        after: (at: String, id: String)?, limit: Int
    ) async throws -> [MessageRecord] {
        var sql = "SELECT * FROM messages WHERE tenant_id = ?"
        var binds: [SQLValue] = [.text(tenant)]
        if let direction { sql += " AND direction = ?"; binds.append(.text(direction.rawValue)) }
        if let debtor { sql += " AND debtor_id = ?"; binds.append(.text(debtor)) }
        if let channel { sql += " AND channel = ?"; binds.append(.text(channel.rawValue)) }
        if let after { sql += " AND (at > ? OR (at = ? AND id > ?))"; binds += [.text(after.at), .text(after.at), .text(after.id)] }
        return try await rows(sql + " ORDER BY at, id LIMIT \(max(1, limit))", binds).map(Session.message)
    }

    static func message(_ r: any StoredRow) throws -> MessageRecord {
        guard let ch = Channel(rawValue: try r.string("channel")),
            let dir = MessageRecord.Direction(rawValue: try r.string("direction")),
            let st = MessageRecord.Status(rawValue: try r.string("status"))
        else { throw StoreError.corrupt("message row") }
        var m = MessageRecord(
            id: try r.string("id"), key: try r.string("idempotency_key"), direction: dir, channel: ch, at: try r.time("at"),
            debtorID: try r.optString("debtor_id"), contactID: try r.optInt("contact_id"), contactName: try r.optString("contact_name"),
            to: try r.optString("to_addr"), from: try r.optString("from_addr"),
            invoiceNumbers: try decodeJSON([String].self, try r.string("invoice_numbers")),
            stage: try r.optInt("stage").map(Int.init), attempt: try r.optInt("attempt").map(Int.init),
            kind: try r.string("kind"), subject: try r.optString("subject"), body: try r.string("body"), status: st,
            providerID: try r.optString("provider_id"), error: try r.optString("error"))
        m.html = try r.optString("html")
        m.attachments = try decodeJSON([DocumentRef].self, try r.optString("attachments") ?? "[]")
        m.inReplyTo = try r.optString("in_reply_to")
        m.understanding = try r.optString("understanding").map { try decodeJSON(Understanding.self, $0) }
        m.references = try decodeJSON([String].self, try r.optString("thread_refs") ?? "[]")
        m.deliveryAttempts = Int(try r.optInt("delivery_attempts") ?? 0)
        m.linkToken = try r.optString("link_token")
        m.openedAt = try r.optTime("opened_at")
        m.opens = Int(try r.optInt("opens") ?? 0)
        m.clickedAt = try r.optTime("clicked_at")
        m.clicks = Int(try r.optInt("clicks") ?? 0)
        m.deliveryStatus = try r.optString("delivery_status")
        m.deliveredAt = try r.optTime("delivered_at")
        m.recordingURL = try r.optString("recording_url")
        if let composer = try r.optString("composer") {
            m.composition = CompositionNote(
                composer: composer, model: try r.optString("composer_model"), tokens: Int(try r.optInt("llm_tokens") ?? 0),
                milliseconds: Int(try r.optInt("llm_ms") ?? 0),
                notes: try decodeJSON([String].self, try r.optString("composer_notes") ?? "[]"))
        }
        return m
    }

    /// The message with id `id`, if any.
    public func message(_ tenant: String, id: String) async throws -> MessageRecord? {
        try await row("SELECT * FROM messages WHERE tenant_id = ? AND id = ?", [.text(tenant), .text(id)]).map(Session.message)
    }

    /// Changes a message's status (and, when given, its time) — approving a draft, cancelling a call.
    public func setMessageStatus(_ tenant: String, id: String, status: MessageRecord.Status, at: Date? = nil) async throws {
        if let at {
            try await exec(
                "UPDATE messages SET status = ?, at = ? WHERE tenant_id = ? AND id = ?", [.text(status.rawValue), .time(at), .text(tenant), .text(id)])
        } else {
            try await exec("UPDATE messages SET status = ? WHERE tenant_id = ? AND id = ?", [.text(status.rawValue), .text(tenant), .text(id)])
        }
    }

    /// A debtor's messages with `status` due by `until` (booked calls), oldest first.
    public func messages(_ tenant: String, debtor: String, status: MessageRecord.Status, until: Date? = nil) async throws -> [MessageRecord] {
        var sql = "SELECT * FROM messages WHERE tenant_id = ? AND debtor_id = ? AND status = ?"
        var binds: [SQLValue] = [.text(tenant), .text(debtor), .text(status.rawValue)]
        if let until { sql += " AND at <= ?"; binds.append(.time(until)) }
        return try await rows(sql + " ORDER BY at, id", binds).map(Session.message)
    }
}

extension Session {
    /// A mailbox's cursor: its UIDVALIDITY and the highest UID processed.
    public func mailCursor(_ tenant: String, mailbox: String) async throws -> (uidValidity: UInt32, lastUID: UInt32)? {
        guard let r = try await row("SELECT uid_validity, last_uid FROM mail_cursors WHERE tenant_id = ? AND mailbox = ?", [.text(tenant), .text(mailbox)])
        else {
            return nil
        }
        return (UInt32(truncatingIfNeeded: try r.int("uid_validity")), UInt32(truncatingIfNeeded: try r.int("last_uid")))
    }

    /// Moves a mailbox's cursor.
    public func saveMailCursor(_ tenant: String, mailbox: String, uidValidity: UInt32, lastUID: UInt32, now: Date) async throws {
        try await exec(
            """
            INSERT INTO mail_cursors (tenant_id, mailbox, uid_validity, last_uid, updated_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (tenant_id, mailbox) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid, updated_at = excluded.updated_at
            """, [.text(tenant), .text(mailbox), .int(Int64(uidValidity)), .int(Int64(lastUID)), .time(now)])
    }

    /// The tenant's messages with these ids (email threading).
    public func messages(_ tenant: String, ids: [String]) async throws -> [MessageRecord] {
        guard !ids.isEmpty else { return [] }
        return try await rows(
            "SELECT * FROM messages WHERE tenant_id = ? AND id IN (\(ids.map { _ in "?" }.joined(separator: ", ")))",
            [.text(tenant)] + ids.map { .text($0) }
        ).map(Session.message)
    }

    /// Contacts (of any debtor) whose email is `address`.
    public func contacts(_ tenant: String, email address: String) async throws -> [Contact] {
        try await rows("SELECT * FROM contacts WHERE tenant_id = ? AND lower(email) = lower(?) ORDER BY id", [.text(tenant), .text(address)]).map(
            Session.contact)
    }
}

extension Session {
    /// How far back a reply or payment is credited to the attempt before it.
    public static let attributionWindow: TimeInterval = 14 * 86_400

    /// Credits a reply or payment (`column`) to the debtor's last attempt sent at or before `until`
    /// and no more than `attributionWindow` before it (last touch), unless that attempt already has one.
    func attribute(_ tenant: String, debtor: String, column: String, at: Date, until: Date) async throws {
        try await exec(
            """
            UPDATE messages SET \(column) = ? WHERE tenant_id = ? AND \(column) IS NULL AND id = (
              SELECT id FROM messages WHERE tenant_id = ? AND debtor_id = ? AND direction = 'out' AND status = 'sent' AND at <= ? AND at >= ?
              ORDER BY at DESC LIMIT 1)
            """, [.time(at), .text(tenant), .text(tenant), .text(debtor), .time(until), .time(until.addingTimeInterval(-Self.attributionWindow))])
    }
}

extension Session {
    /// The model's work since `since` (nil when no model wrote or was asked).
    public func modelUsage(_ tenant: String, since: Date) async throws -> ModelUsage? {
        guard
            let r = try await row(
                """
                SELECT COUNT(*) AS n, CAST(COALESCE(SUM(CASE WHEN composer = 'model' THEN 1 ELSE 0 END), 0) AS BIGINT) AS written,
                       CAST(COALESCE(SUM(llm_tokens), 0) AS BIGINT) AS tokens, CAST(COALESCE(SUM(llm_ms), 0) AS BIGINT) AS ms
                FROM messages WHERE tenant_id = ? AND at >= ? AND composer IS NOT NULL
                """, [.text(tenant), .time(since)]), let n = try r.optInt("n"), n > 0
        else { return nil }
        let written = Int(try r.int("written"))
        return ModelUsage(written: written, fellBack: Int(n) - written, tokens: Int(try r.int("tokens")), averageMilliseconds: Int(try r.int("ms")) / Int(n))
    }

    /// Tokens the tenant's model-written (and model-refused) messages spent since `since`.
    public func tokensSpent(_ tenant: String, since: Date) async throws -> Int {
        Int(
            try await row(
                "SELECT CAST(COALESCE(SUM(llm_tokens), 0) AS BIGINT) AS n FROM messages WHERE tenant_id = ? AND at >= ? AND llm_tokens IS NOT NULL",
                [.text(tenant), .time(since)])?.int("n") ?? 0)
    }
}
