import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdOTP
import HummingbirdTesting
import NIOCore
import Testing
@testable import OverdueAgents
import OverdueChannels
@testable import OverdueCore
@testable import OverdueServer
@testable import OverdueStore

/// The dashboard over real HTTP: sign-in by form, every page behind the session, hostile debtor
/// text escaped, CSRF on every form, roles on every action.
@Suite struct DashboardTests {
    static let hostile = #"<script>alert('pwned')</script> "><img src=x onerror=alert(1)> &amp; {{debtor}}"#

    static func form(_ pairs: [(String, String)], cookie: String? = nil) -> (HTTPFields, ByteBuffer) {
        var h = HTTPFields()
        h[.contentType] = "application/x-www-form-urlencoded"
        if let cookie { h[.cookie] = "overdue_session=\(cookie)" }
        return (h, ByteBuffer(string: Form.encode(pairs)))
    }

    static func cookie(_ c: String) -> HTTPFields {
        var h = HTTPFields()
        h[.cookie] = "overdue_session=\(c)"
        return h
    }

    /// Signs in through the form; returns the cookie token and the page's CSRF token.
    static func signIn(_ client: any TestClientProtocol, email: String) async throws -> (String, String) {
        let (h, b) = form([("email", email), ("password", AccountsTests.password), ("next", "/app/cases")])
        let token = try await client.execute(uri: "/login", method: .post, headers: h, body: b) { response in
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/app/cases")
            return String(try #require(response.headers[.setCookie]).split(separator: ";")[0].dropFirst("overdue_session=".count))
        }
        let csrf = try await client.execute(uri: "/app", method: .get, headers: cookie(token)) { response in
            let page = String(buffer: response.body)
            return String(try #require(page.firstMatch(of: /name="_csrf" value="([^"]+)"/)).1)
        }
        return (token, csrf)
    }

    @Test func pagesNeedASessionAndSignInIsAForm() async throws {
        try await APITests().withApp { client, store in
            _ = try await AccountsTests.addUser(store, email: "pat@carrier.test", role: .collector)
            try await client.execute(uri: "/app/cases/S001", method: .get) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/login?next=%2Fapp%2Fcases%2FS001")
            }
            try await client.execute(uri: "/login?next=https://evil.example/x", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(page.contains(#"<label for="email">Email</label>"#))
                #expect(page.contains(#"name="next" value="/app""#), "an outside next is dropped")
            }
            let (h, b) = Self.form([("email", "pat@carrier.test"), ("password", "wrong-wrong-wrong")])
            try await client.execute(uri: "/login", method: .post, headers: h, body: b) { response in
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body).contains("the email or password is wrong"))
                #expect(String(buffer: response.body).contains(#"value="pat@carrier.test""#))
            }
            let (token, _) = try await Self.signIn(client, email: "pat@carrier.test")
            for (path, marker) in [
                ("/app", "<h1>Overview</h1>"), ("/app/cases", "<h1>Worklist</h1>"), ("/app/cases/S001", "<h2>Timeline</h2>"), ("/app/inbox", "<h1>Inbox</h1>"),
            ] {
                try await client.execute(uri: path, method: .get, headers: Self.cookie(token)) { response in
                    #expect(response.status == .ok, "\(path)")
                    #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                    #expect(response.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("default-src 'self'") == true)
                    #expect(String(buffer: response.body).contains(marker), "\(path)")
                }
            }
        }
    }

    @Test func overviewAndWorklistShowTheBook() async throws {
        try await APITests().withApp { client, store in
            _ = try await AccountsTests.addUser(store, email: "lee@carrier.test", role: .manager)
            // An SMS of stage 2 that a reply followed (before anyone looks: the overview reuses its aggregates for a minute).
            let now = Date()
            try await store.write { s in
                _ = try await s.insertMessage(
                    "demo",
                    MessageRecord(
                        id: "m-eff", key: "S001/eff", direction: .outbound, channel: .sms, at: now.addingTimeInterval(-7200),
                        debtorID: "S001", contactID: nil, contactName: "AP", to: "+13125550100", from: nil, invoiceNumbers: [],
                        stage: 2, attempt: 1, kind: "reminder", subject: nil, body: "b", status: .sent))
                _ = try await s.insertMessage(
                    "demo",
                    MessageRecord(
                        id: "m-eff-in", key: "in/eff", direction: .inbound, channel: .sms, at: now.addingTimeInterval(-3600),
                        debtorID: "S001", contactID: nil, contactName: "AP", to: nil, from: "+13125550100", invoiceNumbers: [],
                        stage: nil, attempt: nil, kind: "reply", subject: nil, body: "paying friday", status: .received))
            }
            let (token, _) = try await Self.signIn(client, email: "lee@carrier.test")
            try await client.execute(uri: "/app", method: .get, headers: Self.cookie(token)) { response in
                let page = String(buffer: response.body)
                for label in [
                    "Overdue", "Collected this month", "Promises due this week", "1–30 days", "90+ days", "<svg class=\"bars\"", "DSO trend",
                    "<svg class=\"dso\"", "Reply followed", "Payment followed",
                ] {
                    #expect(page.contains(label), "\(label)")
                }
                #expect(page.contains(#"<tr><th scope="row">sms</th><td>stage 2</td><td class="num">1</td>"#))
                #expect(page.contains(#"1 <span class="muted">(100%)</span>"#))
            }
            // The worklist is ranked: the first row scores highest.
            let cases = try await store.read { try await $0.cases("demo") }
            try await client.execute(uri: "/app/cases", method: .get, headers: Self.cookie(token)) { response in
                let page = String(buffer: response.body)
                #expect(page.contains("most urgent first"))
                let shown = page.matches(of: /href="\/app\/cases\/([A-Z0-9]+)"/).map { String($0.1) }
                #expect(shown.count == cases.filter { $0.status != .idle || true }.count)
            }
            // Search by an invoice number finds its debtor.
            let invoice = try #require(try await store.read { try await $0.invoices("demo", debtor: "S001") }.first)
            try await client.execute(uri: "/app/cases?q=\(invoice.number)", method: .get, headers: Self.cookie(token)) { response in
                let shown = String(buffer: response.body).matches(of: /href="\/app\/cases\/([A-Z0-9]+)"/).map { String($0.1) }
                #expect(shown == ["S001"])
            }
        }
    }

    @Test func hostileRepliesAreEscapedEverywhere() async throws {
        try await APITests().withApp(setup: { store in
            try await store.write { s in
                try await s.upsertDebtors("demo", [Debtor(id: "S001", name: Self.hostile)])
                _ = try await s.addInboxItem("demo", debtor: "S001", kind: .handoff, reason: Reason("x", Self.hostile), messageID: nil, at: Date())
            }
        }) { client, store in
            _ = try await AccountsTests.addUser(store, email: "kim@carrier.test", role: .collector)
            var api = HTTPFields()
            api[.authorization] = "Bearer \(APITests.ownerKey)"
            api[.contentType] = "application/json"
            let phone = try #require(try await store.read { try await $0.contacts("demo", debtor: "S001") }.compactMap(\.phone).first)
            let body = try JSONSerialization.data(withJSONObject: ["channel": "sms", "from": phone, "text": Self.hostile])
            try await client.execute(uri: "/api/v1/messages", method: .post, headers: api, body: ByteBuffer(bytes: body)) { #expect($0.status == .created) }
            let (token, _) = try await Self.signIn(client, email: "kim@carrier.test")
            for path in [
                "/app/cases/S001", "/app/cases", "/app/inbox", "/app/cases?q=\(Self.hostile.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)",
            ] {
                try await client.execute(uri: path, method: .get, headers: Self.cookie(token)) { response in
                    let page = String(buffer: response.body)
                    #expect(!page.contains("<script>alert"), "\(path)")
                    #expect(!page.contains("<img src=x"), "\(path)")
                    #expect(page.contains("&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;"), "\(path)")
                }
            }
        }
    }

    @Test func formsNeedTheirCSRFTokenAndTheRightRole() async throws {
        try await APITests().withApp { client, store in
            _ = try await AccountsTests.addUser(store, email: "pat@carrier.test", role: .collector)
            _ = try await AccountsTests.addUser(store, email: "vic@carrier.test", role: .viewer)
            let (token, csrf) = try await Self.signIn(client, email: "pat@carrier.test")
            let (h1, b1) = Self.form([("reason", "audit")], cookie: token)
            try await client.execute(uri: "/app/cases/S001/takeover", method: .post, headers: h1, body: b1) { #expect($0.status == .forbidden) }
            let (h2, b2) = Self.form([("_csrf", csrf)], cookie: token)
            try await client.execute(uri: "/app/cases/S001/takeover", method: .post, headers: h2, body: b2) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/app/cases/S001")
            }
            #expect(try await store.read { try await $0.caseRecord("demo", debtor: "S001") }?.status == .handoff)
            let (h3, b3) = Self.form(
                [("_csrf", csrf), ("reason", "customer audit"), ("until", LocalDate(Date(), in: .gmt).adding(days: 90).description)], cookie: token)
            try await client.execute(uri: "/app/cases/S001/hold", method: .post, headers: h3, body: b3) { #expect($0.status == .seeOther) }
            #expect(try await store.read { try await $0.holds("demo", debtor: "S001") }.contains { $0.reason == "customer audit" })
            // A viewer sees no action forms and may not post them.
            let (vToken, vCSRF) = try await Self.signIn(client, email: "vic@carrier.test")
            try await client.execute(uri: "/app/cases/S001", method: .get, headers: Self.cookie(vToken)) {
                #expect(!String(buffer: $0.body).contains("<h2>Act</h2>"))
            }
            let (h4, b4) = Self.form([("_csrf", vCSRF)], cookie: vToken)
            try await client.execute(uri: "/app/cases/S001/handback", method: .post, headers: h4, body: b4) { #expect($0.status == .forbidden) }
            // Sign out needs the token too, then the cookie is dead.
            let (h5, b5) = Self.form([("_csrf", csrf)], cookie: token)
            try await client.execute(uri: "/logout", method: .post, headers: h5, body: b5) { #expect($0.headers[.location] == "/login") }
            try await client.execute(uri: "/app", method: .get, headers: Self.cookie(token)) { #expect($0.status == .seeOther) }
        }
    }

    @Test func accountPasswordAndSecondFactorByForm() async throws {
        try await APITests().withApp { client, store in
            let user = try await AccountsTests.addUser(store, email: "ana@carrier.test", role: .admin)
            let (token, csrf) = try await Self.signIn(client, email: "ana@carrier.test")
            // Every problem at once, nothing changed.
            let (h1, b1) = Self.form([("_csrf", csrf), ("current", "wrong-wrong-wrong"), ("new", "password1234"), ("again", "password12345")], cookie: token)
            try await client.execute(uri: "/app/account/password", method: .post, headers: h1, body: b1) { response in
                #expect(response.status == .unprocessableContent)
                let page = String(buffer: response.body)
                #expect(page.contains("commonly used password") && page.contains("differ") && page.contains("Current password: is not your current password"))
            }
            let newPassword = "quiet-harbor-lantern-77"
            let (h2, b2) = Self.form([("_csrf", csrf), ("current", AccountsTests.password), ("new", newPassword), ("again", newPassword)], cookie: token)
            let fresh = try await client.execute(uri: "/app/account/password", method: .post, headers: h2, body: b2) { response in
                #expect(response.headers[.location] == "/app/account?done=password")
                return String(try #require(response.headers[.setCookie]).split(separator: ";")[0].dropFirst("overdue_session=".count))
            }
            // The old session died with the old password; this browser has a new one.
            try await client.execute(uri: "/app", method: .get, headers: Self.cookie(token)) { #expect($0.status == .seeOther) }
            let page = try await client.execute(uri: "/app/account?done=password", method: .get, headers: Self.cookie(fresh)) { String(buffer: $0.body) }
            #expect(page.contains("Password changed"))
            let csrf2 = String(try #require(page.firstMatch(of: /name="_csrf" value="([^"]+)"/)).1)
            let (h3, b3) = Self.form([("_csrf", csrf2)], cookie: fresh)
            let enrol = try await client.execute(uri: "/app/account/totp", method: .post, headers: h3, body: b3) { String(buffer: $0.body) }
            #expect(enrol.contains("otpauth://totp/"))
            let pending = try #require(try await store.read { try await $0.user("demo", id: user.id) }?.totpPending)
            let code = String(format: "%06d", TOTP(secret: pending).compute(date: Date()))
            let (h4, b4) = Self.form([("_csrf", csrf2), ("code", code)], cookie: fresh)
            try await client.execute(uri: "/app/account/totp/confirm", method: .post, headers: h4, body: b4) {
                #expect($0.headers[.location] == "/app/account?done=totp")
            }
            #expect(try await store.read { try await $0.user("demo", id: user.id) }?.totpSecret == pending)
            // The audit log page: for admins, with the chain's state.
            try await client.execute(uri: "/app/audit", method: .get, headers: Self.cookie(fresh)) { response in
                let audit = String(buffer: response.body)
                #expect(audit.contains("Every entry shown matches its hash"))
                #expect(audit.contains("user.password_changed") && audit.contains("user.totp_enabled"))
                #expect(!audit.contains(newPassword))
            }
        }
    }

    /// Issue 20, finding 1: a contact a reply named waits in the inbox for a manager, who adds or
    /// rejects it there; a collector sees it and cannot.
    @Test func proposedContactsAreAddedOrRejectedFromTheInbox() async throws {
        try await APITests().withApp(setup: { store in
            try await store.write { s in
                for (name, email) in [("AP Desk", "ap.desk@shipper.example"), ("Not Me", "someone@evil.example")] {
                    _ = try await s.proposeContact(
                        "demo", debtor: "S001", NewContact(name: name, email: email, phone: nil, timeZone: "America/Chicago"),
                        reason: Reason("redirect", "a reply said the right contact is \(email)"), messageID: nil, at: Date())
                }
            }
        }) { client, store in
            _ = try await AccountsTests.addUser(store, email: "mo@carrier.test", role: .manager)
            _ = try await AccountsTests.addUser(store, email: "cy@carrier.test", role: .collector)
            let proposals = try await store.read { try await $0.contactProposals("demo") }
            #expect(proposals.count == 2)
            let (cToken, cCSRF) = try await Self.signIn(client, email: "cy@carrier.test")
            try await client.execute(uri: "/app/inbox", method: .get, headers: Self.cookie(cToken)) { response in
                let page = String(buffer: response.body)
                #expect(page.contains("Contacts to approve") && page.contains("ap.desk@shipper.example"))
                #expect(!page.contains("Add as contact"))
            }
            // A collector's post is refused, and nothing is added.
            let (h0, b0) = Self.form([("_csrf", cCSRF)], cookie: cToken)
            try await client.execute(uri: "/app/contact-proposals/\(proposals[0].id)/approve", method: .post, headers: h0, body: b0) {
                #expect($0.status == .forbidden || $0.headers[.location] == "/app/inbox")
            }
            #expect(try await store.read { try await $0.contacts("demo", debtor: "S001") }.contains { $0.email == "ap.desk@shipper.example" } == false)
            let (token, csrf) = try await Self.signIn(client, email: "mo@carrier.test")
            try await client.execute(uri: "/app/inbox", method: .get, headers: Self.cookie(token)) {
                #expect(String(buffer: $0.body).contains("Add as contact"))
            }
            let (h, b) = Self.form([("_csrf", csrf)], cookie: token)
            try await client.execute(uri: "/app/contact-proposals/\(proposals[0].id)/approve", method: .post, headers: h, body: b) {
                #expect($0.headers[.location] == "/app/inbox")
            }
            try await client.execute(uri: "/app/contact-proposals/\(proposals[1].id)/reject", method: .post, headers: h, body: b) {
                #expect($0.headers[.location] == "/app/inbox")
            }
            let contacts = try await store.read { try await $0.contacts("demo", debtor: "S001") }
            #expect(contacts.contains { $0.email == "ap.desk@shipper.example" })
            #expect(!contacts.contains { $0.email == "someone@evil.example" })
            #expect(try await store.read { try await $0.contactProposals("demo") }.isEmpty)
            try await client.execute(uri: "/app/inbox", method: .get, headers: Self.cookie(token)) {
                #expect(!String(buffer: $0.body).contains("Contacts to approve"))
            }
        }
    }

    @Test func inboxDraftsAreApprovedOrResolvedFromThePage() async throws {
        try await APITests().withApp(setup: { store in
            try await store.write { s in
                var settings = try await s.settings("demo")
                try settings.set("autonomy", "review")
                try await s.saveSettings("demo", settings)
            }
        }) { client, store in
            _ = try await AccountsTests.addUser(store, email: "mo@carrier.test", role: .manager)
            _ = try await AccountsTests.addUser(store, email: "cy@carrier.test", role: .collector)
            var api = HTTPFields()
            api[.authorization] = "Bearer \(APITests.ownerKey)"
            api[.contentType] = "application/json"
            let email = try #require(try await store.read { try await $0.contacts("demo", debtor: "S001") }.compactMap(\.email).first)
            let body = try JSONSerialization.data(withJSONObject: [
                "channel": "email", "from": email, "subject": "POD?", "text": "Can you send me the POD for the last load?",
            ])
            try await client.execute(uri: "/api/v1/messages", method: .post, headers: api, body: ByteBuffer(bytes: body)) { #expect($0.status == .created) }
            let draft = try #require(try await store.read { try await $0.inbox("demo") }.first { $0.draftID != nil })
            // A collector sees the draft but not the approve button.
            let (cToken, _) = try await Self.signIn(client, email: "cy@carrier.test")
            try await client.execute(uri: "/app/inbox", method: .get, headers: Self.cookie(cToken)) { response in
                let page = String(buffer: response.body)
                #expect(page.contains("Suggested reply"))
                #expect(!page.contains("Approve and send"))
                #expect(page.contains("Mark dealt with"))
            }
            let (token, csrf) = try await Self.signIn(client, email: "mo@carrier.test")
            try await client.execute(uri: "/app/inbox", method: .get, headers: Self.cookie(token)) {
                #expect(String(buffer: $0.body).contains("Approve and send"))
            }
            let (h, b) = Self.form([("_csrf", csrf)], cookie: token)
            try await client.execute(uri: "/app/messages/\(draft.draftID!)/approve", method: .post, headers: h, body: b) {
                #expect($0.headers[.location] == "/app/inbox")
            }
            let sent = try await store.read { try await $0.message("demo", id: draft.draftID!) }
            #expect(sent?.status == .sent || sent?.status == .pending)
            #expect(try await store.read { try await $0.inbox("demo") }.contains { $0.id == draft.id } == false)
        }
    }

    /// Posts a form; returns the redirect's target and the one-time message cookie it set.
    static func post(_ client: any TestClientProtocol, _ uri: String, _ pairs: [(String, String)], token: String) async throws -> (String?, String?) {
        let (h, b) = form(pairs, cookie: token)
        return try await client.execute(uri: uri, method: .post, headers: h, body: b) { response in
            #expect(response.status == .seeOther, "\(uri)")
            let set = response.headers[values: .setCookie].first { $0.hasPrefix("overdue_flash=") }
            // The one-time message rides only over HTTPS, like the session (issue 20, finding 15).
            if let set { #expect(set.contains("Secure"), "\(set)") }
            let flash = set.map { String($0.split(separator: ";")[0]) }
            return (response.headers[.location], flash)
        }
    }

    /// A page seen with the message the last post left.
    static func page(_ client: any TestClientProtocol, _ uri: String, token: String, flash: String?) async throws -> String {
        var h = cookie(token)
        if let flash { h[.cookie] = "overdue_session=\(token); \(flash)" }
        return try await client.execute(uri: uri, method: .get, headers: h) { response in
            #expect(response.status == .ok)
            if flash != nil { #expect(response.headers[values: .setCookie].contains { $0.hasPrefix("overdue_flash=;") }, "the message is shown once") }
            return String(buffer: response.body)
        }
    }

    @Test func promisesPaymentsAndDisputesAreRecordedFromTheCasePage() async throws {
        try await APITests().withApp { client, store in
            _ = try await AccountsTests.addUser(store, email: "pat@carrier.test", role: .collector)
            let (token, csrf) = try await Self.signIn(client, email: "pat@carrier.test")
            let zone = try await store.read { try await $0.settings("demo") }.timeZone
            let today = LocalDate(Date(), in: zone)
            var page = try await Self.page(client, "/app/cases/S001", token: token, flash: nil)
            for marker in ["<h3>Promise to pay</h3>", "<h3>Payment received</h3>", "<h3>Dispute</h3>", #"<label for="p-date">"#, #"<label for="d-reason">"#] {
                #expect(page.contains(marker), "\(marker)")
            }
            // A promise: recorded, the case waits for it, the page says so once.
            var (to, flash) = try await Self.post(
                client, "/app/cases/S001/promise", [("_csrf", csrf), ("date", today.adding(days: 5).description), ("amount", "100.00"), ("channel", "voice")],
                token: token)
            #expect(to == "/app/cases/S001")
            page = try await Self.page(client, "/app/cases/S001", token: token, flash: flash)
            #expect(page.contains("Promise recorded"))
            let promise = try #require(try await store.read { try await $0.commitments("demo", debtor: "S001") }.first { $0.kind == .promise })
            #expect(promise.target.minorUnits == 10_000 && promise.date == today.adding(days: 5) && promise.channel == .voice)
            #expect(
                try await store.read { try await $0.decisions("demo", debtor: "S001") }.contains {
                    $0.reasons.contains { $0.code == "promise_recorded" && $0.message.contains("pat@carrier.test") }
                })
            // A promise in the past and a wrong amount: nothing written, both named on the page.
            (to, flash) = try await Self.post(client, "/app/cases/S001/promise", [("_csrf", csrf), ("date", "2020-01-01"), ("amount", "12.345")], token: token)
            page = try await Self.page(client, "/app/cases/S001", token: token, flash: flash)
            #expect(page.contains("Not recorded"))
            #expect(page.contains("has more than 2 decimal places"))
            #expect(try await store.read { try await $0.commitments("demo", debtor: "S001") }.count == 1)
            // A payment.
            let before = try await store.read { try await $0.payments("demo", debtor: "S001") }.count
            (to, flash) = try await Self.post(
                client, "/app/cases/S001/payment",
                [("_csrf", csrf), ("amount", "250.00"), ("date", today.description), ("reference", "CHK 4410"), ("invoice", "")], token: token)
            #expect(try await Self.page(client, "/app/cases/S001", token: token, flash: flash).contains("Payment recorded"))
            let payments = try await store.read { try await $0.payments("demo", debtor: "S001") }
            #expect(payments.count == before + 1 && payments.contains { $0.reference == "CHK 4410" && $0.amount.minorUnits == 25_000 })
            // A dispute on an open invoice, then resolved with how.
            let invoice = try #require(try await store.read { try await $0.invoices("demo", debtor: "S001") }.first?.number)
            (to, flash) = try await Self.post(
                client, "/app/cases/S001/dispute",
                [("_csrf", csrf), ("invoice", invoice), ("reason", "accessorial"), ("note", "lumper <b>receipt</b> missing")], token: token)
            page = try await Self.page(client, "/app/cases/S001", token: token, flash: flash)
            #expect(page.contains("Dispute opened"))
            #expect(page.contains("lumper &lt;b&gt;receipt&lt;/b&gt; missing"), "the note is escaped in the timeline's reasons")
            let dispute = try #require(try await store.read { try await $0.disputes("demo", debtor: "S001", openOnly: true) }.first)
            #expect(page.contains("/app/cases/S001/disputes/\(dispute.id)/resolve"))
            (to, flash) = try await Self.post(client, "/app/cases/S001/dispute", [("_csrf", csrf), ("invoice", invoice), ("reason", "rate")], token: token)
            #expect(try await Self.page(client, "/app/cases/S001", token: token, flash: flash).contains("is already disputed"))
            (to, flash) = try await Self.post(
                client, "/app/cases/S001/disputes/\(dispute.id)/resolve", [("_csrf", csrf), ("resolution", "credit note CN-12")], token: token)
            #expect(try await Self.page(client, "/app/cases/S001", token: token, flash: flash).contains("Resolved."))
            #expect(try await store.read { try await $0.disputes("demo", debtor: "S001") }.first { $0.id == dispute.id }?.resolution == "credit note CN-12")
            // Another tenant's debtor (or none) is not found; a form without its token is refused.
            let (h, b) = Self.form([("_csrf", csrf), ("date", today.description)], cookie: token)
            try await client.execute(uri: "/app/cases/NOPE/promise", method: .post, headers: h, body: b) { #expect($0.status == .notFound) }
            let (h2, b2) = Self.form([("amount", "1.00"), ("date", today.description)], cookie: token)
            try await client.execute(uri: "/app/cases/S001/payment", method: .post, headers: h2, body: b2) { #expect($0.status == .forbidden) }
            // Every recorded action is in the audit trail.
            let audit = try await store.read { try await $0.auditLog(tenant: "demo") }.filter { $0.action == "app.post" }.compactMap(\.object)
            #expect(
                Set(audit).isSuperset(of: [
                    "/app/cases/S001/promise", "/app/cases/S001/payment", "/app/cases/S001/dispute", "/app/cases/S001/disputes/\(dispute.id)/resolve",
                ]))
        }
    }

    @Test func theCadenceEditorPreviewsThenSavesAndRefusesABadLadder() async throws {
        try await APITests().withApp { client, store in
            _ = try await AccountsTests.addUser(store, email: "mo@carrier.test", role: .manager)
            _ = try await AccountsTests.addUser(store, email: "cy@carrier.test", role: .collector)
            let (token, csrf) = try await Self.signIn(client, email: "mo@carrier.test")
            var page = try await Self.page(client, "/app/cadence", token: token, flash: nil)
            #expect(page.contains("<h1>Cadence</h1>"))
            #expect(page.contains(#"<svg class="cadence""#))
            #expect(page.components(separatedBy: "email · stage 1, attempt").count - 1 == 3, "the standard ladder: three emails")
            #expect(page.contains("voice · stage 3, attempt 3"))
            #expect(page.contains("handed to a person"))
            let ladder: [(String, String)] = [
                ("_csrf", csrf), ("name", "fast"), ("start_after_due_days", "0"), ("on_exhausted", "handoff"),
                ("stage.0.channel", "sms"), ("stage.0.attempts", "2"), ("stage.0.delay_days", "1"),
                ("stage.1.channel", "email"), ("stage.1.attempts", "1"), ("stage.1.delay_days", "2"),
                ("stage.2.channel", ""), ("stage.2.attempts", "3"), ("stage.2.delay_days", "3"),
            ]
            // Preview: shown, not saved.
            let (h, b) = Self.form(ladder + [("intent", "preview")], cookie: token)
            page = try await client.execute(uri: "/app/cadence", method: .post, headers: h, body: b) { response in
                #expect(response.status == .ok)
                return String(buffer: response.body)
            }
            #expect(page.contains("Preview (not saved)"))
            #expect(page.contains("sms · stage 1, attempt 2") && page.contains("email · stage 2, attempt 1") && !page.contains("voice · stage"))
            #expect(try await store.read { try await $0.policy("demo") } == .standard)
            // A bad ladder comes back as typed, every field named, nothing saved.
            let (h2, b2) = Self.form(
                [
                    ("_csrf", csrf), ("name", "bad"), ("start_after_due_days", "400"), ("stage.0.channel", "fax"), ("stage.0.attempts", "0"),
                    ("stage.0.delay_days", "x"), ("intent", "save"),
                ], cookie: token)
            page = try await client.execute(uri: "/app/cadence", method: .post, headers: h2, body: b2) { response in
                #expect(response.status == .unprocessableContent)
                return String(buffer: response.body)
            }
            for problem in [
                "start_after_due_days: must be 0…365 (got 400)", "stages[0].channel: must be email, sms or voice", "stages[0].attempts: must be 1…10 (got 0)",
                "stages[0].delay_days: must be a whole number",
            ] {
                #expect(page.contains(problem), "\(problem)")
            }
            #expect(page.contains(#"value="bad""#))
            // A collector may preview but not save.
            let (cToken, cCSRF) = try await Self.signIn(client, email: "cy@carrier.test")
            let (h3, b3) = Self.form(ladder.dropFirst() + [("_csrf", cCSRF), ("intent", "save")], cookie: cToken)
            try await client.execute(uri: "/app/cadence", method: .post, headers: h3, body: b3) { #expect($0.status == .forbidden) }
            // Save: stored, every case re-planned, the page says so.
            let (to, flash) = try await Self.post(client, "/app/cadence", ladder + [("intent", "save")], token: token)
            #expect(to == "/app/cadence")
            #expect(try await Self.page(client, "/app/cadence", token: token, flash: flash).contains("Cadence saved"))
            let saved = try await store.read { try await $0.policy("demo") }
            #expect(saved.name == "fast" && saved.stages.map(\.channel) == [.sms, .email] && saved.stages[0].attempts == 2 && saved.startAfterDueDays == 0)
        }
    }

    @Test func settingsAreChangedByFormAllOrNothingWithEveryBadKeyMarked() async throws {
        try await APITests().withApp { client, store in
            _ = try await AccountsTests.addUser(store, email: "mo@carrier.test", role: .manager)
            _ = try await AccountsTests.addUser(store, email: "cy@carrier.test", role: .collector)
            try await store.write { s in
                var settings = try await s.settings("demo")
                try settings.set("twilio.auth_token", "tok-0123456789abcdef")
                try await s.saveSettings("demo", settings)
            }
            let (token, csrf) = try await Self.signIn(client, email: "mo@carrier.test")
            var page = try await Self.page(client, "/app/settings", token: token, flash: nil)
            for marker in [
                "Contact rules (windows, holidays, caps)", #"<label for="set-window-holidays"><code>window.holidays</code></label>"#,
                #"<select id="set-autonomy" name="autonomy""#, "set — leave empty to keep it", #"placeholder="default: 08:00""#,
            ] {
                #expect(page.contains(marker), "\(marker)")
            }
            #expect(!page.contains("tok-0123456789abcdef"), "a secret is never shown")
            // Two bad values and a good one: nothing saved, both marked, the typed values kept.
            let (h, b) = Self.form(
                [("_csrf", csrf), ("window.holidays", "12-25, xmas"), ("window.start", "25:00"), ("company.name", "Lakeside Freight")], cookie: token)
            page = try await client.execute(uri: "/app/settings", method: .post, headers: h, body: b) { response in
                #expect(response.status == .unprocessableContent)
                return String(buffer: response.body)
            }
            #expect(page.contains("2 settings are not valid"))
            #expect(page.contains("&#39;xmas&#39; is not a date") || page.contains("'xmas' is not a date"))
            #expect(page.contains("must be a time HH:MM"))
            #expect(page.contains(#"value="Lakeside Freight""#))
            #expect(try await store.read { try await $0.settings("demo") }.companyName != "Lakeside Freight")
            // Moving the window later in one form works whatever order the keys are applied in.
            let (to, flash) = try await Self.post(
                client, "/app/settings",
                [
                    ("_csrf", csrf), ("window.start", "19:00"), ("window.end", "20:30"),
                    ("window.holidays", "12-25, 2026-11-26"), ("autonomy", "review"),
                    ("twilio.auth_token", ""), ("company.name", "Lakeside Freight"),
                ], token: token)
            #expect(to == "/app/settings")
            #expect(try await Self.page(client, "/app/settings", token: token, flash: flash).contains("Settings saved."))
            let saved = try await store.read { try await $0.settings("demo") }
            #expect(saved.value("window.start") == "19:00" && saved.value("window.end") == "20:30" && saved.value("autonomy") == "review")
            #expect(saved.window.holidays.count == 2 && saved.companyName == "Lakeside Freight")
            #expect(saved.value("twilio.auth_token") == "tok-0123456789abcdef", "an empty secret field keeps the secret")
            let entry = try #require(try await store.read { try await $0.auditLog(tenant: "demo") }.last { $0.action == "settings.changed" })
            #expect(entry.detail?.contains("window.holidays") == true && entry.detail?.contains("tok-") == false)
            // A collector reads them but may not change them.
            let (cToken, cCSRF) = try await Self.signIn(client, email: "cy@carrier.test")
            #expect(try await Self.page(client, "/app/settings", token: cToken, flash: nil).contains("Managers and admins can change settings"))
            let (h2, b2) = Self.form([("_csrf", cCSRF), ("autonomy", "auto")], cookie: cToken)
            try await client.execute(uri: "/app/settings", method: .post, headers: h2, body: b2) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/app/settings/users", method: .get, headers: Self.cookie(cToken)) { #expect($0.status == .forbidden) }
        }
    }

    @Test func adminsManageUsersKeysAndWebhooksFromTheSettingsPages() async throws {
        try await APITests().withApp { client, store in
            let admin = try await AccountsTests.addUser(store, email: "ana@carrier.test", role: .admin)
            let (token, csrf) = try await Self.signIn(client, email: "ana@carrier.test")
            // Users: a bad form names each field; a good one adds the user; an admin cannot make owners or demote itself.
            var (_, flash) = try await Self.post(
                client, "/app/settings/users", [("_csrf", csrf), ("email", "nope"), ("role", "collector"), ("password", "short")], token: token)
            var page = try await Self.page(client, "/app/settings/users", token: token, flash: flash)
            #expect(page.contains("email: is not an email address"))
            #expect(page.contains("password: "))
            (_, flash) = try await Self.post(
                client, "/app/settings/users",
                [
                    ("_csrf", csrf), ("email", "lee@carrier.test"), ("name", "Lee"), ("role", "collector"),
                    ("password", AccountsTests.password),
                ], token: token)
            page = try await Self.page(client, "/app/settings/users", token: token, flash: flash)
            #expect(page.contains("User added.") && page.contains("lee@carrier.test"))
            #expect(!page.contains("<option>owner</option>"), "an admin is not offered the owner role")
            let lee = try #require(try await store.read { try await $0.users("demo") }.first { $0.email == "lee@carrier.test" })
            let (h, b) = Self.form([("_csrf", csrf), ("role", "owner")], cookie: token)
            try await client.execute(uri: "/app/settings/users/\(lee.id)", method: .post, headers: h, body: b) { #expect($0.status == .forbidden) }
            (_, flash) = try await Self.post(client, "/app/settings/users/\(lee.id)", [("_csrf", csrf), ("role", "manager"), ("disabled", "on")], token: token)
            #expect(try await Self.page(client, "/app/settings/users", token: token, flash: flash).contains("User updated."))
            let changed = try #require(try await store.read { try await $0.user("demo", id: lee.id) })
            #expect(changed.role == .manager && changed.disabledAt != nil)
            (_, flash) = try await Self.post(client, "/app/settings/users/\(admin.id)", [("_csrf", csrf), ("role", "viewer")], token: token)
            #expect(try await Self.page(client, "/app/settings/users", token: token, flash: flash).contains("you cannot demote or disable yourself"))
            // API keys: shown once, in the answer only; then revoked.
            let (hk, bk) = Self.form([("_csrf", csrf), ("name", "TMS sync"), ("role", "collector")], cookie: token)
            let key = try await client.execute(uri: "/app/settings/keys", method: .post, headers: hk, body: bk) { response in
                #expect(response.status == .created)
                #expect(response.headers[.setCookie] == nil)
                return String(try #require(String(buffer: response.body).firstMatch(of: /<code class="key">(od_[^<]+)<\/code>/)).1)
            }
            var api = HTTPFields()
            api[.authorization] = "Bearer \(key)"
            try await client.execute(uri: "/api/v1/cases", method: .get, headers: api) { #expect($0.status == .ok) }
            page = try await Self.page(client, "/app/settings/keys", token: token, flash: nil)
            #expect(!page.contains(key), "the key is not shown again")
            let prefix = try #require(try await store.read { try await $0.apiKeys("demo") }.first { $0.name == "TMS sync" }?.prefix)
            (_, flash) = try await Self.post(client, "/app/settings/keys/\(prefix)/revoke", [("_csrf", csrf)], token: token)
            #expect(try await Self.page(client, "/app/settings/keys", token: token, flash: flash).contains("Key revoked"))
            try await client.execute(uri: "/api/v1/cases", method: .get, headers: api) { #expect($0.status == .unauthorized) }
            // Webhooks: a bad URL and no events are both named; a good one shows its secret once.
            let (hw, bw) = Self.form([("_csrf", csrf), ("url", "ftp://erp.example.com/x")], cookie: token)
            page = try await client.execute(uri: "/app/settings/webhooks", method: .post, headers: hw, body: bw) { response in
                #expect(response.status == .unprocessableContent)
                return String(buffer: response.body)
            }
            #expect(page.contains("URL: ") && page.contains("Events: "))
            #expect(page.contains(#"value="ftp://erp.example.com/x""#))
            let (hw2, bw2) = Self.form(
                [("_csrf", csrf), ("url", "https://erp.example.com/overdue"), ("event.payment.recorded", "on"), ("event.promise.broken", "on")], cookie: token)
            page = try await client.execute(uri: "/app/settings/webhooks", method: .post, headers: hw2, body: bw2) { response in
                #expect(response.status == .created)
                return String(buffer: response.body)
            }
            #expect(page.contains("whsec_"))
            let sub = try #require(try await store.read { try await $0.webhookSubscriptions("demo") }.first)
            #expect(sub.events == ["payment.recorded", "promise.broken"] && sub.url == "https://erp.example.com/overdue")
            (_, flash) = try await Self.post(client, "/app/settings/webhooks/\(sub.id)/disable", [("_csrf", csrf)], token: token)
            page = try await Self.page(client, "/app/settings/webhooks", token: token, flash: flash)
            #expect(page.contains("Webhook turned off.") && page.contains("off since") && !page.contains(sub.secret))
        }
    }
}
