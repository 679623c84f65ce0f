import Foundation
import Hummingbird
import NIOFoundationEssentialsCompat
import OverdueCore
import OverdueUseCases

/// One bad field of a request, as RFC 9457's `errors` extension lists it: a JSON Pointer into the
/// body (or `#/query/NAME` for a query parameter) and what is wrong with it.
struct FieldError: Encodable, Hashable, Sendable {
    let pointer: String
    let detail: String
}

/// A parsed JSON value: what a request body holds before it is checked.
enum JSONValue: Codable, Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    var isNull: Bool { if case .null = self { return true }; return false }

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int64.self) {
            self = .integer(i)
        } else if let d = try? c.decode(Double.self) {
            self = .number(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .integer(let i): try c.encode(i)
        case .number(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}

/// Reads a JSON object field by field and collects every problem, so that one answer names all the
/// bad fields instead of the first; `done()` throws them as one 422 problem. Unknown fields are
/// errors too: a typo must not be silently ignored.
struct Fields {
    let object: [String: JSONValue]
    let pointer: String
    private(set) var errors: [FieldError] = []
    private var read: Set<String> = []

    init(_ object: [String: JSONValue], pointer: String = "") {
        self.object = object
        self.pointer = pointer
    }

    /// The body of `request` as a JSON object (400 when it is not one).
    static func body(_ request: Request, limit: Int = 1 << 20) async throws -> Fields {
        let buffer = try await request.body.collect(upTo: limit)
        guard buffer.readableBytes > 0 else { return Fields([:]) }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: buffer)) else {
            throw Problem.badRequest("the body is not valid JSON")
        }
        guard case .object(let object) = value else { throw Problem.badRequest("the body must be a JSON object") }
        return Fields(object)
    }

    func at(_ key: String) -> String { "\(pointer)/\(key)" }

    mutating func fail(_ key: String, _ detail: String) { errors.append(FieldError(pointer: at(key), detail: detail)) }

    mutating func raw(_ key: String, required: Bool) -> JSONValue? {
        read.insert(key)
        guard let v = object[key], !v.isNull else {
            if required { fail(key, "is required") }
            return nil
        }
        return v
    }

    mutating func string(_ key: String, required: Bool = true, maxLength: Int = 500) -> String? {
        guard let v = raw(key, required: required) else { return nil }
        guard case .string(let s) = v else { fail(key, "must be a string"); return nil }
        let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
        if t.isEmpty { if required { fail(key, "must not be empty") }; return nil }
        if t.count > maxLength { fail(key, "is longer than \(maxLength) characters"); return nil }
        return t
    }

    mutating func choice<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type, required: Bool = true) -> E? where E.RawValue == String {
        guard let s = string(key, required: required) else { return nil }
        guard let e = E(rawValue: s) else {
            fail(key, "must be one of \(E.allCases.map(\.rawValue).joined(separator: ", ")) (got '\(s)')")
            return nil
        }
        return e
    }

    mutating func integer(_ key: String, required: Bool = true, range: ClosedRange<Int64> = Int64.min...Int64.max) -> Int64? {
        guard let v = raw(key, required: required) else { return nil }
        guard case .integer(let i) = v else { fail(key, "must be an integer"); return nil }
        guard range.contains(i) else { fail(key, "must be between \(range.lowerBound) and \(range.upperBound) (got \(i))"); return nil }
        return i
    }

    mutating func bool(_ key: String) -> Bool? {
        guard let v = raw(key, required: false) else { return nil }
        guard case .bool(let b) = v else { fail(key, "must be true or false"); return nil }
        return b
    }

    mutating func strings(_ key: String, required: Bool = true) -> [String]? {
        guard let v = raw(key, required: required) else { return nil }
        guard case .array(let a) = v else { fail(key, "must be an array of strings"); return nil }
        let strings = a.compactMap { item -> String? in
            if case .string(let s) = item { return s.trimmingCharacters(in: .whitespaces) }; return nil
        }
        guard strings.count == a.count else { fail(key, "must be an array of strings"); return nil }
        return strings
    }

    mutating func date(_ key: String, required: Bool = true) -> LocalDate? {
        guard let s = string(key, required: required) else { return nil }
        guard let d = LocalDate.parse(s) else { fail(key, "must be a date YYYY-MM-DD (got '\(s)')"); return nil }
        return d
    }

    mutating func time(_ key: String, required: Bool = true) -> Date? {
        guard let s = string(key, required: required) else { return nil }
        guard let d = Timestamp.parse(s) else { fail(key, "must be an RFC 3339 time such as 2026-11-26T15:00:00Z (got '\(s)')"); return nil }
        return d
    }

    mutating func currency(_ key: String, required: Bool = true) -> Currency? {
        guard let s = string(key, required: required) else { return nil }
        guard let c = Currency(s.uppercased()) else { fail(key, "must be an ISO 4217 currency code such as USD (got '\(s)')"); return nil }
        return c
    }

    mutating func objects(_ key: String, required: Bool = true, max: Int = 10_000) -> [Fields]? {
        guard let v = raw(key, required: required) else { return nil }
        guard case .array(let a) = v else { fail(key, "must be an array of objects"); return nil }
        if a.count > max { fail(key, "holds \(a.count) items; at most \(max) per request"); return nil }
        var out: [Fields] = []
        for (i, item) in a.enumerated() {
            guard case .object(let o) = item else { errors.append(FieldError(pointer: "\(at(key))/\(i)", detail: "must be an object")); continue }
            out.append(Fields(o, pointer: "\(at(key))/\(i)"))
        }
        return out
    }

    /// Takes a nested reader's errors (and its unknown fields) into this one.
    mutating func absorb(_ other: Fields) {
        errors += other.errors + other.unknown
    }

    var unknown: [FieldError] {
        object.keys.filter { !read.contains($0) }.sorted().map { FieldError(pointer: at($0), detail: "is not a known field") }
    }

    /// Throws every collected problem as one 422.
    func done() throws {
        let all = errors + unknown
        guard all.isEmpty else { throw Problem.validation(all) }
    }
}

