import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import OverdueUseCases
@testable import OverdueAgents
@testable import OverdueCore
@testable import OverdueServer
@testable import OverdueStore

@Suite struct APITests {
    static let ownerKey = "od_testowner0_" + String(repeating: "k", count: 40)
    static var auth: HTTPFields {
        var h = HTTPFields()
        h[.authorization] = "Bearer \(ownerKey)"
        return h
    }

    func withApp(setup: (Store) async throws -> Void = { _ in }, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await withApp(setup: setup) { client, _ in try await body(client) }
    }

    /// The demo tenant behind a live server on a loopback port (real HTTP), with an owner key.
    func withApp(
        setup: (Store) async throws -> Void = { _ in }, configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (any TestClientProtocol, Store) async throws -> Void
    ) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("overdue-api-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try await Store.open(try DatabaseURL("sqlite://" + dir.appendingPathComponent("t.sqlite").path))
        do {
            try await store.write { s in
                try await s.ensureTenant("demo", now: Date())
                try await s.exec(
                    "INSERT INTO api_keys (prefix, tenant_id, name, role, hash, created_at) VALUES (?, 'demo', 'test', 'owner', ?, ?)",
                    [.text(String(Self.ownerKey.prefix(13))), .text(APIKey.hash(Self.ownerKey)), .time(Date())])
            }
            _ = try await DemoTenant(asOf: LocalDate.parse("2026-03-02")!).seed(store: store, tenant: "demo", now: Date())
            let scheduler = Scheduler(store: store, processor: CaseProcessor(store: store))
            _ = try await scheduler.simulate(tenant: "demo", from: Timestamp.parse("2026-02-20T00:00:00Z")!, until: Timestamp.parse("2026-03-02T18:00:00Z")!)
            try await setup(store)
            var configuration = ServerConfiguration(defaultTenant: "demo", runScheduler: false)
            configure(&configuration)
            let runtime = Runtime(store: store, documents: DocumentLibrary(directory: dir.appendingPathComponent("documents")), logger: Logger(label: "test"))
            let app = buildApplication(configuration: configuration, runtime: runtime)
            try await app.test(.live) { client in try await body(client, store) }
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    @Test func healthReportsTheDatabase() async throws {
        try await withApp { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(json?["status"] as? String == "ok")
                #expect(json?["database"] as? String == "ok")
            }
        }
    }

    @Test func livenessAndReadinessProbes() async throws {
        try await withApp { client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("\"database\":\"ok\""))
            }
        }
    }

    @Test func casesListsOnePerDebtorWithReasons() async throws {
        try await withApp { client in
            try await client.execute(uri: "/api/v1/cases", method: .get, headers: Self.auth) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
                let items = json["items"] as! [[String: Any]]
                #expect(items.count == 40)
                #expect(items.allSatisfy { ($0["reasons"] as? [String])?.isEmpty == false })
                #expect(items.allSatisfy { ($0["balance"] as? String)?.contains(".") == true })
            }
            try await client.execute(uri: "/api/v1/cases?status=resolved", method: .get, headers: Self.auth) { response in
                let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
                #expect((json["items"] as! [[String: Any]]).allSatisfy { $0["status"] as? String == "resolved" })
            }
        }
    }

    @Test func oneCaseHasItsTimeline() async throws {
        try await withApp(setup: { store in
            try await store.write { s in
                try await s.addHold("demo", Hold(debtorID: "S001", reason: "customer audit", until: Date().addingTimeInterval(86400)), now: Date())
                let invoice = try await s.invoices("demo", debtor: "S001").first!.number
                try await s.insertDispute("demo", debtor: "S001", Dispute(id: "dsp_t", invoiceNumber: invoice, reason: .accessorial, openedAt: Date()))
            }
        }) { client in
            try await client.execute(uri: "/api/v1/cases/S001", method: .get, headers: Self.auth) { response in
                #expect(response.status == .ok)
                let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
                #expect(((json["case"] as? [String: Any])?["debtor_id"] as? String) == "S001")
                #expect((json["decisions"] as? [Any])?.isEmpty == false)
                #expect((json["messages"] as? [Any])?.isEmpty == false)
                #expect((json["holds"] as? [[String: Any]])?.first?["reason"] as? String == "customer audit")
                #expect((json["disputes"] as? [[String: Any]])?.contains { $0["id"] as? String == "dsp_t" } == true)
                #expect(json["promises"] is [Any] && json["payments"] is [Any])
            }
        }
    }

    @Test func outboxFiltersByChannel() async throws {
        try await withApp { client in
            try await client.execute(uri: "/api/v1/outbox?channel=sms", method: .get, headers: Self.auth) { response in
                let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
                let items = json["items"] as! [[String: Any]]
                #expect(!items.isEmpty)
                #expect(items.allSatisfy { $0["channel"] as? String == "sms" })
            }
        }
    }

    @Test func errorsAreProblemDocuments() async throws {
        try await withApp { client in
            try await client.execute(uri: "/api/v1/cases?status=bogus", method: .get, headers: Self.auth) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(String(buffer: response.body).contains("'bogus' is not one of idle, current"))
            }
            // A key's own tenant is what a request reads, whatever it names.
            try await client.execute(uri: "/api/v1/cases?tenant=nobody", method: .get, headers: Self.auth) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("\"tenant\":\"demo\""))
            }
            try await client.execute(uri: "/api/v1/cases/NOPE", method: .get, headers: Self.auth) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            try await client.execute(uri: "/no/such/route", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func conversationsOverTheAPI() async throws {
        try await withApp { client in
            var to = "", debtor = ""
            try await client.execute(uri: "/api/v1/outbox?channel=email", method: .get, headers: Self.auth) { response in
                let items = (try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any])["items"] as! [[String: Any]]
                to = items.first?["to"] as? String ?? ""
                debtor = items.first?["debtor_id"] as? String ?? ""
            }
            let body = #"{"channel":"email","from":"\#(to)","text":"What is the total we owe you right now?","at":"2026-03-02T16:00:00Z"}"#
            try await client.execute(uri: "/api/v1/messages", method: .post, headers: Self.auth, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .created)
                let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
                #expect(json["intent"] as? String == "question")
                #expect((json["answers"] as? [[String: Any]])?.first?["kind"] as? String == "account_summary")
            }
            // The same message again is recognised, not handled twice.
            try await client.execute(uri: "/api/v1/messages", method: .post, headers: Self.auth, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("\"new\":false"))
            }
            try await client.execute(uri: "/api/v1/cases/\(debtor)/takeover", method: .post, headers: Self.auth, body: ByteBuffer(string: #"{"by":"pat"}"#)) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/api/v1/cases/\(debtor)", method: .get, headers: Self.auth) { response in
                #expect(String(buffer: response.body).contains("taken over by pat"))
            }
            try await client.execute(uri: "/api/v1/cases/\(debtor)/handback", method: .post, headers: Self.auth) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/v1/inbox", method: .get, headers: Self.auth) { response in
                #expect(response.status == .ok)
                let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
                #expect(json["items"] != nil)
            }
            try await client.execute(
                uri: "/api/v1/messages", method: .post, headers: Self.auth, body: ByteBuffer(string: #"{"channel":"fax","from":"x","text":"hi"}"#)
            ) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            try await client.execute(uri: "/api/v1/messages/msg_nope/approve", method: .post, headers: Self.auth) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/d/not-a-real-token-0123456789", method: .get) { #expect($0.status == .notFound) }
        }
    }

    @Test func inboundEmailWebhookNeedsTheTenantsSecret() async throws {
        try await withApp(setup: { store in
            try await store.write { s in
                var settings = try await s.settings("demo")
                try settings.set("email.inbound_secret", "s3cret-s3cret-s3cret")
                try await s.saveSettings("demo", settings)
            }
        }) { client, store in
            let raw = "From: someone@nowhere.example\r\nSubject: hello\r\nMessage-ID: <wh-1@nowhere.example>\r\n\r\nWho are you?\r\n"
            try await client.execute(uri: "/webhooks/email/inbound", method: .post, body: ByteBuffer(string: raw)) { #expect($0.status == .forbidden) }
            var bad = HTTPFields()
            bad[.authorization] = "Bearer wrong-wrong-wrong-wrong"
            try await client.execute(uri: "/webhooks/email/inbound", method: .post, headers: bad, body: ByteBuffer(string: raw)) {
                #expect($0.status == .forbidden)
            }
            var good = HTTPFields()
            good[.authorization] = "Bearer s3cret-s3cret-s3cret"
            try await client.execute(uri: "/webhooks/email/inbound", method: .post, headers: good, body: ByteBuffer(string: raw)) { response in
                #expect(response.status == .accepted)
                #expect(String(buffer: response.body).contains("queued"))
            }
            // The provider posts it again: kept once.
            try await client.execute(uri: "/webhooks/email/inbound", method: .post, headers: good, body: ByteBuffer(string: raw)) { response in
                #expect(String(buffer: response.body).contains("duplicate"))
            }
            // A worker reads it: a stranger's mail, filed for a person.
            let runtime = Runtime(store: store, documents: DocumentLibrary(directory: FileManager.default.temporaryDirectory), logger: Logger(label: "test"))
            _ = try await runtime.scheduler().runDue(clock: SystemClock(), kind: InboundItem.jobKind)
            try await client.execute(uri: "/api/v1/inbox", method: .get, headers: Self.auth) { response in
                #expect(String(buffer: response.body).contains("unmatched"))
            }
        }
    }

    final class Found: @unchecked Sendable {
        var store: Store?
        var token = ""
        var id = ""
        var debtor = ""
        var keys: [Role: String] = [:]
    }

    @Test func emailLinksUnsubscribeAndTrackOnlyWhatTheMessageHolds() async throws {
        let found = Found()
        try await withApp(setup: { store in
            found.store = store
            try await store.write { s in
                let sent = try await s.messages("demo").first { $0.channel == .email && $0.contactID != nil }!
                var m = sent
                m.id = "msg_linktest"
                m.key = "linktest"
                m.body = "Pay online: https://pay.example/inv?id=101&c=2"
                m.html = "<p>Pay online: <a href=\"https://pay.example/inv?id=101&amp;c=2\">pay</a></p>"
                try await s.insertMessage("demo", m)
                m.linkToken = SecretToken.make()
                m.status = .sent
                try await s.saveDelivery("demo", m)
                (found.token, found.id, found.debtor) = (m.linkToken!, m.id, m.debtorID!)
            }
        }) { client in
            let t = found.token
            try await client.execute(uri: "/u/\(t)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("<form method=\"post\">"))
            }
            // A GET never unsubscribes (mail scanners follow links); the one-click POST does.
            try await client.execute(uri: "/api/v1/cases/\(found.debtor)", method: .get, headers: Self.auth) {
                #expect(!String(buffer: $0.body).contains("unsubscribed"))
            }
            try await client.execute(uri: "/u/\(t)", method: .post, body: ByteBuffer(string: "List-Unsubscribe=One-Click")) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("You are unsubscribed"))
            }
            try await client.execute(uri: "/api/v1/cases/\(found.debtor)", method: .get, headers: Self.auth) {
                #expect(String(buffer: $0.body).contains("unsubscribed"))
            }
            try await client.execute(uri: "/o/\(t).gif", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "image/gif")
            }
            try await client.execute(uri: "/c/\(t)?u=https%3A%2F%2Fpay.example%2Finv%3Fid%3D101%26c%3D2", method: .get) { response in
                #expect(response.status == .found)
                #expect(response.headers[.location] == "https://pay.example/inv?id=101&c=2")
            }
            // Not a link of the message: no open redirect.
            try await client.execute(uri: "/c/\(t)?u=https%3A%2F%2Fevil.example%2F", method: .get) { #expect($0.status == .notFound) }
            // Nor a prefix of one (pay.example.evil.tld would start with it) or a longer one.
            for u in ["https%3A%2F%2Fpay.exampl", "https%3A%2F%2Fpay.example", "https%3A%2F%2Fpay.example%2Finv%3Fid%3D101%26c%3D2%26x%3D1"] {
                try await client.execute(uri: "/c/\(t)?u=\(u)", method: .get) { #expect($0.status == .notFound, "\(u)") }
            }
            try await client.execute(uri: "/u/not-a-token-at-all-000000", method: .post) { #expect($0.status == .notFound) }
            let m = try await found.store!.read { try await $0.message("demo", id: found.id) }
            #expect(m?.opens == 1)
            #expect(m?.clicks == 1)
            #expect(m?.openedAt != nil)
        }
    }

    @Test func everyRoleGetsExactlyWhatItMayAndKeysStayInTheirTenant() async throws {
        let found = Found()
        try await withApp(setup: { store in
            found.store = store
            try await store.write { s in
                for role in Role.allCases { found.keys[role] = try await s.createAPIKey("demo", name: role.rawValue, role: role, now: Date()).key }
                try await s.ensureTenant("other", now: Date())
                found.token = try await s.createAPIKey("other", name: "other owner", role: .owner, now: Date()).key
            }
        }) { client in
            let keys = found.keys
            func h(_ key: String) -> HTTPFields {
                var f = HTTPFields()
                f[.authorization] = "Bearer \(key)"
                return f
            }
            // Requests per route group: read, work, manage, administer.
            let routes: [(String, HTTPRequest.Method, String?, Permission)] = [
                ("/api/v1/cases", .get, nil, .read),
                ("/api/v1/invoices", .get, nil, .read),
                ("/api/v1/events", .get, nil, .read),
                ("/api/v1/templates/preview", .post, #"{"name":"reminder.friendly","channel":"sms"}"#, .read),
                ("/api/v1/templates/preview", .post, #"{"name":"reminder.friendly","channel":"sms","body":"Hi {{contact}}"}"#, .manage),
                ("/api/v1/cases/S001/takeover", .post, #"{"by":"t"}"#, .work),
                ("/api/v1/holds", .post, #"{"debtor_id":"S001","reason":"audit","until":"\#(ResourceAPITests.soon)"}"#, .work),
                ("/api/v1/messages/msg_nope/approve", .post, nil, .manage),
                ("/api/v1/templates/sms/reminder.friendly", .put, #"{"body":"Hi {{contact_name}}"}"#, .manage),
                ("/api/v1/users", .get, nil, .administer),
                ("/api/v1/keys", .get, nil, .administer),
                ("/api/v1/webhooks", .get, nil, .administer),
            ]
            for role in Role.allCases {
                for route in routes {
                    let allowed = role.allows(route.3)
                    try await client.execute(uri: route.0, method: route.1, headers: h(keys[role]!), body: route.2.map { ByteBuffer(string: $0) }) { response in
                        if allowed {
                            #expect(response.status != .forbidden && response.status != .unauthorized, "\(role) \(route.0): \(response.status)")
                        } else {
                            #expect(response.status == .forbidden, "\(role) \(route.0): \(response.status)")
                        }
                    }
                }
            }
            // No key, a made-up key: 401.
            try await client.execute(uri: "/api/v1/cases", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/api/v1/cases", method: .get, headers: h("od_aaaaaaaaaa_" + String(repeating: "x", count: 40))) {
                #expect($0.status == .unauthorized)
            }
            // Another tenant's key: demo's case does not exist for it (404, not 403).
            try await client.execute(uri: "/api/v1/cases/S001", method: .get, headers: h(found.token)) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/v1/cases/S001/takeover", method: .post, headers: h(found.token)) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/v1/cases/S001", method: .get, headers: Self.auth) { #expect(!String(buffer: $0.body).contains("other owner")) }
            let audit = try await found.store!.read { try await $0.auditLog() }
            let denied = Role.allCases.reduce(0) { n, role in n + routes.filter { !role.allows($0.3) }.count }
            #expect(denied == 8 + 6 + 3)
            #expect(audit.filter { $0.action == "authz.denied" }.count == denied, "\(audit.map(\.action))")
            #expect(audit.filter { $0.action == "auth.failed" }.count == 2)
            #expect(!audit.contains { ($0.detail ?? "").contains(String(repeating: "x", count: 40)) || ($0.detail ?? "").contains(Self.ownerKey) })
            #expect(audit.contains { $0.action == "api.post" && $0.object == "/api/v1/cases/S001/takeover" && $0.outcome == "ok" })
            #expect(try await found.store!.read { try await $0.brokenAuditLink() } == nil)
        }
    }

    @Test func anIdempotencyKeyReplaysTheFirstAnswerAndRefusesADifferentRequest() async throws {
        let found = Found()
        try await withApp(setup: { found.store = $0 }) { client in
            var h = Self.auth
            h[HTTPField.Name("Idempotency-Key")!] = "msg-0001"
            let body = #"{"channel":"sms","from":"+13125550111","text":"who is this?","at":"2026-03-02T16:00:00Z"}"#
            var first = ""
            try await client.execute(uri: "/api/v1/messages", method: .post, headers: h, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .created)
                #expect(response.headers[HTTPField.Name("Idempotent-Replayed")!] == nil)
                first = String(buffer: response.body)
            }
            try await client.execute(uri: "/api/v1/messages", method: .post, headers: h, body: ByteBuffer(string: body)) { response in
                // The first answer, status and all — not a fresh "already received" 200.
                #expect(response.status == .created)
                #expect(response.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
                #expect(String(buffer: response.body) == first)
            }
            try await client.execute(
                uri: "/api/v1/messages", method: .post, headers: h, body: ByteBuffer(string: body.replacingOccurrences(of: "who", with: "what"))
            ) { response in
                #expect(response.status == .unprocessableContent)
                #expect(String(buffer: response.body).contains("different request"))
            }
            // A refusal is an answer too: replayed as such.
            h[HTTPField.Name("Idempotency-Key")!] = "bad-0001"
            for _ in 0..<2 {
                try await client.execute(
                    uri: "/api/v1/messages", method: .post, headers: h, body: ByteBuffer(string: #"{"channel":"fax","from":"x","text":"hi"}"#)
                ) {
                    #expect($0.status == .unprocessableContent)
                }
            }
            let inbound = try await found.store!.read { try await $0.messages("demo", direction: .inbound) }
            #expect(inbound.filter { $0.body == "who is this?" }.count == 1)

            // Issue 20, finding 7: a colleague reusing someone's key gets nothing of theirs, and an
            // answer carrying a secret is never kept.
            var mine = Self.auth
            mine[HTTPField.Name("Idempotency-Key")!] = "key-0001"
            let made = #"{"name":"erp","role":"viewer"}"#
            let secret = try await client.execute(uri: "/api/v1/keys", method: .post, headers: mine, body: ByteBuffer(string: made)) { response in
                #expect(response.status == .created)
                return try #require(ResourceAPITests.json(response.body)["key"] as? String)
            }
            try await client.execute(uri: "/api/v1/keys", method: .post, headers: mine, body: ByteBuffer(string: made)) { response in
                #expect(response.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
                #expect(!String(buffer: response.body).contains(secret) && String(buffer: response.body).contains("shown only once"))
            }
            let colleague = try await found.store!.write { try await $0.createAPIKey("demo", name: "colleague", role: .owner, now: Date()).key }
            var theirs = HTTPFields()
            theirs[.authorization] = "Bearer \(colleague)"
            theirs[HTTPField.Name("Idempotency-Key")!] = "msg-0001"
            try await client.execute(uri: "/api/v1/messages", method: .post, headers: theirs, body: ByteBuffer(string: body)) { response in
                #expect(response.headers[HTTPField.Name("Idempotent-Replayed")!] == nil, "another caller's answer was replayed")
            }
            let stored = try await found.store!.read { s in try await s.rows("SELECT body FROM idempotency_keys").compactMap { try $0.optString("body") } }
            #expect(!stored.contains { $0.contains(secret) })
        }
    }

    @Test func aKeyThatSendsTooMuchIsToldWhenToComeBack() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("overdue-rate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try await Store.open(try DatabaseURL("sqlite://" + dir.appendingPathComponent("t.sqlite").path))
        let key = try await store.write { s in
            try await s.ensureTenant("demo", now: Date())
            return try await s.createAPIKey("demo", name: "busy", role: .viewer, now: Date()).key
        }
        var config = ServerConfiguration(defaultTenant: "demo", runScheduler: false)
        config.apiRatePerMinute = 6
        let app = buildApplication(configuration: config, runtime: Runtime(store: store, logger: Logger(label: "test")))
        try await app.test(.router) { client in
            var h = HTTPFields()
            h[.authorization] = "Bearer \(key)"
            try await client.execute(uri: "/api/v1/cases", method: .get, headers: h) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/v1/cases", method: .get, headers: h) { response in
                #expect(response.status == .tooManyRequests)
                #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 >= 1)
            }
        }
        await store.close()
    }
}
