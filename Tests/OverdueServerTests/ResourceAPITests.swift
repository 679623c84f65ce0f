import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import OverdueAgents
@testable import OverdueCore
@testable import OverdueServer
@testable import OverdueStore

/// The ledger, configuration and listing endpoints over real HTTP: bulk writes and CSV uploads with
/// every bad field named, filters/sorting/cursors, documents, templates, and cross-tenant access to
/// every object type.
@Suite struct ResourceAPITests {
    /// A hold's end three months from now (a hold may last at most two years).
    static var soon: String { Timestamp.format(Date().addingTimeInterval(90 * 86_400)) }

    static func json(_ buffer: ByteBuffer) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: buffer))) as? [String: Any] ?? [:]
    }

    static func headers(_ key: String = APITests.ownerKey, type: String = "application/json") -> HTTPFields {
        var h = HTTPFields()
        h[.authorization] = "Bearer \(key)"
        h[.contentType] = type
        return h
    }

    static func pointers(_ buffer: ByteBuffer) -> Set<String> {
        Set((json(buffer)["errors"] as? [[String: Any]] ?? []).compactMap { $0["pointer"] as? String })
    }

    @Test func invoicesInBulkAndByCSVFailRowByRowThenWrite() async throws {
        try await APITests().withApp { client, _ in
            let bad = #"""
                {"items":[
                  {"invoice_number":"API-1","debtor_id":"S001","debtor_name":"x","amount_minor":125000,"currency":"USD","issue_date":"2026-02-01","due_date":"2026-03-01"},
                  {"invoice_number":"API-2","debtor_id":"S001","debtor_name":"x","amount_minor":-5,"currency":"USD","issue_date":"2026-02-30","due_date":"2026-03-01"},
                  {"invoice_number":"API-3","debtor_id":"S001","debtor_name":"x","amount":"12.00","currency":"USD","issue_date":"2026-02-01","due_date":"2026-03-01","colour":"red"}
                ]}
                """#
            try await client.execute(uri: "/api/v1/invoices", method: .post, headers: Self.headers(), body: ByteBuffer(string: bad)) { response in
                #expect(response.status == .unprocessableContent)
                #expect(Self.pointers(response.body) == ["/items/2/amount", "/items/2/colour"])
            }
            let bad2 = bad.replacingOccurrences(of: #""amount":"12.00""#, with: #""amount_minor":1200"#).replacingOccurrences(of: #","colour":"red""#, with: "")
            try await client.execute(uri: "/api/v1/invoices", method: .post, headers: Self.headers(), body: ByteBuffer(string: bad2)) { response in
                #expect(response.status == .unprocessableContent)
                // The importer's own row checks, pointed at the item and field.
                #expect(Self.pointers(response.body) == ["/items/1/amount_minor", "/items/1/issue_date"])
            }
            try await client.execute(uri: "/api/v1/invoices/API-1", method: .get, headers: Self.headers()) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/v1/invoices?skip_invalid=true", method: .post, headers: Self.headers(), body: ByteBuffer(string: bad2)) {
                response in
                #expect(response.status == .ok)
                let report = Self.json(response.body)
                #expect(report["rows_written"] as? Int == 2)
                #expect((report["skipped"] as? [Any])?.count == 2)
            }
            try await client.execute(uri: "/api/v1/invoices/API-1", method: .get, headers: Self.headers()) { response in
                #expect(Self.json(response.body)["amount_minor"] as? Int == 125_000)
            }
            // A CSV upload goes through the same importer.
            let csv =
                "invoice_number,debtor_id,debtor_name,amount,currency,issue_date,due_date\nAPI-9,S001,Shipper,99.50,USD,2026-02-01,2026-03-01\nAPI-10,S001,Shipper,abc,USD,2026-02-01,2026-03-01\n"
            try await client.execute(uri: "/api/v1/imports/invoices", method: .post, headers: Self.headers(type: "text/csv"), body: ByteBuffer(string: csv)) {
                response in
                #expect(response.status == .unprocessableContent)
                #expect(Self.pointers(response.body) == ["#/line/3/amount"])
            }
            try await client.execute(uri: "/api/v1/invoices/API-9", method: .get, headers: Self.headers()) { #expect($0.status == .notFound) }
            try await client.execute(
                uri: "/api/v1/imports/invoices", method: .post, headers: Self.headers(type: "text/csv"),
                body: ByteBuffer(string: String(csv.split(separator: "\n").prefix(2).joined(separator: "\n")))
            ) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/v1/invoices/API-9", method: .get, headers: Self.headers()) { response in
                #expect(Self.json(response.body)["amount_minor"] as? Int == 9950)
            }
        }
    }

    @Test func casesFilterSortAndPage() async throws {
        try await APITests().withApp { client, _ in
            let all = try await client.execute(uri: "/api/v1/cases?limit=500", method: .get, headers: Self.headers()) {
                Self.json($0.body)["items"] as? [[String: Any]] ?? []
            }
            #expect(all.count > 4)
            // Largest balance first, two per page, walked to the end.
            var seen: [Int] = []
            var cursor: String?
            repeat {
                let uri = "/api/v1/cases?sort=-balance&limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                cursor = try await client.execute(uri: uri, method: .get, headers: Self.headers()) { response in
                    let page = Self.json(response.body)
                    seen += (page["items"] as? [[String: Any]] ?? []).compactMap { $0["balance_minor"] as? Int }
                    return page["next_cursor"] as? String
                }
            } while cursor != nil
            #expect(seen.count == all.count)
            #expect(seen == seen.sorted(by: >))
            // Balance range and status.
            let big = all.compactMap { $0["balance_minor"] as? Int }.sorted()[all.count / 2]
            try await client.execute(uri: "/api/v1/cases?min_balance=\(big)&limit=500", method: .get, headers: Self.headers()) { response in
                let items = Self.json(response.body)["items"] as? [[String: Any]] ?? []
                #expect(!items.isEmpty)
                #expect(items.allSatisfy { ($0["balance_minor"] as? Int ?? 0) >= big })
            }
            // Aging buckets partition the cases that have an open invoice.
            var bucketed = 0
            for bucket in ["current", "1-30", "31-60", "61-90", "90%2B"] {
                bucketed += try await client.execute(uri: "/api/v1/cases?aging=\(bucket)&limit=500", method: .get, headers: Self.headers()) { response in
                    #expect(response.status == .ok)
                    return (Self.json(response.body)["items"] as? [Any])?.count ?? 0
                }
            }
            #expect(bucketed == all.filter { $0["oldest_due"] is String }.count)
            // The outbox pages in time order without losing or repeating a message.
            var ids: [String] = []
            var times: [String] = []
            var next: String?
            repeat {
                next = try await client.execute(uri: "/api/v1/outbox?limit=7" + (next.map { "&cursor=\($0)" } ?? ""), method: .get, headers: Self.headers()) {
                    response in
                    let page = Self.json(response.body)
                    for m in page["items"] as? [[String: Any]] ?? [] { ids.append(m["id"] as? String ?? ""); times.append(m["at"] as? String ?? "") }
                    return page["next_cursor"] as? String
                }
            } while next != nil
            #expect(ids.count > 7)
            #expect(Set(ids).count == ids.count)
            #expect(times == times.sorted())
            try await client.execute(uri: "/api/v1/cases?sort=colour&aging=old&status=happy", method: .get, headers: Self.headers()) { response in
                #expect(response.status == .unprocessableContent)
                #expect(Self.pointers(response.body) == ["#/query/sort", "#/query/aging", "#/query/status"])
            }
        }
    }

    /// Issue 20, finding 1: a contact a reply named waits for a person, through the API too.
    @Test func aProposedContactIsListedAndApprovedOnce() async throws {
        try await APITests().withApp { client, store in
            let id = try await store.write { s in
                try await s.proposeContact(
                    "demo", debtor: "S001", NewContact(name: "AP Desk", email: "ap.desk@shipper.example", phone: nil, timeZone: "America/Chicago"),
                    reason: Reason("redirect", "the right contact would be ap.desk@shipper.example"), messageID: nil, at: Date())
            }
            try await client.execute(uri: "/api/v1/contact-proposals", method: .get, headers: Self.headers()) { response in
                let items = Self.json(response.body)["items"] as? [[String: Any]] ?? []
                #expect(items.map { $0["email"] as? String } == ["ap.desk@shipper.example"] && items.first?["id"] as? Int64 == id)
            }
            #expect(try await store.read { try await $0.contacts("demo", debtor: "S001") }.allSatisfy { $0.email != "ap.desk@shipper.example" })
            try await client.execute(uri: "/api/v1/contact-proposals/\(id)/approve", method: .post, headers: Self.headers()) { #expect($0.status == .ok) }
            #expect(try await store.read { try await $0.contacts("demo", debtor: "S001") }.contains { $0.email == "ap.desk@shipper.example" })
            try await client.execute(uri: "/api/v1/contact-proposals/\(id)/reject", method: .post, headers: Self.headers()) {
                #expect($0.status == .notFound, "decided once")
            }
        }
    }

    @Test func documentsTemplatesPolicyAndHolds() async throws {
        try await APITests().withApp { client, store in
            let number = try #require(try await store.read { try await $0.invoices("demo", debtor: "S001") }.first?.number)
            let pdf = "%PDF-1.4 proof of delivery"
            let doc = try await client.execute(
                uri: "/api/v1/invoices/\(number)/documents?kind=pod&filename=pod-1.pdf", method: .post,
                headers: Self.headers(type: "application/pdf"), body: ByteBuffer(string: pdf)
            ) { response in
                #expect(response.status == .created)
                return Self.json(response.body)
            }
            let id = try #require(doc["id"] as? String)
            try await client.execute(uri: "/api/v1/documents/\(id)", method: .get, headers: Self.headers()) { response in
                #expect(String(buffer: response.body) == pdf)
                #expect(response.headers[.contentDisposition] == #"attachment; filename="pod-1.pdf""#)
            }
            // Issue 20, finding 15: the link a debtor gets opens the document for 30 days, and only
            // as signed: an unsigned link, a moved expiry or a late visit gets nothing.
            let stored = try #require(try await store.read { try await $0.documents("demo", debtor: "S001") }.first { $0.ref.id == id })
            func path(_ link: String?) throws -> String { String(try #require(link).dropFirst("http://x.test".count)) }
            let fresh = try path(DocumentLibrary.link(stored, publicURL: "http://x.test", store: store, now: Date()))
            try await client.execute(uri: fresh, method: .get) { #expect(String(buffer: $0.body) == pdf) }
            let old = try path(DocumentLibrary.link(stored, publicURL: "http://x.test", store: store, now: Date().addingTimeInterval(-31 * 86_400)))
            try await client.execute(uri: old, method: .get) { #expect($0.status == .gone) }
            let expiry = try #require(old.split(separator: "e=").last?.prefix { $0.isNumber })
            let moved = old.replacingOccurrences(of: "e=\(expiry)", with: "e=\(Int64(expiry)! + 40 * 86_400)")
            try await client.execute(uri: moved, method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/d/\(stored.token)", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(
                uri: "/api/v1/invoices/\(number)/documents?kind=selfie&filename=../x", method: .post, headers: Self.headers(), body: ByteBuffer(string: "x")
            ) { response in
                #expect(Self.pointers(response.body) == ["#/query/kind", "#/query/filename"])
            }
            // A draft template previewed before it is saved, with its SMS segment count.
            let preview = #"{"name":"reminder.friendly","channel":"sms","debtor_id":"S001","body":"{{debtor}}: {{total}} is past due. Reply STOP to opt out."}"#
            try await client.execute(uri: "/api/v1/templates/preview", method: .post, headers: Self.headers(), body: ByteBuffer(string: preview)) { response in
                #expect(response.status == .ok)
                let r = Self.json(response.body)
                #expect((r["body"] as? String)?.contains("is past due") == true)
                #expect(((r["sms"] as? [String: Any])?["segments"] as? Int ?? 0) >= 1)
            }
            try await client.execute(
                uri: "/api/v1/templates/sms/reminder.friendly", method: .put, headers: Self.headers(), body: ByteBuffer(string: #"{"body":"{{#broken"}"#)
            ) { response in
                #expect(response.status == .unprocessableContent)
                #expect(Self.pointers(response.body) == ["/body"])
            }
            try await client.execute(uri: "/api/v1/policy", method: .put, headers: Self.headers(), body: ByteBuffer(string: #"{"name":"x","stages":[]}"#)) {
                response in
                #expect(response.status == .unprocessableContent)
            }
            try await client.execute(uri: "/api/v1/policy", method: .get, headers: Self.headers()) { response in
                #expect(Self.json(response.body)["stages"] is [Any])
            }
            try await client.execute(
                uri: "/api/v1/holds", method: .post, headers: Self.headers(),
                body: ByteBuffer(string: #"{"debtor_id":"S001","invoice_number":"NOPE","reason":"audit","until":"\#(Self.soon)"}"#)
            ) { response in
                #expect(Self.pointers(response.body) == ["/invoice_number"])
            }
            try await client.execute(
                uri: "/api/v1/holds", method: .post, headers: Self.headers(),
                body: ByteBuffer(string: #"{"debtor_id":"S001","reason":"customer audit","until":"\#(Self.soon)"}"#)
            ) { #expect($0.status == .created) }
            // Issue 20, finding 13: a hold until the year 7402 would silence the case for good.
            try await client.execute(
                uri: "/api/v1/holds", method: .post, headers: Self.headers(),
                body: ByteBuffer(string: #"{"debtor_id":"S001","reason":"forever","until":"7402-01-01T00:00:00Z"}"#)
            ) { response in
                #expect(response.status == .unprocessableContent)
                #expect(Self.pointers(response.body) == ["/until"])
                #expect(String(buffer: response.body).contains("730 days"))
            }
            try await client.execute(uri: "/api/v1/holds?debtor=S001", method: .get, headers: Self.headers()) { response in
                #expect(String(buffer: response.body).contains("customer audit"))
            }
        }
    }

    @Test func aPersonsOwnMessageObeysTheContactRules() async throws {
        try await APITests().withApp(setup: { store in
            try await store.write { s in
                var settings = try await s.settings("demo")
                for (k, v) in [("window.days", "all"), ("window.start", "00:00"), ("window.end", "24:00")] { try settings.set(k, v) }
                try await s.saveSettings("demo", settings)
            }
        }) { client, store in
            let contacts = try await store.read { try await $0.contacts("demo", debtor: "S001") }
            let withEmail = try #require(contacts.first { $0.email != nil })
            let sent = try await client.execute(
                uri: "/api/v1/cases/S001/messages", method: .post, headers: Self.headers(),
                body: ByteBuffer(
                    string: #"{"channel":"email","text":"Hi — the POD for load 448812 is attached to the invoice.","contact":"\#(withEmail.name)"}"#)
            ) { response in
                #expect(response.status == .created, "\(String(buffer: response.body))")
                return Self.json(response.body)
            }
            #expect(sent["kind"] as? String == "manual")
            #expect(sent["to"] as? String == withEmail.email)
            try await client.execute(uri: "/api/v1/cases/S001", method: .get, headers: Self.headers()) { response in
                #expect(String(buffer: response.body).contains("wrote to \(withEmail.name) by email"))
            }
            // Opted out: refused, naming the rule.
            try await store.write {
                try await $0.addSuppression("demo", Suppression(contactID: withEmail.id, channel: .email, reason: "asked by phone"), now: Date())
            }
            try await client.execute(
                uri: "/api/v1/cases/S001/messages", method: .post, headers: Self.headers(),
                body: ByteBuffer(string: #"{"channel":"email","text":"hello","contact":"\#(withEmail.name)"}"#)
            ) { response in
                #expect(response.status == .conflict)
                #expect(Self.pointers(response.body) == ["#/rule/opted_out"])
            }
            try await client.execute(
                uri: "/api/v1/cases/S001/messages", method: .post, headers: Self.headers(),
                body: ByteBuffer(string: #"{"channel":"sms","text":"hello","subject":"x"}"#)
            ) { #expect(Self.pointers($0.body) == ["/subject"]) }
            try await client.execute(
                uri: "/api/v1/cases/NOBODY/messages", method: .post, headers: Self.headers(),
                body: ByteBuffer(string: #"{"channel":"email","text":"hello"}"#)
            ) { #expect($0.status == .notFound) }
        }
    }

    @Test func anotherTenantFindsNoneOfThisTenantsObjects() async throws {
        try await APITests().withApp { client, store in
            let (other, ids) = try await store.write { s -> (String, [String: String]) in
                try await s.ensureTenant("other", now: Date())
                let key = try await s.createAPIKey("other", name: "intruder", role: .owner, now: Date()).key
                var ids: [String: String] = [:]
                ids["invoice"] = try await s.invoices("demo", debtor: "S001").first?.number
                ids["user"] = try await s.createUser("demo", email: "victim@carrier.test", name: "V", role: .viewer, passwordHash: "x", now: Date())?.id
                ids["webhook"] = try await s.createWebhookSubscription("demo", url: "https://erp.example.com/h", events: ["*"], description: nil, now: Date())
                    .id
                ids["key"] = try await s.createAPIKey("demo", name: "erp", role: .viewer, now: Date()).record.prefix
                ids["message"] = try await s.messages("demo", direction: .outbound, debtor: "S001").first?.id
                ids["inbox"] = String(try await s.addInboxItem("demo", debtor: "S001", kind: .handoff, reason: Reason("x", "x"), messageID: nil, at: Date()))
                try await s.insertDispute(
                    "demo", debtor: "S001", Dispute(id: "dsp_victim", invoiceNumber: ids["invoice"]!, reason: .accessorial, openedAt: Date()))
                return (key, ids)
            }
            let doc = try await DocumentLibrary(directory: FileManager.default.temporaryDirectory.appendingPathComponent("overdue-idor-\(UUID().uuidString)"))
                .add(store: store, tenant: "demo", invoice: ids["invoice"]!, data: Data("pod".utf8), filename: "pod.pdf", kind: .pod, now: Date())
            let routes: [(String, HTTPRequest.Method, String?)] = [
                ("/api/v1/cases/S001", .get, nil),
                ("/api/v1/cases/S001/takeover", .post, #"{"by":"x"}"#),
                ("/api/v1/cases/S001/messages", .post, #"{"channel":"email","text":"x"}"#),
                ("/api/v1/debtors/S001", .get, nil),
                ("/api/v1/invoices/\(ids["invoice"]!)", .get, nil),
                ("/api/v1/invoices/\(ids["invoice"]!)/documents", .get, nil),
                ("/api/v1/invoices/\(ids["invoice"]!)/documents?kind=pod&filename=x.pdf", .post, "x"),
                ("/api/v1/documents/\(doc.ref.id)", .get, nil),
                ("/api/v1/users/\(ids["user"]!)", .get, nil),
                ("/api/v1/users/\(ids["user"]!)", .patch, #"{"role":"owner"}"#),
                ("/api/v1/users/\(ids["user"]!)", .delete, nil),
                ("/api/v1/webhooks/\(ids["webhook"]!)", .get, nil),
                ("/api/v1/webhooks/\(ids["webhook"]!)", .delete, nil),
                ("/api/v1/webhooks/\(ids["webhook"]!)/deliveries", .get, nil),
                ("/api/v1/keys/\(ids["key"]!)", .delete, nil),
                ("/api/v1/messages/\(ids["message"]!)/approve", .post, nil),
                ("/api/v1/inbox/\(ids["inbox"]!)/resolve", .post, nil),
                ("/api/v1/disputes/dsp_victim/resolve", .post, #"{"resolution":"x"}"#),
                ("/api/v1/tenants/demo", .get, nil),
            ]
            for (uri, method, body) in routes {
                try await client.execute(uri: uri, method: method, headers: Self.headers(other), body: body.map { ByteBuffer(string: $0) }) { response in
                    #expect(response.status == .notFound, "\(method) \(uri): \(response.status)")
                }
            }
            // Listings show only the caller's own tenant.
            for uri in [
                "/api/v1/cases", "/api/v1/debtors", "/api/v1/invoices", "/api/v1/users", "/api/v1/keys", "/api/v1/webhooks", "/api/v1/events",
                "/api/v1/disputes", "/api/v1/inbox",
            ] {
                try await client.execute(uri: uri, method: .get, headers: Self.headers(other)) { response in
                    #expect(response.status == .ok, "\(uri)")
                    let text = String(buffer: response.body)
                    #expect(!text.contains("S001") && !text.contains("victim") && !text.contains(ids["webhook"]!), "\(uri) leaks: \(text.prefix(200))")
                }
            }
            // Nothing changed.
            let user = try await store.read { try await $0.user("demo", id: ids["user"]!) }
            #expect(user?.role == .viewer && user?.disabledAt == nil)
            #expect(try await store.read { try await $0.disputes("demo", openOnly: true) }.contains { $0.id == "dsp_victim" })
        }
    }
}
