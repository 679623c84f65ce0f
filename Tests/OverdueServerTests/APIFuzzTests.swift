import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import OverdueCore
@testable import OverdueServer
@testable import OverdueStore

/// Issue 20's fuzzing requirement for the API's JSON bodies and a provider's webhook form: 10,000
/// generated requests against the live server (real HTTP) — bodies shaped like each endpoint's
/// (its field names, with values of every wrong type, size and encoding), broken JSON, deep
/// nesting, garbage bytes, and unsigned or mangled Twilio forms. Every answer is a 2xx or a
/// problem (`application/problem+json`), never a 5xx, in under a second; a refused request
/// changes nothing in the tenant's data.
@Suite struct APIFuzzTests {
    /// The corpus seed: request `i` comes from `seed + i`.
    static let seed: UInt64 = 20_261_207

    /// (method, path, the fields its body has) for the endpoints that take JSON.
    static let endpoints: [(HTTPRequest.Method, String, [String])] = [
        (.post, "/api/v1/holds", ["debtor_id", "invoice", "until", "reason"]),
        (.post, "/api/v1/invoices", ["rows", "invoice_number", "debtor_id", "debtor_name", "amount", "currency", "issue_date", "due_date"]),
        (.post, "/api/v1/contacts", ["rows", "debtor_id", "name", "email", "phone", "timezone", "sms_consent"]),
        (.post, "/api/v1/payments", ["rows", "debtor_id", "amount", "currency", "date", "reference", "invoice_number"]),
        (.post, "/api/v1/messages", ["channel", "from", "text", "subject", "at", "provider_id"]),
        (.put, "/api/v1/policy", ["name", "stages", "channel", "attempts", "gap_days", "start_after_days"]),
        (.post, "/api/v1/templates/preview", ["name", "channel", "debtor_id", "subject", "body"]),
        (.put, "/api/v1/templates/sms/reminder.friendly", ["subject", "body"]),
        (.post, "/api/v1/webhooks", ["url", "events", "description"]),
        (.post, "/api/v1/cases/S001/takeover", ["note", "reason"]),
    ]

    @Test func tenThousandHostileRequestsGetAnAnswerAndChangeNothingWhenRefused() async throws {
        // No rate limit: the fuzzer is one caller sending 10,000 requests in a few seconds.
        try await APITests().withApp(configure: {
            $0.apiRatePerMinute = 10_000_000; $0.authFailuresPerMinute = 10_000_000
        }) { client, store in
            var refused = 0
            var accepted = 0
            var statuses: [Int: Int] = [:]
            for index in 0..<10_000 {
                var g = HostileRequest(seed: Self.seed &+ UInt64(index))
                let (method, uri, body, headers) = g.request()
                let checkData = index % 25 == 0
                let before = checkData ? try await Self.fingerprint(store) : []
                var status = 0
                var problem = true
                var elapsed = Duration.zero
                let started = ContinuousClock.now
                try await client.execute(uri: uri, method: method, headers: headers, body: ByteBuffer(bytes: body)) { response in
                    status = Int(response.status.code)
                    problem = response.headers[.contentType]?.hasPrefix("application/problem+json") == true
                }
                elapsed = ContinuousClock.now - started
                statuses[status, default: 0] += 1
                let context = "request \(index) (seed \(Self.seed &+ UInt64(index))): \(method) \(uri), \(body.count) bytes"
                #expect(status < 500, "\(context): answered \(status)")
                // A hang, not a speed: the server shares the machine with every other suite. What a
                // request parses is held to 1 s of CPU by the parsers' own fuzzers.
                #expect(elapsed < .seconds(30), "\(context): took \(elapsed)")
                if status >= 400 {
                    refused += 1
                    // The API answers problems; a provider's webhook answers the provider (plain words).
                    if uri.hasPrefix("/api/") { #expect(problem, "\(context): a \(status) that is not a problem document") }
                    if checkData { #expect(try await Self.fingerprint(store) == before, "\(context): refused, yet the data changed") }
                } else {
                    accepted += 1
                }
            }
            // A body over the route's limit: a problem saying so (413), not a server error.
            try await client.execute(
                uri: "/api/v1/cases/S001/takeover", method: .post, headers: ResourceAPITests.headers(),
                body: ByteBuffer(string: "{\"by\": \"" + String(repeating: "x", count: 300_000) + "\"}")
            ) { response in
                #expect(
                    response.status == .contentTooLarge && response.headers[.contentType]?.hasPrefix("application/problem+json") == true,
                    "\(response.status) \(String(buffer: response.body).prefix(300))")
            }
            // The corpus reaches both sides of every check.
            #expect(refused > 5_000 && accepted > 50, "refused \(refused), accepted \(accepted): \(statuses.sorted { $0.key < $1.key })")
            #expect(try await store.read { try await $0.brokenAuditLink() } == nil)
        }
    }

    /// The tenant's data, as counts per table (what a refused request must leave alone).
    static func fingerprint(_ store: Store) async throws -> [Int64] {
        try await store.read { s in
            var counts: [Int64] = []
            for table in ["debtors", "invoices", "contacts", "payments", "holds", "commitments", "disputes", "messages", "templates", "webhook_subscriptions"] {
                counts.append(try await s.row("SELECT COUNT(*) AS n FROM \(table) WHERE tenant_id = 'demo'")?.int("n") ?? -1)
            }
            return counts
        }
    }
}

/// Makes one hostile request from a seed.
private struct HostileRequest: SeededDrawing {
    var rng: SeededGenerator

