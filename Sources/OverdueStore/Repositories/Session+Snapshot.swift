import Foundation
import OverdueCore

/// An outbound attempt as the dispatcher remembers it: what was decided and handed over, by key.
public struct RecordedAttempt: Hashable, Sendable {
    /// The attempt's idempotency key.
    public var key: String
    /// When it was made (or booked for).
    public var at: Date
    /// Its channel.
    public var channel: Channel
    /// Where it stands.
    public var status: MessageRecord.Status
    /// The contact it went to.
    public var contactID: Int64?
}

/// Everything stored about one debtor's case that a decision needs, read at once.
public struct CaseSnapshot: Sendable {
    /// The debtor.
    public var debtor: Debtor
    /// The ladder state (a fresh one for a case never planned).
    public var state: CaseState
    /// The stored case's status and reasons, nil for a case never planned.
    public var previous: (status: CaseStatus, reasons: [Reason])?
    /// Its contacts, in import order.
    public var contacts: [Contact]
    /// All its invoices, by due date then number.
    public var invoices: [Invoice]
    /// All its payments, by date then id.
    public var payments: [Payment]
    /// Its holds.
    public var holds: [Hold]
    /// Its contacts' opt-outs.
    public var suppressions: [Suppression]
    /// Its commitments, oldest first.
    public var commitments: [Commitment]
    /// Its disputes, oldest first.
    public var disputes: [Dispute]
    /// Every outbound attempt recorded, by time.
    public var outbound: [RecordedAttempt]
    /// Replies received in the snapshot's reply window, by time.
    public var replies: [ReceivedReply]
    /// Messages booked for later (callbacks, retries, rate-limited texts), oldest first.
    public var scheduled: [MessageRecord]
}

/// Which case to read, and the window of replies it sees (`Session.caseSnapshots`).
public struct SnapshotRequest: Sendable {
    /// The tenant.
    public var tenant: String
    /// The debtor.
    public var debtor: String
    /// Replies after this instant are in the snapshot…
    public var repliesSince: Date
    /// …up to and including this one.
    public var until: Date

    /// A case to read.
    public init(tenant: String, debtor: String, repliesSince: Date, until: Date) {
        (self.tenant, self.debtor, self.repliesSince, self.until) = (tenant, debtor, repliesSince, until)
    }
}

extension Session {
    /// The snapshot's parts: one JSON array per table, each a subquery on the requested case `k`.
    static let snapshotParts: [(name: String, columns: [String], from: String)] = {
        let mine = "WHERE tenant_id = k.tenant_id AND debtor_id = k.debtor_id"
        return [
            ("debtor", ["id", "name"], "FROM debtors WHERE tenant_id = k.tenant_id AND id = k.debtor_id"),
            ("kase", ["state", "status", "reasons"], "FROM cases \(mine)"),
            ("contacts", contactColumns, "FROM contacts \(mine)"),
            ("invoices", invoiceColumns, "FROM invoices \(mine)"),
            ("payments", paymentColumns, "FROM payments \(mine)"),
            ("holds", ["id", "debtor_id", "invoice_number", "reason", "until"], "FROM holds \(mine)"),
            (
                "suppressions", ["contact_id", "channel", "reason"],
                """
                FROM suppressions s WHERE s.tenant_id = k.tenant_id
                AND s.contact_id IN (SELECT c.id FROM contacts c WHERE c.tenant_id = k.tenant_id AND c.debtor_id = k.debtor_id)
                """
            ),
            ("commitments", commitmentColumns, "FROM commitments \(mine)"),
            ("disputes", disputeColumns, "FROM disputes \(mine)"),
            // Both directions in one part, told apart here: on the debtor's index alone, whatever the
            // planner knows (a condition on the direction lets PostgreSQL without fresh statistics
            // prefer an index led by tenant and direction, and scan every message of the tenant).
            ("messages", ["direction", "idempotency_key", "at", "channel", "status", "contact_id"], "FROM messages \(mine)"),
        ]
    }()

    /// The snapshot statement's select list (after the requested cases), written once per dialect.
    static func snapshotSelect(_ dialect: Dialect) -> String {
        " SELECT k.n AS n, " + snapshotParts.map { "\(dialect.jsonRows(columns: $0.columns, $0.from)) AS \($0.name)" }.joined(separator: ",\n")
            + " FROM k ORDER BY k.n"
    }
    static let snapshotSelectSQLite = snapshotSelect(.sqlite)
    static let snapshotSelectPostgres = snapshotSelect(.postgres)

    /// A debtor's case in one statement (two when messages are booked for later), whatever the
    /// number of its invoices, payments or messages. Replies are those in (`repliesSince`,
    /// `until`]; nothing else is cut by time (the caller decides what `until` hides). Nil when the
    /// debtor does not exist.
    public func caseSnapshot(_ tenant: String, debtor id: String, repliesSince: Date, until: Date) async throws -> CaseSnapshot? {
        try await caseSnapshots([SnapshotRequest(tenant: tenant, debtor: id, repliesSince: repliesSince, until: until)])[0].get()
    }

