import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import OverdueServer
@testable import OverdueStore

/// The served OpenAPI document is valid (openapi-spec-validator), names exactly the routes the
/// server registers, and real answers of the server validate against its schemas
/// (openapi-schema-validator, via scripts/check-openapi.py).
@Suite struct OpenAPITests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func spec() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
    }

    /// `router.get("/api/v1/x/:id"` or `router.api(.get, "/api/v1/x/:id"` in the server's sources → `GET /api/v1/x/{id}`.
    static func registeredRoutes() throws -> Set<String> {
        let dir = repo.appendingPathComponent("Sources/OverdueServer")
        var out = Set<String>()
        let pattern = try NSRegularExpression(pattern: #"router\.(?:api\(\.)?(get|post|put|patch|delete)(?:\(|, )"([^"]+)""#)
        for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let method = String(text[Range(m.range(at: 1), in: text)!]).uppercased()
                let path = String(text[Range(m.range(at: 2), in: text)!])
                    .split(separator: "/", omittingEmptySubsequences: false).map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(
                        separator: "/")
                if path.hasPrefix("/api/") || path.hasPrefix("/auth/") || path.hasPrefix("/health") || path == "/readyz" { out.insert("\(method) \(path)") }
            }
        }
        return out
    }

    @Test func theDocumentNamesExactlyTheServedRoutes() throws {
        let documented = Set(
            try Self.spec()["paths"].flatMap { $0 as? [String: [String: Any]] }!.flatMap { path, ops in ops.keys.map { "\($0.uppercased()) \(path)" } })
        let registered = try Self.registeredRoutes()
        #expect(registered.count > 50)
        #expect(registered.subtracting(documented).sorted() == [], "served but not documented")
        #expect(documented.subtracting(registered).sorted() == [], "documented but not served")
    }

    @Test func theServedDocumentIsValidAndAnswersMatchIt() async throws {
        try await APITests().withApp { client, store in
            let doc = try await client.execute(uri: "/api/v1/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                return String(buffer: response.body)
            }
            let number = try #require(try await store.read { try await $0.invoices("demo", debtor: "S001") }.first?.number)
            let message = try await store.read { try await $0.messages("demo", direction: .outbound, debtor: "S001") }.first?.id ?? "none"
            var auth = HTTPFields()
            auth[.authorization] = "Bearer \(APITests.ownerKey)"
            auth[.contentType] = "application/json"
            // (method, template, uri, body)
            let calls: [(String, String, String, String?)] = [
                ("GET", "/health", "/health", nil),
                ("GET", "/api/v1/cases", "/api/v1/cases?sort=-balance&limit=5", nil),
                ("GET", "/api/v1/cases/{debtor}", "/api/v1/cases/S001", nil),
                ("GET", "/api/v1/cases/{debtor}", "/api/v1/cases/NOBODY", nil),
                ("GET", "/api/v1/cases", "/api/v1/cases?aging=old", nil),
                ("GET", "/api/v1/outbox", "/api/v1/outbox?debtor=S001", nil),
                ("GET", "/api/v1/inbox", "/api/v1/inbox", nil),
                ("GET", "/api/v1/disputes", "/api/v1/disputes", nil),
                ("GET", "/api/v1/contact-proposals", "/api/v1/contact-proposals", nil),
                ("POST", "/api/v1/contact-proposals/{id}/approve", "/api/v1/contact-proposals/999/approve", nil),
                ("GET", "/api/v1/debtors", "/api/v1/debtors?limit=3", nil),
                ("GET", "/api/v1/debtors/{id}", "/api/v1/debtors/S001", nil),
                ("GET", "/api/v1/invoices", "/api/v1/invoices?debtor=S001", nil),
                ("GET", "/api/v1/invoices/{number}", "/api/v1/invoices/\(number)", nil),
                ("GET", "/api/v1/invoices/{number}/documents", "/api/v1/invoices/\(number)/documents", nil),
                ("GET", "/api/v1/payments", "/api/v1/payments?debtor=S001", nil),
                ("GET", "/api/v1/holds", "/api/v1/holds?debtor=S001", nil),
                ("GET", "/api/v1/promises", "/api/v1/promises?debtor=S001", nil),
                ("GET", "/api/v1/events", "/api/v1/events?limit=5", nil),
                ("GET", "/api/v1/tenants", "/api/v1/tenants", nil),
                ("GET", "/api/v1/settings", "/api/v1/settings", nil),
                ("GET", "/api/v1/policy", "/api/v1/policy", nil),
                ("GET", "/api/v1/templates", "/api/v1/templates", nil),
                ("GET", "/api/v1/templates/{channel}/{name}", "/api/v1/templates/email/reminder.firm", nil),
                ("POST", "/api/v1/templates/preview", "/api/v1/templates/preview", #"{"name":"reminder.friendly","channel":"sms","debtor_id":"S001"}"#),
                ("GET", "/api/v1/users", "/api/v1/users", nil),
                ("GET", "/api/v1/keys", "/api/v1/keys", nil),
                ("POST", "/api/v1/keys", "/api/v1/keys", #"{"name":"x","role":"viewer"}"#),
                ("POST", "/api/v1/keys", "/api/v1/keys", #"{"role":"boss"}"#),
                ("POST", "/api/v1/webhooks", "/api/v1/webhooks", #"{"url":"https://erp.example.com/h","events":["*"]}"#),
                ("GET", "/api/v1/webhooks", "/api/v1/webhooks", nil),
                ("POST", "/api/v1/holds", "/api/v1/holds", #"{"debtor_id":"S001","reason":"audit","until":"\#(ResourceAPITests.soon)"}"#),
                (
                    "POST", "/api/v1/invoices", "/api/v1/invoices",
                    #"{"items":[{"invoice_number":"OA-1","debtor_id":"S001","debtor_name":"S","amount_minor":100,"currency":"USD","issue_date":"2026-01-01","due_date":"2026-02-01"}]}"#
                ),
                ("POST", "/api/v1/messages", "/api/v1/messages", #"{"channel":"sms","from":"+13125550111","text":"we will pay friday"}"#),
                ("POST", "/api/v1/messages/{id}/approve", "/api/v1/messages/\(message)/approve", nil),
                ("POST", "/api/v1/cases/{debtor}/takeover", "/api/v1/cases/S001/takeover", #"{"by":"pat"}"#),
            ]
            struct Sample: Encodable { let method: String; let path: String; let status: Int; let content_type: String?; let body: String }
            var samples: [Sample] = []
            for (method, template, uri, body) in calls {
                let sample = try await client.execute(uri: uri, method: HTTPRequest.Method(method)!, headers: auth, body: body.map { ByteBuffer(string: $0) }) {
                    response in
                    Sample(
                        method: method, path: template, status: Int(response.status.code), content_type: response.headers[.contentType],
                        body: String(buffer: response.body))
                }
                samples.append(sample)
            }
            // Both outcomes of the API are exercised: successes and problems.
            #expect(samples.contains { $0.status == 404 } && samples.contains { $0.status == 422 } && samples.contains { $0.status == 201 })
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("overdue-openapi-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            try Data(doc.utf8).write(to: dir.appendingPathComponent("openapi.json"))
            try JSONEncoder().encode(samples).write(to: dir.appendingPathComponent("samples.json"))
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = [
                "python3", Self.repo.appendingPathComponent("scripts/check-openapi.py").path,
                dir.appendingPathComponent("openapi.json").path, dir.appendingPathComponent("samples.json").path,
            ]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = out
            try p.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "\(text)")
            #expect(text.contains("\(samples.count) responses checked, 0 problem(s)"), "\(text)")
        }
    }

    @Test func theCheckedInDocumentIsWhatTheGeneratorWrites() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", Self.repo.appendingPathComponent("scripts/gen-openapi.py").path, "--check"]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "run python3 scripts/gen-openapi.py")
    }
}
