import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import OverdueUseCases
@testable import OverdueAgents
@testable import OverdueChannels
@testable import OverdueCore
@testable import OverdueServer
@testable import OverdueStore
import OverdueTestSupport

/// A loopback stand-in for Twilio's, Vonage's and Plivo's APIs: records what Overdue sends and
/// answers with the documented shapes; Twilio can be told to fail.
actor ProviderStandIn {
    struct Seen: Sendable { let provider: String; let method: String; let url: String; let headers: [String: String]; let body: [UInt8] }
    var seen: [Seen] = []
    var twilioFailures = 0

    func record(_ s: Seen) { seen.append(s) }
    func failTwilio(_ n: Int) { twilioFailures = n }
    func takeFailure() -> Bool {
        guard twilioFailures > 0 else { return false }
        twilioFailures -= 1
        return true
    }

    nonisolated func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        @Sendable func seen(_ provider: String, _ r: Request) async throws -> Seen {
            let body = Array(buffer: try await r.body.collect(upTo: 1 << 20))
            var headers: [String: String] = [:]
            for f in r.headers { headers[f.name.canonicalName] = f.value }
            return Seen(provider: provider, method: r.method.rawValue, url: r.uri.description, headers: headers, body: body)
        }
        @Sendable func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
            var h = HTTPFields()
            h[.contentType] = "application/json"
            return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.post("/2010-04-01/Accounts/:sid/Messages.json") { r, _ in
            let s = try await seen("twilio", r)
            await self.record(s)
            if await self.takeFailure() { return json(.serviceUnavailable, #"{"code":20500,"message":"Internal Server Error","status":503}"#) }
            let n = await self.seen.count
            return json(.created, #"{"sid":"SM\#(n)","status":"queued","to":"+13125550101"}"#)
        }
        router.get("/2010-04-01/Accounts/:sid/Messages.json") { r, _ in
            await self.record(try await seen("twilio", r))
            return json(.ok, #"{"messages":[],"page":0}"#)
        }
        router.post("/2010-04-01/Accounts/:sid/Calls.json") { r, _ in
            await self.record(try await seen("twilio-voice", r))
            let n = await self.seen.count
            return json(.created, #"{"sid":"CA\#(n)","status":"queued"}"#)
        }
        router.post("/sms/json") { r, _ in
            await self.record(try await seen("vonage", r))
            return json(.ok, #"{"message-count":"1","messages":[{"to":"13125550101","message-id":"0A0000001","status":"0"}]}"#)
        }
        router.post("/v1/Account/:id/Message/") { r, _ in
            await self.record(try await seen("plivo", r))
            return json(.accepted, #"{"api_id":"a1","message":"message(s) queued","message_uuid":["u-1"]}"#)
        }
        return router
    }
}

@Suite(.serialized) struct SMSWebhookTests {
    static let signer = ProviderSigner.available
    static let token = "0123456789abcdef0123456789abcdef"
    static let sid = "AC" + String(repeating: "1", count: 32)

    func sign(_ url: String, _ params: [(String, String)]) throws -> String {
        try ProviderSigner.sign(["provider": "twilio", "token": Self.token, "url": url, "params": params.map { [$0.0, $0.1] }])
    }

    static let invoices = """
        invoice_number,debtor_id,debtor_name,amount,currency,issue_date,due_date,load_number
        INV-100,SHIP1,Big Shipper Inc,1250.00,USD,2026-01-01,2026-01-31,448812
        """
    static let contacts = """
        debtor_id,name,phone,timezone,sms_consent,call_consent
        SHIP1,Dana Reyes,(312) 555-0101,America/Chicago,true,false
        """

    /// A tenant whose texts go through the stand-in at `port`, with the ladder run until its first text.
    func world(
        port: Int, settings extra: [(String, String)] = [], contacts: String = SMSWebhookTests.contacts,
        _ body: @escaping @Sendable (Store, Scheduler, any TestClientProtocol) async throws -> Void
    ) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("overdue-sms-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try await Store.open(try DatabaseURL("sqlite://" + dir.appendingPathComponent("t.sqlite").path))
        do {
            try await store.write { s in
                try await s.ensureTenant("acme", now: Date())
                var set = TenantSettings()
                for (k, v) in [
                    ("sms.provider", "twilio"), ("twilio.account_sid", Self.sid), ("twilio.auth_token", Self.token),
                    ("sms.from", "+13125550000"), ("public_url", "https://ar.example.com"), ("company.name", "Prairie Line"),
                ] + extra {
                    try set.set(k, v)
                }
                try await s.saveSettings("acme", set)
            }
            let importer = Importer(store: store)
            _ = try await importer.importCSV(Data(Self.invoices.utf8), file: "invoices.csv", kind: .invoices, tenant: "acme", skipInvalid: false)
            _ = try await importer.importCSV(Data(contacts.utf8), file: "contacts.csv", kind: .contacts, tenant: "acme", skipInvalid: false)
            let documents = DocumentLibrary(directory: dir.appendingPathComponent("docs"))
            // The providers' APIs are the operator's configuration: here, the stand-in.
            let standIn = "http://127.0.0.1:\(port)"
            let runtime = Runtime(
                store: store, documents: documents, channels: .live(ProviderEndpoints(twilio: standIn, vonage: standIn, plivo: standIn)),
                logger: Logger(label: "test"))
            let scheduler = runtime.scheduler()
            let app = buildApplication(configuration: ServerConfiguration(defaultTenant: "acme", runScheduler: false), runtime: runtime)
            try await app.test(.router) { client in try await body(store, scheduler, client) }
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    func t(_ s: String) -> Date { Timestamp.parse(s)! }

    /// Issue 20, finding 4: where the providers are is the operator's environment.
    @Test func providerEndpointsComeFromTheOperatorsEnvironment() throws {
        #expect(try ProviderEndpoints.from(environment: [:]) == .standard)
        let moved = try ProviderEndpoints.from(environment: ["OVERDUE_TWILIO_API_URL": "https://twilio-proxy.internal/"])
        #expect(moved.twilio == "https://twilio-proxy.internal" && moved.vonage == ProviderEndpoints.standard.vonage)
        #expect(throws: ProviderEndpoints.ConfigurationError.self) { try ProviderEndpoints.from(environment: ["OVERDUE_VONAGE_API_URL": "gopher://x"]) }
        var settings = TenantSettings()
        #expect(throws: TenantSettings.SettingError.self) { try settings.set("plivo.api_url", "https://evil.example") }
    }

    @Test(.enabled(if: signer)) func aTextGoesOutThroughTwilioAndTheSignedReplyIsAPromise() async throws {
        let standIn = ProviderStandIn()
        let contract = try OpenAPIContract(path: OpenAPIContract.fixture("twilio_api_v2010.subset.json"))
        try await Application(router: standIn.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { provider in
            try await world(port: try #require(provider.port)) { store, scheduler, client in
                _ = try await scheduler.simulate(tenant: "acme", from: t("2026-01-20T00:00:00Z"), until: t("2026-02-20T00:00:00Z"))
                let sent = try await store.read { try await $0.messages("acme", debtor: "SHIP1") }.filter { $0.channel == .sms }
                let text = try #require(sent.first)
                #expect(text.status == .sent && text.providerID == "twilio:SM1", "\(text)")
                // What reached "Twilio" is what its OpenAPI document allows, with a status callback.
                let request = try #require(await standIn.seen.first)
                let form = Form.decode(String(decoding: request.body, as: UTF8.self))
                #expect(request.url == "/2010-04-01/Accounts/\(Self.sid)/Messages.json")
                #expect(contract.problems(method: request.method, url: "https://api.twilio.com" + request.url, form: form) == [])
                #expect(form.first { $0.0 == "To" }?.1 == "+13125550101")
                #expect(form.first { $0.0 == "StatusCallback" }?.1 == "https://ar.example.com/webhooks/twilio/status?tenant=acme")
                #expect(request.headers["authorization"] == "Basic " + Data("\(Self.sid):\(Self.token)".utf8).base64EncodedString())

                // Dana texts back; Twilio signs the webhook.
                let path = "/webhooks/twilio/sms?tenant=acme"
                let params = [("MessageSid", "SMin1"), ("AccountSid", Self.sid), ("From", "+13125550101"), ("To", "+13125550000"), ("Body", "will pay friday")]
                var headers = HTTPFields()
                headers[.contentType] = "application/x-www-form-urlencoded"
                headers[HTTPField.Name("X-Twilio-Signature")!] = try sign("https://ar.example.com" + path, params)
                let body = ByteBuffer(string: Form.encode(params))
                try await client.execute(uri: path, method: .post, headers: headers, body: body) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body).contains("<Response>"))
                }
                // Twilio retries a webhook it thinks failed: the same delivery is kept once.
                try await client.execute(uri: path, method: .post, headers: headers, body: body) { #expect($0.status == .ok) }
                // The webhook only kept it: a worker reads and answers it.
                #expect(try await store.read { try await $0.messages("acme", direction: .inbound) }.isEmpty)
                #expect(try await store.read { try await $0.queuedInboundCount("acme") } == 1)
                _ = try await scheduler.runDue(clock: SystemClock(), kind: InboundItem.jobKind)
                #expect(try await store.read { try await $0.queuedInboundCount("acme") } == 0)
                let promises = try await store.read { try await $0.commitments("acme", debtor: "SHIP1") }
                #expect(promises.count == 1 && promises.first?.kind == .promise, "\(promises)")
                #expect(try await store.read { try await $0.messages("acme", direction: .inbound) }.count == 1)

                // Tampered: 403, an audit entry, nothing stored.
                var forged = headers
                forged[HTTPField.Name("X-Twilio-Signature")!] = try sign("https://ar.example.com" + path, params.map { $0.0 == "Body" ? ($0.0, "STOP") : $0 })
                try await client.execute(uri: path, method: .post, headers: forged, body: body) { #expect($0.status == .forbidden) }
                var unsigned = headers
                unsigned[HTTPField.Name("X-Twilio-Signature")!] = nil
                try await client.execute(
                    uri: path, method: .post, headers: unsigned,
                    body: ByteBuffer(string: Form.encode([("MessageSid", "SMin2"), ("From", "+13125550101"), ("Body", "STOP")]))
                ) {
                    #expect($0.status == .forbidden)
                }
                #expect(try await store.read { try await $0.messages("acme", direction: .inbound) }.count == 1)
                let audit = try await store.read { try await $0.auditLog(tenant: "acme") }
                let rejected = audit.filter { $0.action == "webhook.rejected" }
                #expect(rejected.count == 2 && rejected.allSatisfy { $0.outcome == "denied" })
                // The text that went out is in the trail too.
                #expect(audit.contains { $0.action == "message.sent" && $0.actor == "system" && $0.detail?.hasPrefix("sms ") == true })
                #expect(!audit.contains { ($0.detail ?? "").contains(Self.token) })
                #expect(try await store.read { try await $0.brokenAuditLink() } == nil)

                // The delivery report: the number is a landline; no more texts to it, with the reason.
                let statusPath = "/webhooks/twilio/status?tenant=acme"
                let report = [("MessageSid", "SM1"), ("MessageStatus", "undelivered"), ("ErrorCode", "30006"), ("To", "+13125550101")]
                var rh = HTTPFields()
                rh[.contentType] = "application/x-www-form-urlencoded"
                rh[HTTPField.Name("X-Twilio-Signature")!] = try sign("https://ar.example.com" + statusPath, report)
                try await client.execute(uri: statusPath, method: .post, headers: rh, body: ByteBuffer(string: Form.encode(report))) {
                    #expect($0.status == .ok)
                }
                let after = try await store.read { try await $0.message("acme", id: text.id) }
                #expect(after?.status == .failed && after?.deliveryStatus == "undelivered")
                let blocked = try await store.read { try await $0.suppressions("acme", debtor: "SHIP1") }
                #expect(blocked.contains { $0.channel == .sms && $0.reason.contains("30006") })
            }
        }
    }

    @Test(.enabled(if: signer)) func aSignedSTOPEndsTheTexts() async throws {
        let standIn = ProviderStandIn()
        try await Application(router: standIn.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { provider in
            try await world(port: try #require(provider.port)) { store, scheduler, client in
                _ = try await scheduler.simulate(tenant: "acme", from: t("2026-01-20T00:00:00Z"), until: t("2026-02-05T00:00:00Z"))
                let before = try await store.read { try await $0.messages("acme", debtor: "SHIP1") }.filter { $0.channel == .sms }.count
                #expect(before >= 1)
                let (status, _) = try await post(
                    client, "/webhooks/twilio/sms?tenant=acme", [("MessageSid", "SMstop"), ("From", "+13125550101"), ("To", "+13125550000"), ("Body", "STOP")])
                #expect(status == .ok)
                _ = try await scheduler.runDue(clock: SystemClock(), kind: InboundItem.jobKind)
                _ = try await scheduler.simulate(tenant: "acme", from: t("2026-02-05T00:00:00Z"), until: t("2026-04-01T00:00:00Z"))
                let texts = try await store.read { try await $0.messages("acme", debtor: "SHIP1") }.filter { $0.channel == .sms }
                // Only the opt-out confirmation after STOP (carriers require it), nothing more.
                #expect(texts.count == before + 1, "\(texts.map(\.kind))")
                #expect(texts.last?.kind == "opt_out_confirmation")
                #expect(await standIn.seen.filter { $0.provider == "twilio" }.count == before + 1)
            }
        }
    }

    @Test(.enabled(if: signer)) func aFailingPrimaryFailsOverToTheSecondaryOnce() async throws {
        let standIn = ProviderStandIn()
        await standIn.failTwilio(10)
        try await Application(router: standIn.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { provider in
            try await world(
                port: try #require(provider.port),
                settings: [("sms.secondary", "vonage"), ("vonage.api_key", "abcd1234"), ("vonage.api_secret", "secret123")]
            ) { store, scheduler, _ in
                _ = try await scheduler.simulate(tenant: "acme", from: t("2026-01-20T00:00:00Z"), until: t("2026-02-20T00:00:00Z"))
                let seen = await standIn.seen
                // Two tries through Twilio (503), a lookup that finds nothing, then Vonage once — for every text.
                #expect(
                    Array(seen.prefix(4)).map { "\($0.provider) \($0.method)" } == ["twilio POST", "twilio POST", "twilio GET", "vonage POST"],
                    "\(seen.map(\.url))")
                let texts = try await store.read { try await $0.messages("acme", debtor: "SHIP1") }.filter { $0.channel == .sms }
                #expect(seen.filter { $0.provider == "vonage" }.count == texts.count)
                let text = try #require(texts.first)
                #expect(text.status == .sent && text.providerID == "vonage:0A0000001" && text.deliveryAttempts == 3)
                let vonage = Form.decode(String(decoding: seen[3].body, as: UTF8.self))
                #expect(vonage.first { $0.0 == "to" }?.1 == "13125550101")
                #expect(vonage.first { $0.0 == "callback" }?.1 == "https://ar.example.com/webhooks/vonage/status?tenant=acme")
            }
        }
    }

    @Test func aSenderNumberIsNotRushed() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("overdue-rate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try await Store.open(try DatabaseURL("sqlite://" + dir.appendingPathComponent("t.sqlite").path))
        try await store.write { s in
            try await s.ensureTenant("acme", now: Date())
            var set = TenantSettings()
            try set.set("sms.provider", "twilio")
            try set.set("sms.from", "+13125550000")
            try await s.saveSettings("acme", set)
        }
        let delivery = Delivery(store: store)
        let at = t("2026-02-02T15:00:00Z")
        var waits: [String?] = []
        var times: [Date] = []
        for i in 0..<3 {
            var r = MessageRecord(
                id: "m\(i)", key: "k\(i)", direction: .outbound, channel: .sms, at: at, debtorID: nil, contactID: nil, contactName: nil,
                to: "+1312555010\(i)", from: "+13125550000", invoiceNumbers: [], stage: 1, attempt: 1, kind: "reminder", subject: nil, body: "x",
                status: .pending)
            waits.append(await delivery.rateLimitWait(&r, tenant: "acme"))
            times.append(r.at)
            // Booked for its second, it then goes without waiting again.
            if r.status == .scheduled { #expect(await delivery.rateLimitWait(&r, tenant: "acme") == nil) }
        }
        #expect(waits[0] == nil && waits[1] != nil && waits[2] != nil)
        #expect(times.map { $0.timeIntervalSince(at) } == [0, 1, 2])
        await store.close()
    }

    func post(_ client: any TestClientProtocol, _ path: String, _ params: [(String, String)]) async throws -> (HTTPResponse.Status, String) {
        var headers = HTTPFields()
        headers[.contentType] = "application/x-www-form-urlencoded"
        headers[HTTPField.Name("X-Twilio-Signature")!] = try sign("https://ar.example.com" + path, params)
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: Form.encode(params))) {
            ($0.status, String(buffer: $0.body))
        }
    }

    func action(_ twiml: String) -> String? {
        guard let r = twiml.range(of: "action=\""), let end = twiml[r.upperBound...].firstIndex(of: "\"") else { return nil }
        return String(twiml[r.upperBound..<end]).replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "https://ar.example.com", with: "")
    }

    @Test(.enabled(if: signer)) func aCallHoldsAThreeTurnConversationToAPromise() async throws {
        let standIn = ProviderStandIn()
        let contract = try OpenAPIContract(path: OpenAPIContract.fixture("twilio_api_v2010.subset.json"))
        let callable = """
            debtor_id,name,phone,timezone,sms_consent,call_consent
            SHIP1,Dana Reyes,(312) 555-0101,America/Chicago,false,true
            """
        try await Application(router: standIn.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { provider in
            try await world(
                port: try #require(provider.port), settings: [("voice.provider", "twilio"), ("voice.record", "on"), ("sender.phone", "+13125559999")],
                contacts: callable
            ) { store, scheduler, client in
                _ = try await scheduler.simulate(tenant: "acme", from: t("2026-01-20T00:00:00Z"), until: t("2026-02-04T00:00:00Z"))
                let calls = try await store.read { try await $0.messages("acme", debtor: "SHIP1") }.filter { $0.channel == .voice }
                let call = try #require(calls.first)
                #expect(call.providerID == "twilio:CA1")
                let placed = try #require(await standIn.seen.first { $0.provider == "twilio-voice" })
                let form = Form.decode(String(decoding: placed.body, as: UTF8.self))
                #expect(contract.problems(method: placed.method, url: "https://api.twilio.com" + placed.url, form: form) == [])
                #expect(form.first { $0.0 == "MachineDetection" }?.1 == "Enable")
                #expect(form.first { $0.0 == "Url" }?.1 == "https://ar.example.com/webhooks/twilio/voice?tenant=acme&message=\(call.id)")
                #expect(form.filter { $0.0 == "StatusCallbackEvent" }.count == 4)
                #expect(form.first { $0.0 == "Record" }?.1 == "true")

                // A person answers: the agent introduces itself, says the call is recorded, and listens.
                let q = "tenant=acme&message=\(call.id)"
                let (s0, open) = try await post(
                    client, "/webhooks/twilio/voice?\(q)", [("CallSid", "CA1"), ("AnsweredBy", "human"), ("CallStatus", "in-progress")])
                #expect(s0 == .ok)
                #expect(open.contains("Prairie Line") && open.contains("recorded") && open.contains("<Gather input=\"speech dtmf\""))
                var next = try #require(action(open))

                // Turn 1: a question — the balance is answered and the agent listens on.
                let (_, t1) = try await post(client, next, [("CallSid", "CA1"), ("SpeechResult", "How much do we owe you right now?"), ("Confidence", "0.92")])
                #expect(t1.contains("1,250.00") && t1.contains("<Gather"), "\(t1)")
                next = try #require(action(t1))
                // Turn 2: nothing heard — asked again once.
                let (_, t2) = try await post(client, next, [("CallSid", "CA1"), ("SpeechResult", "")])
                #expect(t2.contains("did not catch that") && t2.contains("<Gather"))
                next = try #require(action(t2))
                // Turn 3: a promise — confirmed with its date, and goodbye.
                let (_, t3) = try await post(client, next, [("CallSid", "CA1"), ("SpeechResult", "We will pay it this Friday"), ("Confidence", "0.88")])
                #expect(t3.contains("<Hangup/>") && !t3.contains("<Gather"), "\(t3)")
                #expect(t3.range(of: #"20[0-9]{2}-[0-9]{2}-[0-9]{2}"#, options: .regularExpression) != nil, "the promised date is said: \(t3)")
                // Twilio retries a turn it thinks failed: the same answer, nothing doubled.
                let (_, again) = try await post(client, next, [("CallSid", "CA1"), ("SpeechResult", "We will pay it this Friday"), ("Confidence", "0.88")])
                #expect(again.contains("<Hangup/>"))
                let promises = try await store.read { try await $0.commitments("acme", debtor: "SHIP1") }
                #expect(promises.count == 1 && promises.first?.kind == .promise, "\(promises)")
                if let day = promises.first?.date { #expect(day.isoWeekday == 5, "a Friday: \(day)") }
                let heard = try await store.read { try await $0.messages("acme", direction: .inbound) }.filter { $0.channel == .voice }
                #expect(heard.map(\.body) == ["How much do we owe you right now?", "We will pay it this Friday"])

                _ = try await post(
                    client, "/webhooks/twilio/voice/recording?\(q)",
                    [("CallSid", "CA1"), ("RecordingUrl", "https://api.twilio.com/rec/RE1"), ("RecordingStatus", "completed")])
                _ = try await post(client, "/webhooks/twilio/voice/status?\(q)", [("CallSid", "CA1"), ("CallStatus", "completed"), ("CallDuration", "84")])
                let done = try await store.read { try await $0.message("acme", id: call.id) }
                #expect(done?.deliveryStatus == "answered" && done?.recordingURL == "https://api.twilio.com/rec/RE1")

                // A forged turn is refused.
                var forged = HTTPFields()
                forged[.contentType] = "application/x-www-form-urlencoded"
                forged[HTTPField.Name("X-Twilio-Signature")!] = "AAAAAAAAAAAAAAAAAAAAAAAAAAA="
                try await client.execute(uri: next, method: .post, headers: forged, body: ByteBuffer(string: "SpeechResult=STOP&CallSid=CA1")) {
                    #expect($0.status == .forbidden)
                }
            }
        }
    }

    @Test(.enabled(if: signer)) func aMachineGetsOneShortVoicemailPerStage() async throws {
        let standIn = ProviderStandIn()
        let callable = """
            debtor_id,name,phone,timezone,sms_consent,call_consent
            SHIP1,Dana Reyes,(312) 555-0101,America/Chicago,false,true
            """
        try await Application(router: standIn.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { provider in
            try await world(port: try #require(provider.port), settings: [("voice.provider", "twilio"), ("sender.phone", "+13125559999")], contacts: callable) {
                store, scheduler, client in
                _ = try await scheduler.simulate(tenant: "acme", from: t("2026-01-20T00:00:00Z"), until: t("2026-02-10T00:00:00Z"))
                let calls = try await store.read { try await $0.messages("acme", debtor: "SHIP1") }.filter { $0.channel == .voice }
                #expect(calls.count >= 2)
                let (_, first) = try await post(
                    client, "/webhooks/twilio/voice?tenant=acme&message=\(calls[0].id)", [("CallSid", "CA1"), ("AnsweredBy", "machine_end_beep")])
                #expect(first.contains("call us back at 3 1 2 5 5 5 9 9 9 9") && !first.contains("1,250"), "no amounts on a machine anyone may hear: \(first)")
                let (_, second) = try await post(
                    client, "/webhooks/twilio/voice?tenant=acme&message=\(calls[1].id)", [("CallSid", "CA2"), ("AnsweredBy", "machine_start")])
                #expect(second.hasSuffix("<Response><Hangup/></Response>"), "\(second)")
                _ = try await post(
                    client, "/webhooks/twilio/voice/status?tenant=acme&message=\(calls[1].id)", [("CallSid", "CA2"), ("CallStatus", "completed")])
                #expect(try await store.read { try await $0.message("acme", id: calls[1].id) }?.deliveryStatus == "machine")
            }
        }
    }
}