    /// Many cases in one statement, whatever their number or size: each table is aggregated into
    /// a JSON array by the database for each requested case, so a batch of plannings pays one
    /// statement (SQLite) or one round trip (PostgreSQL) instead of one per table and case. A case
    /// that cannot be read (a corrupt row) fails on its own; a debtor that does not exist is nil.
    public func caseSnapshots(_ requests: [SnapshotRequest]) async throws -> [Result<CaseSnapshot?, any Error>] {
        guard !requests.isEmpty else { return [] }
        var results: [Result<CaseSnapshot?, any Error>] = []
        results.reserveCapacity(requests.count)
        let perStatement = max(1, dialect.maxBinds / 3)
        for start in stride(from: 0, to: requests.count, by: perStatement) {
            let chunk = requests[start..<min(requests.count, start + perStatement)]
            let sql =
                "WITH k (tenant_id, debtor_id, n) AS (VALUES "
                + Array(repeating: "(?, ?, ?)", count: chunk.count).joined(separator: ", ") + ")"
                + (dialect == .sqlite ? Self.snapshotSelectSQLite : Self.snapshotSelectPostgres)
            let binds = chunk.enumerated().flatMap { i, r -> [SQLValue] in [.text(r.tenant), .text(r.debtor), .int(Int64(i))] }
            let rows = try await rows(sql, binds)
            guard rows.count == chunk.count else { throw StoreError.corrupt("a snapshot of \(chunk.count) cases gave \(rows.count) rows") }
            for (r, request) in zip(rows, chunk) {
                do { results.append(.success(try await snapshot(r, request))) } catch { results.append(.failure(error)) }
            }
        }
        return results
    }

    /// The case a row of the snapshot statement holds.
    private func snapshot(_ r: any StoredRow, _ request: SnapshotRequest) async throws -> CaseSnapshot? {
        func table(_ name: String) throws -> [JSONRow] { try JSONRow.array(try r.optString(name) ?? "[]", table: name) }
        guard let debtor = try table("debtor").first else { return nil }
        let kase = try table("kase").first
        var outbound: [RecordedAttempt] = []
        var replies: [ReceivedReply] = []
        for m in try table("messages") {
            guard let ch = Channel(rawValue: try m.string("channel")) else { continue }
            let at = try m.time("at")
            if try m.string("direction") == "out" {
                guard let st = MessageRecord.Status(rawValue: try m.string("status")) else { continue }
                outbound.append(RecordedAttempt(key: try m.string("idempotency_key"), at: at, channel: ch, status: st, contactID: try m.optInt("contact_id")))
            } else if at > request.repliesSince && at <= request.until {
                replies.append(ReceivedReply(at: at, channel: ch, contactID: try m.optInt("contact_id")))
            }
        }
        outbound.sort { ($0.at, $0.key) < ($1.at, $1.key) }
        replies.sort { $0.at < $1.at }
        let scheduled =
            outbound.contains { $0.status == .scheduled }
            ? try await messages(request.tenant, debtor: request.debtor, status: .scheduled) : []
        return CaseSnapshot(
            debtor: Debtor(id: try debtor.string("id"), name: try debtor.string("name")),
            state: try kase.map { try Session.decodeJSON(CaseState.self, try $0.string("state")) } ?? CaseState(),
            previous: try kase.map {
                (CaseStatus(rawValue: try $0.string("status")) ?? .idle, try Session.decodeJSON([Reason].self, try $0.string("reasons")))
            },
            contacts: try table("contacts").map(Session.contact).sorted { $0.id < $1.id },
            invoices: try table("invoices").map(Session.invoice).sorted { ($0.dueDate, $0.number) < ($1.dueDate, $1.number) },
            payments: try table("payments").map(Session.payment).sorted { ($0.date, $0.id) < ($1.date, $1.id) },
            holds: try table("holds").sorted { (try $0.int("id")) < (try $1.int("id")) }.map(Session.hold),
            suppressions: try table("suppressions").map(Session.suppression).sorted {
                ($0.contactID, $0.channel?.rawValue ?? "all") < ($1.contactID, $1.channel?.rawValue ?? "all")
            },
            commitments: try table("commitments").map(Session.commitment).sorted { ($0.madeAt, $0.id) < ($1.madeAt, $1.id) },
            disputes: try table("disputes").map(Session.dispute).sorted { ($0.openedAt, $0.id) < ($1.openedAt, $1.id) },
            outbound: outbound,
            replies: replies,
            scheduled: scheduled)
    }
}

extension Dialect {
    /// A scalar subquery giving the rows of `from` (a `FROM … WHERE …` clause) as a JSON array of
    /// objects with `columns` as text (`[]` when there are none).
    func jsonRows(columns: [String], _ from: String) -> String {
        switch self {
        case .sqlite:
            let pairs = columns.map { "'\($0)', \($0)" }.joined(separator: ", ")
            return "(SELECT json_group_array(json_object(\(pairs))) \(from))"
        case .postgres:
            let pairs = columns.map { "'\($0)', \($0)" }.joined(separator: ", ")
            return "(SELECT coalesce(json_agg(json_build_object(\(pairs))), '[]'::json)::text \(from))"
        }
    }
}

