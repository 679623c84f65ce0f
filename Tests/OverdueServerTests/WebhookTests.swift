import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
@testable import OverdueAgents
import OverdueChannels
@testable import OverdueCore
@testable import OverdueServer
@testable import OverdueStore

/// Outbound webhooks end to end: a subscription made over the API, events written with the change
/// they report, signed deliveries checked by a receiver written independently with Python's
/// standard library (`scripts/webhook-receiver.py`), retry after an outage, the delivery log.
@Suite struct WebhookTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The Python receiver on a free port; stopped when `body` returns.
    final class Receiver: @unchecked Sendable {
        let process = Process()
        let log: URL
        /// The secret it checks against, read on every request (so it can be set after the
        /// subscription that makes it).
        let secretFile: URL
        var port = 0

        init(failFirst: Int) throws {
            let base = FileManager.default.temporaryDirectory.appendingPathComponent("overdue-hooks-\(UUID().uuidString)")
            log = base.appendingPathExtension("jsonl")
            secretFile = base.appendingPathExtension("secret")
            try Data().write(to: secretFile)
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                "python3", WebhookTests.repo.appendingPathComponent("scripts/webhook-receiver.py").path,
                "--secret-file", secretFile.path, "--log", log.path, "--fail-first", String(failFirst),
            ]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
            guard let p = line.split(separator: " ").last.flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) else {
                throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "receiver said '\(line)'"])
            }
            port = p
        }

        var entries: [[String: Any]] {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }

        deinit {
            // SIGKILL: a test runner may have made SIGTERM ignored, and that is inherited.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: log)
            try? FileManager.default.removeItem(at: secretFile)
        }

        func use(secret: String) throws { try Data(secret.utf8).write(to: secretFile) }
    }

    static func json(_ buffer: ByteBuffer) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: buffer))) as? [String: Any] ?? [:]
    }

    static func post(_ body: String) -> (HTTPFields, ByteBuffer) {
        var h = APITests.auth
        h[.contentType] = "application/json"
        return (h, ByteBuffer(string: body))
    }

    @Test func signedDeliveryVerifiedByAnIndependentReceiverAndRetriedAfterAnOutage() async throws {
        try await APITests().withApp { client, store in
            let receiver = try Receiver(failFirst: 1)
            let (h, b) = Self.post(#"{"url":"http://127.0.0.1:\#(receiver.port)/hook","events":["payment.recorded","promise.*"],"description":"ERP"}"#)
            let created = try await client.execute(uri: "/api/v1/webhooks", method: .post, headers: h, body: b) { response in
                #expect(response.status == .created)
                return Self.json(response.body)
            }
            let secret = try #require(created["secret"] as? String)
            #expect(secret.hasPrefix("whsec_"))
            #expect(created["events"] as? [String] == ["payment.recorded", "promise.*"])
            try receiver.use(secret: secret)
            let sub = try #require(try await store.read { try await $0.webhookSubscription("demo", id: created["id"] as? String ?? "") })
            // The secret is never shown again.
            try await client.execute(uri: "/api/v1/webhooks/\(sub.id)", method: .get, headers: APITests.auth) { response in
                #expect(response.status == .ok)
                #expect(Self.json(response.body)["secret"] == nil)
            }

            // A payment recorded → one event, one delivery queued in the same transaction.
            let payment = Payment(
                id: "PAY-WH-1", debtorID: "S001", amount: Money(minorUnits: 125_000, currency: Currency("USD")!),
                date: LocalDate.parse("2026-03-02")!, reference: "INV-1001")
            try await store.write { try await $0.upsertPayments("demo", [payment]) }
            // Recording it again is not a second event.
            try await store.write { try await $0.upsertPayments("demo", [payment]) }

            let dispatcher = WebhookDispatcher(store: store, timeout: .seconds(5))
            let now = Date()
            let first = try await dispatcher.deliverDue(now: now)
            #expect(first == WebhookDispatcher.Round(delivered: 0, retrying: 1, failed: 0))
            try await client.execute(uri: "/api/v1/webhooks/\(sub.id)/deliveries", method: .get, headers: APITests.auth) { response in
                let items = Self.json(response.body)["items"] as? [[String: Any]] ?? []
                #expect(items.count == 1)
                #expect(items.first?["status"] as? String == "pending")
                #expect(items.first?["attempts"] as? Int == 1)
                #expect(items.first?["response_status"] as? Int == 503)
                let next = (items.first?["next_attempt_at"] as? String).flatMap(Timestamp.parse)
                #expect(next.map { abs($0.timeIntervalSince(now) - 30) < 2 } == true)
            }
            // Not due yet: nothing is sent.
            #expect(try await dispatcher.deliverDue(now: now.addingTimeInterval(10)).total == 0)
            // After the backoff the receiver is back.
            #expect(try await dispatcher.deliverDue(now: now.addingTimeInterval(31)) == WebhookDispatcher.Round(delivered: 1, retrying: 0, failed: 0))

            let entries = receiver.entries
            #expect(entries.count == 2)
            #expect(entries.allSatisfy { $0["verified"] as? Bool == true })
            #expect(entries.map { $0["status"] as? Int } == [503, 200])
            let event = try #require(entries.last)
            #expect(event["type"] as? String == "payment.recorded")
            #expect((event["id"] as? String)?.hasPrefix("evt_") == true)
            #expect(event["event_id_header"] as? String == event["id"] as? String)
            let data = event["data"] as? [String: Any]
            #expect(data?["amount_minor"] as? Int == 125_000)
            #expect(data?["currency"] as? String == "USD")

            try await client.execute(uri: "/api/v1/webhooks/\(sub.id)/deliveries?status=delivered", method: .get, headers: APITests.auth) { response in
                let items = Self.json(response.body)["items"] as? [[String: Any]] ?? []
                #expect(items.count == 1)
                #expect(items.first?["attempts"] as? Int == 2)
                #expect(items.first?["event_id"] as? String == event["id"] as? String)
            }
            // The event is in the history too, with the payload subscribers got.
            try await client.execute(uri: "/api/v1/events?type=payment.recorded&debtor=S001&limit=500", method: .get, headers: APITests.auth) { response in
                let items = Self.json(response.body)["items"] as? [[String: Any]] ?? []
                #expect(items.map { $0["id"] as? String }.contains(event["id"] as? String))
            }
        }
    }

    /// Issue 20, finding 4: a tenant's URL reached anywhere — the operator's loopback, private
    /// networks, the cloud's metadata address — and redirects were followed, so a subscription or a
    /// model URL made the server a probe of its own network.
    @Test func aTenantsURLReachesNoPrivateAddressAndNoRedirectIsFollowed() async throws {
        try await APITests().withApp(configure: { $0.allowPrivateTargets = false }) { client, store in
            let receiver = try Receiver(failFirst: 0)
            for url in ["http://127.0.0.1:\(receiver.port)/hook", "https://169.254.169.254/latest/meta-data/", "https://10.1.2.3/x", "http://[::1]:8080/"] {
                let (h, b) = Self.post(#"{"url":"\#(url)","events":["*"]}"#)
                try await client.execute(uri: "/api/v1/webhooks", method: .post, headers: h, body: b) { response in
                    #expect(response.status == .unprocessableContent, "\(url)")
                    #expect(String(buffer: response.body).contains("private, loopback or link-local"), "\(url): \(String(buffer: response.body))")
                }
            }
            // A subscription made while the operator allowed it is refused at delivery once it does not.
            let sub = try await store.write { s in
                try await s.createWebhookSubscription("demo", url: "http://127.0.0.1:\(receiver.port)/hook", events: ["*"], description: nil, now: Date())
            }
            try receiver.use(secret: sub.secret)
            let payment = Payment(
                id: "PAY-SSRF-1", debtorID: "S001", amount: Money(minorUnits: 1_000, currency: Currency("USD")!), date: LocalDate.parse("2026-03-02")!,
                reference: nil)
            try await store.write { try await $0.upsertPayments("demo", [payment]) }
            let strict = WebhookDispatcher(store: store, timeout: .seconds(5), allowPrivateTargets: false)
            let round = try await strict.deliverDue(now: Date())
            #expect(round.delivered == 0 && round.total >= 1)
            #expect(receiver.entries.isEmpty)
            let log = try await store.read { try await $0.webhookDeliveries("demo", subscription: sub.id, limit: 10) }
            #expect(!log.isEmpty && log.allSatisfy { ($0.error ?? "").hasPrefix("refused:") }, "\(log.map(\.error))")

            // A redirect is an answer, not an instruction: the receiver it points at hears nothing.
            let redirector = Process()
            redirector.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            redirector.arguments = [
                "python3", "-c",
                """
                import http.server,sys
                class H(http.server.BaseHTTPRequestHandler):
                    def do_POST(self):
                        self.send_response(307); self.send_header('Location', sys.argv[1]); self.end_headers()
                    def log_message(self, *a): pass
                s=http.server.HTTPServer(('127.0.0.1',0),H); print(s.server_port, flush=True); s.serve_forever()
                """,
                "http://127.0.0.1:\(receiver.port)/hook",
            ]
            let out = Pipe()
            redirector.standardOutput = out
            try redirector.run()
            defer { kill(redirector.processIdentifier, SIGKILL) }
            let port = try #require(
                Int(String(decoding: out.fileHandleForReading.availableData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
            let answer = try await HTTPProviderTransport().perform(
                ProviderRequest(method: "POST", url: "http://127.0.0.1:\(port)/", headers: [:], body: Array("{}".utf8)), timeout: .seconds(5))
            #expect(answer.status == 307)
            #expect(receiver.entries.isEmpty)
        }
    }

    @Test func aDeadEndpointIsGivenUpAfterThreeDaysWithoutHoldingOthersBack() async throws {
        try await APITests().withApp { client, store in
            let receiver = try Receiver(failFirst: 0)
            try receiver.use(secret: "whsec_test")
            // An endpoint that answers 500 to everything.
            let broken = try Receiver(failFirst: 1_000_000)
            let (dead, live) = try await store.write { s in
                (
                    try await s.createWebhookSubscription("demo", url: "http://127.0.0.1:\(broken.port)/hook", events: ["*"], description: nil, now: Date()),
                    try await s.createWebhookSubscription(
                        "demo", url: "http://127.0.0.1:\(receiver.port)/hook", events: ["hold.created"], description: nil, now: Date())
                )
            }
            try await store.write { s in try await s.exec("UPDATE webhook_subscriptions SET secret = 'whsec_test' WHERE id = ?", [.text(live.id)]) }
            let start = Date()
            try await store.write { s in
                try await s.addHold(
                    "demo", Hold(debtorID: "S001", invoiceNumber: nil, reason: "customer audit", until: start.addingTimeInterval(86400)), now: start)
            }
            let dispatcher = WebhookDispatcher(store: store, timeout: .seconds(2))
            let first = try await dispatcher.deliverDue(now: start)
            #expect(first.delivered == 1)
            #expect(first.retrying == 1)
            #expect(receiver.entries.count == 1)
            // Keep failing: every try is further apart, and after three days it is given up.
            var t = start
            var rounds = 0
            while rounds < 40 {
                let next = try await store.read { try await $0.webhookDeliveries("demo", subscription: dead.id).first }
                guard let at = next?.nextAttemptAt, next?.status == .pending else { break }
                t = at
                try await dispatcher.deliverDue(now: t)
                rounds += 1
            }
            let final = try #require(try await store.read { try await $0.webhookDeliveries("demo", subscription: dead.id).first })
            #expect(final.status == .failed)
            #expect(t.timeIntervalSince(start) <= WebhookRetry.horizon)
            #expect(t.timeIntervalSince(start) > 2 * 86400)
            #expect(final.attempts == rounds + 1)
            #expect(final.attempts < 25)
            // A person can queue it again.
            try await client.execute(uri: "/api/v1/webhooks/\(dead.id)/deliveries/\(final.id)/retry", method: .post, headers: APITests.auth) {
                #expect($0.status == .accepted)
            }
        }
    }

    @Test func subscriptionsAreValidatedFieldByField() async throws {
        try await APITests().withApp { client, _ in
            let (h, b) = Self.post(#"{"url":"ftp://example.com/x","events":["payment.recorded","nope.happened"],"colour":"blue"}"#)
            try await client.execute(uri: "/api/v1/webhooks", method: .post, headers: h, body: b) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.headers[.contentType] == "application/problem+json")
                let problem = Self.json(response.body)
                #expect(problem["type"] as? String == "https://overdue.dev/problems/validation")
                let errors = problem["errors"] as? [[String: Any]] ?? []
                #expect(Set(errors.compactMap { $0["pointer"] as? String }) == ["/url", "/events", "/colour"])
                #expect(
                    errors.first { $0["pointer"] as? String == "/events" }?["detail"] as? String ?? ""
                        == "unknown event type nope.happened; known: \(EventType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let (h2, b2) = Self.post(#"{"url":"http://hooks.example.com/x","events":["*"]}"#)
            try await client.execute(uri: "/api/v1/webhooks", method: .post, headers: h2, body: b2) { response in
                #expect(response.status == .unprocessableContent)
                #expect(String(buffer: response.body).contains("use https://"))
            }
        }
    }

    @Test func eventsArePagedWithAnOpaqueCursor() async throws {
        try await APITests().withApp { client, store in
            try await store.write { s in
                for i in 1...3 {
                    try await s.addHold(
                        "demo", Hold(debtorID: "S001", invoiceNumber: nil, reason: "r\(i)", until: Date().addingTimeInterval(3600)), now: Date())
                }
            }
            var seen: [String] = []
            var cursor: String?
            repeat {
                let uri = "/api/v1/events?type=hold.created&limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                cursor = try await client.execute(uri: uri, method: .get, headers: APITests.auth) { response in
                    #expect(response.status == .ok)
                    let page = Self.json(response.body)
                    seen += (page["items"] as? [[String: Any]] ?? []).compactMap { ($0["payload"] as? [String: Any])?["data"] as? [String: Any] }.compactMap {
                        $0["reason"] as? String
                    }
                    return page["next_cursor"] as? String
                }
            } while cursor != nil
            #expect(seen == ["r1", "r2", "r3"])
            try await client.execute(uri: "/api/v1/events?cursor=garbage!&limit=9999&type=nope", method: .get, headers: APITests.auth) { response in
                #expect(response.status == .unprocessableContent)
                let errors = Self.json(response.body)["errors"] as? [[String: Any]] ?? []
                #expect(Set(errors.compactMap { $0["pointer"] as? String }) == ["#/query/cursor", "#/query/limit", "#/query/type"])
            }
        }
    }
}
