import Foundation
import OverdueAgents
import OverdueCore
import OverdueStore
import OverdueTestSupport
import OverdueUseCases
import Testing

/// A tenant with debtors D1 (invoice INV-1) and D2 (invoice INV-2), on `engine`.
func withBook(_ engine: DatabaseURL.Engine, _ body: (Store) async throws -> Void) async throws {
    try await TestDatabases.withStore(engine) { store in
        try await store.write { s in
            try await s.ensureTenant("t1", now: Date(timeIntervalSince1970: 0))
            try await s.upsertDebtors("t1", [Debtor(id: "D1", name: "Big Shipper"), Debtor(id: "D2", name: "Fast Brokers")])
            try await s.upsertInvoices(
                "t1",
                ["D1", "D2"].enumerated().map { n, d in
                    Invoice(
                        number: "INV-\(n + 1)", debtorID: d, amount: Money(minorUnits: 10_000, currency: .usd),
                        issueDate: LocalDate.parse("2026-01-01")!, dueDate: LocalDate.parse("2026-01-31")!)
                })
        }
        try await body(store)
    }
}

/// `withBook` on SQLite with the use cases at `now`.
func withCases(at now: Date, _ body: (Store, UseCases) async throws -> Void) async throws {
    try await withBook(.sqlite) { store in try await body(store, UseCases(store: store, clock: FixedClock(instant: now))) }
}

/// The refusal `body` ends with (nil when it does not refuse).
func refusal(_ body: () async throws -> Void) async -> UseCaseError? {
    do {
        try await body()
        return nil
    } catch { return error as? UseCaseError }
}

/// The tenant's newest audit entry.
func lastAudit(_ store: Store, tenant: String = "t1") async throws -> AuditEntry? {
    try await store.read { try await $0.auditLog(tenant: tenant) }.last
}

@Suite struct HoldTests {
    static let now = Timestamp.parse("2026-02-10T15:00:00Z")!

    @Test(arguments: TestDatabases.engines) func aHoldIsPlacedEventedAndTheCaseReplanned(engine: DatabaseURL.Engine) async throws {
        try await withBook(engine) { store in
            let cases = UseCases(store: store, clock: FixedClock(instant: Self.now))
            let until = Self.now.addingTimeInterval(7 * 86_400)
            let hold = try await cases.placeHold(tenant: "t1", debtor: "D1", invoice: "INV-1", reason: "  customer audit ", until: until)
            #expect(hold.reason == "customer audit")
            #expect(try await cases.holds(tenant: "t1", debtor: "D1") == [hold])
            let events = try await store.read { try await $0.events("t1", types: [.holdCreated]) }
            #expect(events.map(\.debtorID) == ["D1"])
            // The case is planned again at once (the clock's now).
            #expect(try await store.read { try await $0.nextJobAvailable(leaseNow: Self.now) } == Self.now)
        }
    }

    @Test(arguments: TestDatabases.engines) func aBadHoldIsRefusedNamingTheFieldAndWritesNothing(engine: DatabaseURL.Engine) async throws {
        try await withBook(engine) { store in
            let cases = UseCases(store: store, clock: FixedClock(instant: Self.now))
            let later = Self.now.addingTimeInterval(86_400)
            let refusals: [(String, String?, String, Date, String)] = [
                ("D9", nil, "audit", later, "debtor_id"),
                ("D1", "INV-2", "audit", later, "invoice_number"),
                ("D1", nil, "   ", later, "reason"),
                ("D1", nil, String(repeating: "x", count: 501), later, "reason"),
                ("D1", nil, "audit", Self.now, "until"),
            ]
            for (debtor, invoice, reason, until, field) in refusals {
                await #expect(throws: UseCaseError.self) {
                    try await cases.placeHold(tenant: "t1", debtor: debtor, invoice: invoice, reason: reason, until: until)
                }
                do {
                    try await cases.placeHold(tenant: "t1", debtor: debtor, invoice: invoice, reason: reason, until: until)
                } catch let error as UseCaseError {
                    #expect(error.kind == .invalid)
                    #expect(error.problems.map(\.field) == [field], "\(error)")
                }
            }
            #expect(try await cases.holds(tenant: "t1", debtor: "D1").isEmpty)
            #expect(try await store.read { try await $0.events("t1", types: [.holdCreated]) }.isEmpty)
        }
    }

    @Test func aHoldPlacedInThePastIsReplayedAtThatInstant() async throws {
        try await withBook(.sqlite) { store in
            let cases = UseCases(store: store, clock: FixedClock(instant: Self.now))
            let then = Timestamp.parse("2026-02-01T00:00:00Z")!
            // Ends before the clock's now but after when it was placed: a replay, as `overdue hold --at` does.
            try await cases.placeHold(tenant: "t1", debtor: "D2", invoice: nil, reason: "replayed", until: Self.now.addingTimeInterval(-3600), at: then)
            #expect(try await store.read { try await $0.events("t1", types: [.holdCreated]) }.first?.createdAt == then)
        }
    }
}