/// Query parameters, read and checked the same way (pointers `#/query/NAME`).
struct Query {
    let request: Request
    private(set) var errors: [FieldError] = []

    init(_ request: Request) { self.request = request }

    /// The parameter's value, nil when absent. Given but empty (`?channel=`) or given more than
    /// once (`?limit=1&limit=2`) is an error, never read as absent or as one of the values.
    mutating func value(_ name: String) -> String? {
        let given = request.uri.queryParameters.getAll(name)
        guard let first = given.first else { return nil }
        guard given.count == 1 else {
            fail(name, "is given \(given.count) times; give it once")
            return nil
        }
        let text = first.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else {
            fail(name, "must not be empty (leave it out instead)")
            return nil
        }
        return text
    }

    /// A `true`/`false` parameter (absent: false).
    mutating func flag(_ name: String) -> Bool {
        guard let s = value(name) else { return false }
        guard let b = Bool(s) else {
            fail(name, "must be true or false (got '\(s)')")
            return false
        }
        return b
    }

    mutating func fail(_ name: String, _ detail: String) { errors.append(FieldError(pointer: "#/query/\(name)", detail: detail)) }

    mutating func choice<E: RawRepresentable & CaseIterable>(_ name: String, _ type: E.Type) -> E? where E.RawValue == String {
        guard let s = value(name) else { return nil }
        guard let e = E(rawValue: s) else { fail(name, "must be one of \(E.allCases.map(\.rawValue).joined(separator: ", ")) (got '\(s)')"); return nil }
        return e
    }

    mutating func choices<E: RawRepresentable & CaseIterable>(_ name: String, _ type: E.Type) -> [E] where E.RawValue == String {
        guard let s = value(name) else { return [] }
        var out: [E] = []
        for part in s.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let e = E(rawValue: part) else { fail(name, "'\(part)' is not one of \(E.allCases.map(\.rawValue).joined(separator: ", "))"); continue }
            out.append(e)
        }
        return out
    }

    mutating func integer(_ name: String, range: ClosedRange<Int64>) -> Int64? {
        guard let s = value(name) else { return nil }
        guard let i = Int64(s), range.contains(i) else {
            fail(name, "must be an integer from \(range.lowerBound) to \(range.upperBound) (got '\(s)')"); return nil
        }
        return i
    }

    /// `limit` (1…500, default 50).
    mutating func limit() -> Int { Int(integer("limit", range: 1...500) ?? 50) }

    /// An opaque cursor from a previous page's `next_cursor`.
    mutating func cursor() -> Cursor? {
        guard let s = value("cursor") else { return nil }
        guard let c = Cursor(token: s) else { fail("cursor", "is not a cursor this API gave out"); return nil }
        return c
    }

    func done() throws {
        guard errors.isEmpty else { throw Problem.validation(errors) }
    }
}

/// A page position: the sort key and id of the last item of the previous page, base64url-encoded
/// so clients treat it as opaque.
struct Cursor: Hashable, Sendable {
    let key: String
    let id: String

    init(key: String, id: String) {
        self.key = key
        self.id = id
    }