    init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

    static let strings = [
        "", " ", "S001", "NOBODY", "INV-100", "2026-02-30", "2026-13-01", "9999-12-31T23:59:59Z", "-1", "1e309", "NaN", "0x10", "USD", "usd", "XXX",
        "email", "sms", "voice", "fax", "{{#a}}{{#a}}{{/a}}{{/a}}", "{{> partial}}", "<script>alert(1)</script>", "'; DROP TABLE invoices; --",
        "\u{0}", "\r\nBcc: x@evil.example", "😀", "\u{202E}evil", "https://169.254.169.254/", "http://127.0.0.1:1/", "javascript:alert(1)",
        "ap@shipper.example", "+13125550101", "America/Chicago", "Mars/Olympus", "true", "null",
    ]

    mutating func string() -> String {
        switch int(0...9) {
        // Long, but within every route's limit: a body over it is answered 413 and the connection
        // closed (see the last request of the test).
        case 0: return String(repeating: pick(["A", "é", "😀", "{{", "9"]), count: int(1_000...12_000))
        case 1: return String((0..<int(1...40)).map { _ in Character(Unicode.Scalar(UInt8(int(0...127)))) })
        default: return pick(Self.strings)
        }
    }

    mutating func value(depth: Int = 0) -> Any {
        switch int(0...(depth > 3 ? 5 : 8)) {
        case 0, 1, 2: return string()
        case 3: return pick([0, -1, 1, Int.max, Int.min, 2_147_483_648]) as Int
        case 4: return pick([0.5, -0.0, 1e300, 12.345]) as Double
        case 5: return pick([true, false])
        case 6: return NSNull()
        case 7: return (0..<int(0...4)).map { _ in value(depth: depth + 1) }
        default: return Dictionary(uniqueKeysWithValues: (0..<int(0...4)).map { i in ("k\(i)", value(depth: depth + 1)) })
        }
    }

    mutating func body(fields: [String]) -> [UInt8] {
        switch int(0...19) {
        case 0: return (0..<int(0...512)).map { _ in UInt8(int(0...255)) }  // not JSON at all
        case 1: return Array((String(repeating: "[", count: int(100...40_000)) + String(repeating: "]", count: int(0...100))).utf8)  // deep nesting
        case 2: return Array("{\"\(pick(fields))\": ".utf8)  // cut short
        case 3: return []
        default:
            var object: [String: Any] = [:]
            for f in fields where chance(0.6) { object[f] = value() }
            if chance(0.2) { object[string()] = value() }
            if chance(0.15), fields.contains("rows") { object = ["rows": (0..<int(0...5)).map { _ in object }] }
            guard JSONSerialization.isValidJSONObject(object), let data = try? JSONSerialization.data(withJSONObject: object) else { return Array("{}".utf8) }
            var bytes = [UInt8](data)
            if chance(0.05), !bytes.isEmpty { bytes[int(0...(bytes.count - 1))] = UInt8(int(0...255)) }  // one byte flipped
            return bytes
        }
    }

    mutating func request() -> (HTTPRequest.Method, String, [UInt8], HTTPFields) {
        var headers = HTTPFields()
        if chance(0.1) {
            // A provider's webhook: a form, unsigned or signed with nonsense.
            headers[.contentType] = "application/x-www-form-urlencoded"
            if chance(0.5) { headers[HTTPField.Name("X-Twilio-Signature")!] = string().replacingOccurrences(of: "\r\n", with: "") }
            let form = (0..<int(0...8)).map { _ in "\(pick(["From", "To", "Body", "MessageSid", "AccountSid", "%ZZ", "a[]"]))=\(string().prefix(300))" }
            let text = form.joined(separator: "&").addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? ""
            return (.post, "/webhooks/twilio/sms?tenant=\(pick(["demo", "nobody", "", "%00"]))", Array(text.utf8), headers)
        }
        let (method, path, fields) = pick(APIFuzzTests.endpoints)
        headers[.authorization] = "Bearer \(APITests.ownerKey)"
        headers[.contentType] = chance(0.95) ? "application/json" : pick(["text/plain", "application/json; charset=latin1", ""])
        return (method, path, body(fields: fields), headers)
    }
}
