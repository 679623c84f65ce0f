import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdOTP
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import OverdueUseCases
@testable import OverdueCore
@testable import OverdueServer
@testable import OverdueStore

/// People signing in: passwords, sessions with CSRF, the second factor, the per-address sign-in
/// limit, user administration by role — over real HTTP on loopback.
@Suite struct AccountsTests {
    static let password = "tandem-walrus-oxide-42"

    static func json(_ buffer: ByteBuffer) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: buffer))) as? [String: Any] ?? [:]
    }

    static func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    static var jsonHeaders: HTTPFields {
        var h = HTTPFields()
        h[.contentType] = "application/json"
        return h
    }

    static func session(_ cookie: String, csrf: String? = nil) -> HTTPFields {
        var h = jsonHeaders
        h[.cookie] = "overdue_session=\(cookie)"
        if let csrf { h[HTTPField.Name("X-CSRF-Token")!] = csrf }
        return h
    }

    /// Makes a user straight in the store (as `overdue users create` does).
    static func addUser(_ store: Store, email: String, role: Role) async throws -> User {
        let hash = try await Passwords.hash(password)
        return try #require(try await store.write { try await $0.createUser("demo", email: email, name: email, role: role, passwordHash: hash, now: Date()) })
    }

    /// Signs in; returns (cookie token, csrf token).
    static func signIn(_ client: any TestClientProtocol, email: String, password: String = password, totp: String? = nil) async throws -> (String, String) {
        let extra = totp.map { #","totp":"\#($0)""# } ?? ""
        return try await client.execute(
            uri: "/auth/login", method: .post, headers: jsonHeaders,
            body: body(#"{"email":"\#(email)","password":"\#(password)"\#(extra)}"#)
        ) { response in
            #expect(response.status == .ok)
            let cookie = try #require(response.headers[.setCookie])
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            #expect(cookie.contains("Secure"))
            let token = String(cookie.split(separator: ";")[0].dropFirst("overdue_session=".count))
            return (token, try #require(json(response.body)["csrf_token"] as? String))
        }
    }

    @Test func signInSessionAndCSRF() async throws {
        try await APITests().withApp { client, store in
            let start = Date()
            _ = try await Self.addUser(store, email: "pat@carrier.test", role: .collector)
            let hashing = Date().timeIntervalSince(start)
            #expect(hashing > 0)
            // Wrong password, unknown user: the same answer.
            for (email, pw) in [("pat@carrier.test", "not-the-password-at-all"), ("nobody@carrier.test", Self.password)] {
                try await client.execute(
                    uri: "/auth/login", method: .post, headers: Self.jsonHeaders, body: Self.body(#"{"email":"\#(email)","password":"\#(pw)"}"#)
                ) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.setCookie] == nil)
                    #expect(Self.json(response.body)["detail"] as? String == "the email or password is wrong")
                }
            }
            let (cookie, csrf) = try await Self.signIn(client, email: "PAT@carrier.test")
            try await client.execute(uri: "/api/v1/cases", method: .get, headers: Self.session(cookie)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/v1/users/me", method: .get, headers: Self.session(cookie)) { response in
                #expect(Self.json(response.body)["email"] as? String == "pat@carrier.test")
                #expect(Self.json(response.body)["role"] as? String == "collector")
            }
            // A change without the CSRF token is refused; with it, it reaches the route.
            try await client.execute(uri: "/api/v1/cases/S001/takeover", method: .post, headers: Self.session(cookie), body: Self.body(#"{"by":"pat"}"#)) {
                response in
                #expect(response.status == .forbidden)
                #expect(Self.json(response.body)["type"] as? String == "https://overdue.dev/problems/csrf")
            }
            try await client.execute(
                uri: "/api/v1/cases/S001/takeover", method: .post, headers: Self.session(cookie, csrf: csrf), body: Self.body(#"{"by":"pat"}"#)
            ) {
                #expect($0.status == .ok)
            }
            // A collector may not administer.
            try await client.execute(uri: "/api/v1/users", method: .get, headers: Self.session(cookie)) { #expect($0.status == .forbidden) }
            // Sign out: the cookie is dead.
            try await client.execute(uri: "/auth/logout", method: .post, headers: Self.session(cookie, csrf: csrf)) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.setCookie]?.contains("Max-Age=0") == true)
            }
            try await client.execute(uri: "/api/v1/cases", method: .get, headers: Self.session(cookie)) { #expect($0.status == .unauthorized) }

            // The audit log has the story and no secret.
            let log = try await store.read { try await $0.auditLog(tenant: nil) }
            let actions = log.map(\.action)
            #expect(actions.filter { $0 == "auth.login_failed" }.count == 2)
            #expect(actions.contains("auth.login"))
            #expect(actions.contains("auth.logout"))
            #expect(log.contains { $0.action == "authz.denied" && $0.detail?.contains("CSRF") == true })
            let text = log.map { "\($0.actor) \($0.action) \($0.object ?? "") \($0.detail ?? "")" }.joined(separator: "\n")
            for secret in [Self.password, "not-the-password-at-all", cookie, csrf] { #expect(!text.contains(secret)) }
        }
    }

    @Test func secondFactorEnrolmentAndSignIn() async throws {
        try await APITests().withApp { client, store in
            _ = try await Self.addUser(store, email: "lee@carrier.test", role: .manager)
            let (cookie, csrf) = try await Self.signIn(client, email: "lee@carrier.test")
            let enrol = try await client.execute(uri: "/api/v1/users/me/totp", method: .post, headers: Self.session(cookie, csrf: csrf)) { response in
                #expect(response.status == .created)
                return Self.json(response.body)
            }
            let secret = try #require(enrol["secret"] as? String)
            #expect((enrol["otpauth_url"] as? String)?.hasPrefix("otpauth://totp/lee@carrier.test?secret=") == true)
            try await client.execute(
                uri: "/api/v1/users/me/totp/confirm", method: .post, headers: Self.session(cookie, csrf: csrf), body: Self.body(#"{"code":"000000"}"#)
            ) {
                #expect($0.status == .unprocessableContent)
            }
            let code = String(format: "%06d", TOTP(secret: secret).compute(date: Date()))
            try await client.execute(
                uri: "/api/v1/users/me/totp/confirm", method: .post, headers: Self.session(cookie, csrf: csrf), body: Self.body(#"{"code":"\#(code)"}"#)
            ) {
                #expect($0.status == .noContent)
            }
            // Now the password alone is not enough.
            try await client.execute(
                uri: "/auth/login", method: .post, headers: Self.jsonHeaders, body: Self.body(#"{"email":"lee@carrier.test","password":"\#(Self.password)"}"#)
            ) { response in
                #expect(response.status == .unauthorized)
                #expect(Self.json(response.body)["type"] as? String == "https://overdue.dev/problems/totp-required")
            }
            try await client.execute(
                uri: "/auth/login", method: .post, headers: Self.jsonHeaders,
                body: Self.body(#"{"email":"lee@carrier.test","password":"\#(Self.password)","totp":"123456"}"#)
            ) { #expect($0.status == .unauthorized) }
            let fresh = String(format: "%06d", TOTP(secret: secret).compute(date: Date()))
            _ = try await Self.signIn(client, email: "lee@carrier.test", totp: fresh)
            try await client.execute(uri: "/api/v1/users/me", method: .get, headers: Self.session(cookie)) { response in
                #expect(Self.json(response.body)["totp_enabled"] as? Bool == true)
            }
        }
    }

    @Test func signInAttemptsAreLimitedPerAddress() async throws {
        // Three tries, then one a minute: the fourth inside the minute waits.
        try await APITests().withApp(configure: {
            $0.loginsPerMinute = 1; $0.loginBurst = 3
        }) { client, store in
            _ = try await Self.addUser(store, email: "kim@carrier.test", role: .viewer)
            var statuses: [HTTPResponse.Status] = []
            var retryAfter: String?
            for _ in 0..<4 {
                try await client.execute(
                    uri: "/auth/login", method: .post, headers: Self.jsonHeaders,
                    body: Self.body(#"{"email":"kim@carrier.test","password":"wrong-wrong-wrong"}"#)
                ) { response in
                    statuses.append(response.status)
                    if response.status == .tooManyRequests { retryAfter = response.headers[.retryAfter] }
                }
            }
            #expect(statuses == [.unauthorized, .unauthorized, .unauthorized, .tooManyRequests])
            #expect(retryAfter.flatMap(Int.init).map { $0 >= 1 && $0 <= 60 } == true)
            // Even the right password waits.
            try await client.execute(
                uri: "/auth/login", method: .post, headers: Self.jsonHeaders, body: Self.body(#"{"email":"kim@carrier.test","password":"\#(Self.password)"}"#)
            ) {
                #expect($0.status == .tooManyRequests)
            }
            let throttled = try await store.read { try await $0.auditLog(tenant: nil) }.filter { $0.action == "auth.login_throttled" }
            #expect(throttled.count == 2)
        }
    }

    /// Issue 20, finding 6: the per-address limit alone let many addresses guess one account's
    /// password, and a second-factor code could be used again within its 90 seconds.
    @Test func anAccountLocksAfterFailuresFromAnywhereAndACodeIsGoodOnce() async throws {
        // As if each guess came from an address of its own: the per-address limit does not apply.
        try await APITests().withApp(configure: {
            $0.loginsPerMinute = 10_000; $0.loginBurst = 10_000
        }) { client, store in
            _ = try await Self.addUser(store, email: "kim@carrier.test", role: .viewer)
            for _ in 0..<UseCases.signInFailureLimit {
                try await client.execute(
                    uri: "/auth/login", method: .post, headers: Self.jsonHeaders,
                    body: Self.body(#"{"email":"kim@carrier.test","password":"wrong-wrong-wrong"}"#)
                ) { #expect($0.status == .unauthorized) }
            }
            // Locked: even the right password is refused, with the same answer as a wrong one.
            try await client.execute(
                uri: "/auth/login", method: .post, headers: Self.jsonHeaders, body: Self.body(#"{"email":"kim@carrier.test","password":"\#(Self.password)"}"#)
            ) { response in
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body).contains("the email or password is wrong"))
            }
            let audit = try await store.read { try await $0.auditLog(tenant: "demo") }
            #expect(audit.filter { $0.action == "auth.locked" }.count == 1)
            #expect(audit.last?.detail == "account locked after failed sign-ins", "\(audit.last?.detail ?? "")")
            let inbox = try await store.read { try await $0.inbox("demo") }
            #expect(inbox.contains { $0.code == "account_locked" && $0.reason.contains("kim@carrier.test") })

            // A second factor's code signs in once.
            _ = try await Self.addUser(store, email: "lee@carrier.test", role: .manager)
            let (cookie, csrf) = try await Self.signIn(client, email: "lee@carrier.test")
            let enrol = try await client.execute(uri: "/api/v1/users/me/totp", method: .post, headers: Self.session(cookie, csrf: csrf)) {
                Self.json($0.body)
            }
            let secret = try #require(enrol["secret"] as? String)
            let code = String(format: "%06d", TOTP(secret: secret).compute(date: Date()))
            try await client.execute(
                uri: "/api/v1/users/me/totp/confirm", method: .post, headers: Self.session(cookie, csrf: csrf), body: Self.body(#"{"code":"\#(code)"}"#)
            ) { #expect($0.status == .noContent) }
            let fresh = String(format: "%06d", TOTP(secret: secret).compute(date: Date()))
            _ = try await Self.signIn(client, email: "lee@carrier.test", totp: fresh)
            try await client.execute(
                uri: "/auth/login", method: .post, headers: Self.jsonHeaders,
                body: Self.body(#"{"email":"lee@carrier.test","password":"\#(Self.password)","totp":"\#(fresh)"}"#)
            ) { response in
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body).contains("used already"))
            }
        }
    }

    /// Issue 20, finding 8: keys recorded no maker and never expired, so disabling or demoting a
    /// person left their keys working, and an admin could revoke an owner's key.
    @Test func keysDieWithTheirMakersAccessExpireAndAnOwnersKeyIsTheOwnersToRevoke() async throws {
        try await APITests().withApp { client, store in
            let owner = try await Self.addUser(store, email: "olu@carrier.test", role: .owner)
            let ana = try await Self.addUser(store, email: "ana@carrier.test", role: .admin)
            let bo = try await Self.addUser(store, email: "bo@carrier.test", role: .admin)
            _ = owner
            func makeKey(_ email: String, role: String, days: Int? = nil) async throws -> (status: HTTPResponse.Status, key: String?, prefix: String?) {
                let (cookie, csrf) = try await Self.signIn(client, email: email)
                let extra = days.map { ",\"expires_in_days\":\($0)" } ?? ""
                return try await client.execute(
                    uri: "/api/v1/keys", method: .post, headers: Self.session(cookie, csrf: csrf),
                    body: Self.body(#"{"name":"robot","role":"\#(role)"\#(extra)}"#)
                ) { r in (r.status, Self.json(r.body)["key"] as? String, Self.json(r.body)["prefix"] as? String) }
            }
            func works(_ key: String) async throws -> Bool {
                var h = HTTPFields()
                h[.authorization] = "Bearer \(key)"
                return try await client.execute(uri: "/api/v1/cases", method: .get, headers: h) { $0.status == .ok }
            }
            // Never more than its maker; a year by default, two at most.
            #expect(try await makeKey("ana@carrier.test", role: "owner").status == .forbidden)
            #expect(try await makeKey("ana@carrier.test", role: "admin", days: 9_999).status == .unprocessableContent)
            let anaKey = try #require(try await makeKey("ana@carrier.test", role: "admin").key)
            let stored = try #require(try await store.read { try await $0.apiKey(matching: anaKey) })
            #expect(stored.createdBy == ana.id)
            #expect(stored.expiresAt.map { abs($0.timeIntervalSinceNow - 365 * 86_400) < 120 } == true)
            let boAdmin = try #require(try await makeKey("bo@carrier.test", role: "admin").key)
            let boCollector = try #require(try await makeKey("bo@carrier.test", role: "collector").key)
            for key in [anaKey, boAdmin, boCollector] { #expect(try await works(key)) }

            // The owner disables Ana and demotes Bo to manager.
            let (oc, ocsrf) = try await Self.signIn(client, email: "olu@carrier.test")
            try await client.execute(uri: "/api/v1/users/\(ana.id)", method: .delete, headers: Self.session(oc, csrf: ocsrf)) {
                #expect($0.status == .noContent)
            }
            try await client.execute(
                uri: "/api/v1/users/\(bo.id)", method: .patch, headers: Self.session(oc, csrf: ocsrf), body: Self.body(#"{"role":"manager"}"#)
            ) { #expect($0.status == .ok) }
            #expect(try await !works(anaKey), "a disabled person's key still works")
            #expect(try await !works(boAdmin), "a demoted person's admin key still works")
            #expect(try await works(boCollector), "a key within the new role stops working")

            // An expired key stops.
            let old = try await store.write { s in
                try await s.createAPIKey("demo", name: "old", role: .viewer, now: Date(), expiresAt: Date().addingTimeInterval(-1)).key
            }
            #expect(try await !works(old))

            // An admin cannot revoke an owner's key; the owner can.
            let ownerKey = try #require(try await makeKey("olu@carrier.test", role: "owner").prefix)
            let root = try #require(try await makeKey("olu@carrier.test", role: "admin").key)
            _ = root
            let admin = try await Self.addUser(store, email: "cy@carrier.test", role: .admin)
            _ = admin
            let (cc, ccsrf) = try await Self.signIn(client, email: "cy@carrier.test")
            try await client.execute(uri: "/api/v1/keys/\(ownerKey)", method: .delete, headers: Self.session(cc, csrf: ccsrf)) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/keys/\(ownerKey)", method: .delete, headers: Self.session(oc, csrf: ocsrf)) {
                #expect($0.status == .noContent)
            }
        }
    }

    /// Issue 20, finding 15: sign-in forms took cross-site posts, no HSTS, and a viewer could not
    /// change their own password through the API.
    @Test func signInIsSameSiteOnlyHTTPSIsAskedForAndEveryoneOwnsTheirPassword() async throws {
        try await APITests().withApp { client, store in
            _ = try await Self.addUser(store, email: "vi@carrier.test", role: .viewer)
            // Posted from another site's page, as JSON to the API and as the dashboard's form.
            let attempts = [
                ("/auth/login", "application/json", #"{"email":"vi@carrier.test","password":"\#(Self.password)"}"#),
                ("/login", "application/x-www-form-urlencoded", "email=vi%40carrier.test&password=\(Self.password)"),
            ]
            for (uri, type, body) in attempts {
                var crossSite = HTTPFields()
                crossSite[.contentType] = type
                crossSite[HTTPField.Name("Sec-Fetch-Site")!] = "cross-site"
                try await client.execute(uri: uri, method: .post, headers: crossSite, body: Self.body(body)) { response in
                    #expect(response.status == .forbidden, "\(uri)")
                    #expect(response.headers[.setCookie] == nil, "\(uri)")
                }
            }
            // From the server's own page it works, and browsers are told to keep to HTTPS.
            var sameOrigin = Self.jsonHeaders
            sameOrigin[HTTPField.Name("Sec-Fetch-Site")!] = "same-origin"
            try await client.execute(
                uri: "/auth/login", method: .post, headers: sameOrigin, body: Self.body(#"{"email":"vi@carrier.test","password":"\#(Self.password)"}"#)
            ) { response in
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("Strict-Transport-Security")!] == "max-age=31536000")
            }
            // A viewer changes their own password.
            let (cookie, csrf) = try await Self.signIn(client, email: "vi@carrier.test")
            try await client.execute(
                uri: "/api/v1/users/me/password", method: .post, headers: Self.session(cookie, csrf: csrf),
                body: Self.body(#"{"current":"\#(Self.password)","new":"quartz-lantern-meadow-77"}"#)
            ) { #expect($0.status == .noContent) }
            _ = try await Self.signIn(client, email: "vi@carrier.test", password: "quartz-lantern-meadow-77")
        }
    }

    @Test func administeringUsersAndKeys() async throws {
        try await APITests().withApp { client, store in
            _ = try await Self.addUser(store, email: "admin@carrier.test", role: .admin)
            let (cookie, csrf) = try await Self.signIn(client, email: "admin@carrier.test")
            let h = Self.session(cookie, csrf: csrf)
            // Every bad field at once.
            try await client.execute(
                uri: "/api/v1/users", method: .post, headers: h, body: Self.body(#"{"email":"not-an-email","role":"boss","password":"password1234"}"#)
            ) { response in
                #expect(response.status == .unprocessableContent)
                let errors = Self.json(response.body)["errors"] as? [[String: Any]] ?? []
                #expect(Set(errors.compactMap { $0["pointer"] as? String }) == ["/email", "/role", "/password"])
            }
            // An admin cannot make an owner.
            try await client.execute(
                uri: "/api/v1/users", method: .post, headers: h,
                body: Self.body(#"{"email":"o2@carrier.test","role":"owner","password":"\#(Self.password)"}"#)
            ) { #expect($0.status == .forbidden) }
            let made = try await client.execute(
                uri: "/api/v1/users", method: .post, headers: h,
                body: Self.body(#"{"email":"sam@carrier.test","name":"Sam","role":"viewer","password":"\#(Self.password)"}"#)
            ) { response in
                #expect(response.status == .created)
                #expect(Self.json(response.body)["password"] == nil)
                return Self.json(response.body)
            }
            let id = try #require(made["id"] as? String)
            try await client.execute(
                uri: "/api/v1/users", method: .post, headers: h,
                body: Self.body(#"{"email":"SAM@carrier.test","role":"viewer","password":"\#(Self.password)"}"#)
            ) { #expect($0.status == .conflict) }
            let (samCookie, _) = try await Self.signIn(client, email: "sam@carrier.test")
            // Promote Sam: the role change ends Sam's sessions.
            try await client.execute(uri: "/api/v1/users/\(id)", method: .patch, headers: h, body: Self.body(#"{"role":"collector"}"#)) { response in
                #expect(response.status == .ok)
                #expect(Self.json(response.body)["role"] as? String == "collector")
            }
            try await client.execute(uri: "/api/v1/cases", method: .get, headers: Self.session(samCookie)) { #expect($0.status == .unauthorized) }
            // Keys over the API: shown once.
            let key = try await client.execute(uri: "/api/v1/keys", method: .post, headers: h, body: Self.body(#"{"name":"erp","role":"viewer"}"#)) {
                response in
                #expect(response.status == .created)
                return try #require(Self.json(response.body)["key"] as? String)
            }
            try await client.execute(uri: "/api/v1/keys", method: .get, headers: h) { response in
                #expect(!String(buffer: response.body).contains(key))
                #expect(String(buffer: response.body).contains(String(key.prefix(13))))
            }
            try await client.execute(uri: "/api/v1/keys/\(key.prefix(13))", method: .delete, headers: h) { #expect($0.status == .noContent) }
            var bearer = HTTPFields()
            bearer[.authorization] = "Bearer \(key)"
            try await client.execute(uri: "/api/v1/cases", method: .get, headers: bearer) { #expect($0.status == .unauthorized) }
            // Another tenant's user is not found, not forbidden.
            let other = try await store.write { s -> User? in
                try await s.ensureTenant("other", now: Date())
                return try await s.createUser("other", email: "x@other.test", name: "X", role: .viewer, passwordHash: "x", now: Date())
            }
            try await client.execute(uri: "/api/v1/users/\(try #require(other).id)", method: .get, headers: h) { #expect($0.status == .notFound) }
        }
    }
}