    init?(token: String) {
        var b64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        guard let data = Data(base64Encoded: b64), let text = String(data: data, encoding: .utf8),
            let sep = text.firstIndex(of: "\u{1F}")
        else { return nil }
        key = String(text[..<sep])
        id = String(text[text.index(after: sep)...])
    }

    var token: String {
        Data("\(key)\u{1F}\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

/// A page of a listing: `items`, and `next_cursor` when there are more.
struct PageOf<T: Encodable>: Encodable {
    let items: [T]
    let next_cursor: String?

    /// Cuts `sorted` (already ordered by the listing's sort and filtered past the cursor) to `limit`.
    init(_ sorted: [T], limit: Int, cursor: (T) -> Cursor) {
        items = Array(sorted.prefix(limit))
        next_cursor = sorted.count > limit ? items.last.map { cursor($0).token } : nil
    }

    init(items: [T], next: String?) {
        self.items = items
        next_cursor = next
    }
}

/// Every kind of problem the server answers with, in one place: its type URI, title and status.
extension Problem {
    /// Where problem types live: `https://overdue.dev/problems/KIND`.
    static let base = "https://overdue.dev/problems/"

    /// A problem of `kind` (the last part of its type URI).
    init(_ kind: String, _ title: String, _ status: Int, _ detail: String, errors: [FieldError]? = nil, retryAfter: Int? = nil) {
        self.init(type: Self.base + kind, title: title, status: status, detail: detail, errors: errors, retryAfter: retryAfter)
    }

    static func badRequest(_ detail: String) -> Problem { Problem("bad-request", "Bad request", 400, detail) }

    /// The request is well-formed but not one this endpoint takes (a webhook of another kind).
    static func invalidRequest(_ detail: String) -> Problem { Problem("invalid-request", "Invalid request", 422, detail) }

    /// The caller may not do this.
    static func forbidden(_ detail: String) -> Problem { Problem("forbidden", "Forbidden", 403, detail) }

    /// A change made with a session carried no (or a stale) CSRF token.
    static func csrf(_ detail: String) -> Problem { Problem("csrf", "Forbidden", 403, detail) }

    /// Too many requests; retry after `seconds`.
    static func rateLimited(_ detail: String, retryAfter seconds: Int) -> Problem {
        Problem("rate-limited", "Too many requests", 429, detail, retryAfter: seconds)
    }

    static func validation(_ errors: [FieldError]) -> Problem {
        Problem(
            type: Problem.base + "validation", title: "Invalid request", status: 422,
            detail: errors.count == 1 ? "\(errors[0].pointer) \(errors[0].detail)" : "\(errors.count) fields are invalid; see errors",
            errors: errors)
    }

    static func notFound(_ detail: String) -> Problem { Problem("not-found", "Not found", 404, detail) }
    static func methodNotAllowed(_ detail: String) -> Problem { Problem("method-not-allowed", "Method not allowed", 405, detail) }

    /// Runs a use case, its refusal turned into the problem it is at the API (for a door that
    /// shows 422s on its form rather than answering them).
    static func presenting<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let refused as UseCaseError { throw Problem(refused) }
    }

    /// The problem a use case's refusal is at the API: invalid input 422 with each field as a JSON
    /// Pointer into the body, something missing 404, a state that forbids it 409.
    init(_ refused: UseCaseError) {
        switch refused.kind {
        case .invalid: self = .validation(refused.problems.map { FieldError(pointer: "/" + $0.field, detail: $0.message) })
        case .notFound: self = .notFound(refused.problems.map(\.message).joined(separator: "; "))
        case .unauthorized:
            self = Problem(
                type: Problem.base + (refused.code ?? "unauthorized").replacingOccurrences(of: "_", with: "-"), title: "Unauthorized",
                status: 401, detail: refused.problems.map(\.message).joined(separator: "; "))
        case .forbidden:
            self = Problem.forbidden(refused.problems.map(\.message).joined(separator: "; "))
        case .conflict:
            switch refused.code {
            case "contact_rules":
                self = Problem(
                    type: Problem.base + "contact-rules", title: "Not allowed now", status: 409,
                    detail: refused.problems.map(\.message).joined(separator: "; "),
                    errors: refused.problems.map { FieldError(pointer: "#/rule/\($0.field)", detail: $0.message) })
            case "not_a_draft":
                self = Problem(
                    type: Problem.base + "not-a-draft", title: "Not a draft", status: 409,
                    detail: refused.problems.map(\.message).joined(separator: "; "))
            default:
                self = .conflict(refused.description)
            }
        }
    }

    static func conflict(_ detail: String) -> Problem {
        Problem(type: Problem.base + "conflict", title: "Conflict", status: 409, detail: detail)
    }
}