/// One object of a JSON array the database built (see `Dialect.jsonRows`), read like a row.
struct JSONRow: StoredRow {
    enum Value {
        case text(String)
        case int(Int64)
        case number(Double)
        case bool(Bool)
        case null
    }

    let values: [String: Value]

    /// The objects of `text`, a JSON array of flat objects (what `json_group_array(json_object(…))`
    /// and `json_agg(json_build_object(…))` produce). Read by hand: a planning reads a few of these
    /// and a general decoder spent more than the query.
    static func array(_ text: String, table: String) throws -> [JSONRow] {
        var reader = FlatJSONReader(Array(text.utf8))
        do { return try reader.rows() } catch { throw StoreError.corrupt("the \(table) of a case snapshot are not JSON rows: \(error)") }
    }

    func optString(_ c: String) throws -> String? {
        switch values[c] {
        case .text(let s): return s
        case .int(let i): return String(i)
        case .number(let d): return String(d)
        case .bool(let b): return b ? "1" : "0"
        case .null: return nil
        case nil: throw StoreError.corrupt("no column \(c)")
        }
    }

    func optInt(_ c: String) throws -> Int64? {
        switch values[c] {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        case .text(let s):
            guard let i = Int64(s) else { throw StoreError.corrupt("column \(c) is not an integer") }
            return i
        case .number(let d):
            guard let i = Int64(exactly: d) else { throw StoreError.corrupt("column \(c) is not an integer") }
            return i
        case .null: return nil
        case nil: throw StoreError.corrupt("no column \(c)")
        }
    }
}

/// Reads a JSON array of flat objects (values: strings, numbers, booleans, null).
struct FlatJSONReader {
    struct Malformed: Error, CustomStringConvertible {
        let at: Int
        let why: String
        var description: String { "\(why) at byte \(at)" }
    }

    let bytes: [UInt8]
    var i = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func rows() throws -> [JSONRow] {
        var rows: [JSONRow] = []
        try expect(UInt8(ascii: "["))
        if try peek() == UInt8(ascii: "]") {
            i += 1
            return rows
        }
        while true {
            rows.append(JSONRow(values: try object()))
            let c = try next()
            if c == UInt8(ascii: "]") { return rows }
            guard c == UInt8(ascii: ",") else { throw Malformed(at: i - 1, why: "expected , or ]") }
        }
    }

    mutating func object() throws -> [String: JSONRow.Value] {
        var values: [String: JSONRow.Value] = [:]
        try expect(UInt8(ascii: "{"))
        if try peek() == UInt8(ascii: "}") {
            i += 1
            return values
        }
        while true {
            guard try peek() == UInt8(ascii: "\"") else { throw Malformed(at: i, why: "expected a key") }
            let key = try string()
            try expect(UInt8(ascii: ":"))
            values[key] = try value()
            let c = try next()
            if c == UInt8(ascii: "}") { return values }
            guard c == UInt8(ascii: ",") else { throw Malformed(at: i - 1, why: "expected , or }") }
        }
    }

    mutating func value() throws -> JSONRow.Value {
        switch try peek() {
        case UInt8(ascii: "\""): return .text(try string())
        case UInt8(ascii: "n"): try word("null"); return .null
        case UInt8(ascii: "t"): try word("true"); return .bool(true)
        case UInt8(ascii: "f"): try word("false"); return .bool(false)
        default: return try number()
        }
    }

    mutating func number() throws -> JSONRow.Value {
        let start = i
        while i < bytes.count, "+-0123456789.eE".utf8.contains(bytes[i]) { i += 1 }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if let n = Int64(text) { return .int(n) }
        if let d = Double(text) { return .number(d) }
        throw Malformed(at: start, why: "expected a value")
    }

    mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        var out: [UInt8] = []
        while i < bytes.count {
            let c = bytes[i]
            i += 1
            switch c {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard i < bytes.count else { break }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar), i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                        i += 2
                        let low = try hex4()
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    out.append(contentsOf: Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8))
                default: out.append(e)
                }
            default:
                out.append(c)
            }
        }
        throw Malformed(at: i, why: "unterminated string")
    }

    mutating func hex4() throws -> UInt32 {
        guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else {
            throw Malformed(at: i, why: "bad \\u escape")
        }
        i += 4
        return v
    }

    mutating func word(_ w: String) throws {
        for b in w.utf8 { guard try next() == b else { throw Malformed(at: i - 1, why: "expected \(w)") } }
    }

    mutating func expect(_ b: UInt8) throws {
        guard try next() == b else { throw Malformed(at: i - 1, why: "expected \(Character(Unicode.Scalar(b)))") }
    }

    /// The next byte that is not white space, consumed.
    mutating func next() throws -> UInt8 {
        let c = try peek()
        i += 1
        return c
    }

    /// The next byte that is not white space.
    mutating func peek() throws -> UInt8 {
        while i < bytes.count, bytes[i] == 32 || bytes[i] == 10 || bytes[i] == 13 || bytes[i] == 9 { i += 1 }
        guard i < bytes.count else { throw Malformed(at: i, why: "unexpected end") }
        return bytes[i]
    }
}
