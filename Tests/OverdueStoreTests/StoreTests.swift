import Foundation
import Testing
@testable import OverdueCore
@testable import OverdueStore

/// A fresh SQLite database file per test.
func freshStore() async throws -> (Store, URL) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("overdue-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let store = try await Store.open(try DatabaseURL("sqlite://" + dir.appendingPathComponent("t.sqlite").path))
    try await store.write { try await $0.ensureTenant("t1", now: Date()) }
    return (store, dir)
}

func invoice(_ n: String, debtor: String = "D1", cents: Int64 = 10_000) -> Invoice {
    Invoice(number: n, debtorID: debtor, amount: Money(minorUnits: cents, currency: .usd),
            issueDate: LocalDate.parse("2026-01-01")!, dueDate: LocalDate.parse("2026-01-31")!, proNumber: "PRO-\(n)")
}

@Suite struct StoreTests {
    @Test func databaseURLs() throws {
        #expect(try DatabaseURL("sqlite:///tmp/x.sqlite").path == "/tmp/x.sqlite")
        #expect(try DatabaseURL("sqlite://./x.sqlite").path == "./x.sqlite")
        #expect(try DatabaseURL("sqlite::memory:").path == nil)
        #expect(throws: StoreError.self) { try DatabaseURL("mysql://x") }
        #expect(throws: StoreError.self) { try DatabaseURL("postgres://u@h/db") }
    }

    @Test func migrationsApplyOnceAndReopenIsANoOp() async throws {
        let (store, dir) = try await freshStore()
        await store.close()
        let again = try await Store.open(try DatabaseURL("sqlite://" + dir.appendingPathComponent("t.sqlite").path))
        let ids = try await again.read { try await $0.rows("SELECT id FROM overdue_migrations").map { try $0.int("id") } }
        #expect(ids == [1])
        await again.close()
    }

    @Test func reimportingAnInvoiceUpdatesItNeverDuplicates() async throws {
        let (store, _) = try await freshStore()
        try await store.write { s in
            try await s.upsertDebtors("t1", [Debtor(id: "D1", name: "Acme")])
            try await s.upsertInvoices("t1", [invoice("INV-1"), invoice("INV-2")])
            try await s.upsertInvoices("t1", [invoice("INV-1", cents: 55_500)])
        }
        let invoices = try await store.read { try await $0.invoices("t1", debtor: "D1") }
        #expect(invoices.count == 2)
        #expect(invoices.first { $0.number == "INV-1" }?.amount.minorUnits == 55_500)
        #expect(invoices.first?.proNumber == "PRO-INV-1")
        await store.close()
    }

    @Test func tenantsAreIsolated() async throws {
        let (store, _) = try await freshStore()
        try await store.write { s in
            try await s.ensureTenant("t2", now: Date())
            try await s.upsertDebtors("t1", [Debtor(id: "D1", name: "Acme")])
            try await s.upsertInvoices("t1", [invoice("INV-1")])
        }
        #expect(try await store.read { try await $0.invoices("t2", debtor: "D1") }.isEmpty)
        #expect(try await store.read { try await $0.debtors("t2") }.isEmpty)
        await store.close()
    }

    @Test func aFailedTransactionWritesNothing() async throws {
        let (store, _) = try await freshStore()
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await store.write { s in
                try await s.upsertDebtors("t1", [Debtor(id: "D1", name: "Acme")])
                throw Boom()
            }
        }
        #expect(try await store.read { try await $0.debtors("t1") }.isEmpty)
        await store.close()
    }

    @Test func bulkInsertSpansManyStatements() async throws {
        let (store, _) = try await freshStore()
        let many = (0..<7_000).map { invoice("INV-\($0)") }
        try await store.write { s in
            try await s.upsertDebtors("t1", [Debtor(id: "D1", name: "Acme")])
            try await s.upsertInvoices("t1", many)
        }
        #expect(try await store.read { try await $0.invoiceCount("t1") } == 7_000)
        await store.close()
    }

    @Test func messagesAreIdempotentByKey() async throws {
        let (store, _) = try await freshStore()
        let m = MessageRecord(id: "m1", key: "D1/c1/p0", direction: .outbound, channel: .email, at: Date(timeIntervalSince1970: 0),
                              debtorID: "D1", contactID: 1, contactName: "Dana", to: "d@x.example", from: "ar@y.example",
                              invoiceNumbers: ["INV-1"], stage: 1, attempt: 1, kind: "reminder", subject: "s", body: "b", status: .pending)
        let first = try await store.write { try await $0.insertMessage("t1", m) }
        var again = m
        again.id = "m2"
        let second = try await store.write { try await $0.insertMessage("t1", again) }
        #expect(first && !second)
        #expect(try await store.read { try await $0.messages("t1") }.map(\.id) == ["m1"])
        await store.close()
    }

    @Test func jobsClaimInDueOrderAndFenceStaleWorkers() async throws {
        let (store, _) = try await freshStore()
        let t0 = Timestamp.parse("2026-01-01T00:00:00Z")!
        try await store.write { s in
            try await s.schedule("t1", subjects: ["B"], at: t0.addingTimeInterval(60), mode: .replace)
            try await s.schedule("t1", subjects: ["A"], at: t0.addingTimeInterval(120), mode: .replace)
            try await s.schedule("t1", subjects: ["A"], at: t0.addingTimeInterval(30), mode: .earliest)
            try await s.schedule("t1", subjects: ["B"], at: t0.addingTimeInterval(600), mode: .earliest)
        }
        let wall = Date()
        let first = try await store.write { try await $0.claimNextJob(tenant: "t1", until: t0.addingTimeInterval(1000), owner: "w1", leaseNow: wall, leaseSeconds: 60) }
        #expect(first?.subject == "A")
        // A second worker cannot take the leased job; it gets the next one.
        let second = try await store.write { try await $0.claimNextJob(tenant: "t1", until: t0.addingTimeInterval(1000), owner: "w2", leaseNow: wall, leaseSeconds: 60) }
        #expect(second?.subject == "B")
        // After the lease expires another worker takes A over; the first worker's completion is refused.
        let takeover = try await store.write { try await $0.claimNextJob(tenant: "t1", until: t0.addingTimeInterval(1000), owner: "w3", leaseNow: wall.addingTimeInterval(61), leaseSeconds: 60) }
        #expect(takeover?.subject == "A")
        let stale = try await store.write { try await $0.completeJob(first!, next: nil) }
        #expect(!stale)
        let fresh = try await store.write { try await $0.completeJob(takeover!, next: t0.addingTimeInterval(5000)) }
        #expect(fresh)
        await store.close()
    }

    @Test func settingsAndPolicyPersist() async throws {
        let (store, _) = try await freshStore()
        var settings = TenantSettings()
        try settings.set("company.name", "Prairie Line")
        let policy = Policy(name: "short", startAfterDueDays: 2, stages: [.init(channel: .sms, attempts: 1, delayDays: 1)], onExhausted: .restart)
        try await store.write { s in
            try await s.saveSettings("t1", settings)
            try await s.savePolicy("t1", policy)
        }
        #expect(try await store.read { try await $0.settings("t1") }.companyName == "Prairie Line")
        #expect(try await store.read { try await $0.policy("t1") } == policy)
        await store.close()
    }
}
