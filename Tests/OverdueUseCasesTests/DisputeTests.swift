import Foundation
import OverdueCore
import OverdueStore
import OverdueTestSupport
import OverdueUseCases
import Testing

@Suite struct DisputeTests {
    static let now = Timestamp.parse("2026-02-12T15:00:00Z")!

    func withDispute(_ engine: DatabaseURL.Engine, _ body: (Store, UseCases) async throws -> Void) async throws {
        try await withBook(engine) { store in
            try await store.write { s in
                try await s.insertDispute(
                    "t1", debtor: "D1",
                    Dispute(
                        id: "dsp_1", invoiceNumber: "INV-1", reason: .accessorial,
                        openedAt: Timestamp.parse("2026-02-10T15:00:00Z")!))
            }
            try await body(store, UseCases(store: store, clock: FixedClock(instant: Self.now)))
        }
    }

    @Test(arguments: TestDatabases.engines) func aResolvedDisputeIsRecordedWithItsReasonAndTheCaseReplanned(engine: DatabaseURL.Engine) async throws {
        try await withDispute(engine) { store, cases in
            #expect(try await cases.resolveDispute(tenant: "t1", id: "dsp_1", resolution: " credit note CN-12 ", by: "ana@carrier.example") == "D1")
            let d = try await store.read { try await $0.disputes("t1", debtor: "D1") }
            #expect(d.map(\.status) == [.resolved])
            #expect(d.first?.resolution == "credit note CN-12")
            #expect(try await store.read { try await $0.events("t1", types: [.disputeResolved]) }.map(\.debtorID) == ["D1"])
            #expect(try await store.read { try await $0.nextJobAvailable(leaseNow: Self.now) } == Self.now)
        }
    }

    @Test(arguments: TestDatabases.engines) func refusalsSayWhyAndWriteNothing(engine: DatabaseURL.Engine) async throws {
        try await withDispute(engine) { store, cases in
            func refusal(_ id: String, _ text: String, debtor: String? = nil) async -> UseCaseError? {
                await OverdueUseCasesTests.refusal { try await cases.resolveDispute(tenant: "t1", id: id, resolution: text, by: "ana", debtor: debtor) }
            }
            #expect(await refusal("dsp_9", "credited")?.kind == .notFound)
            // The case page names its debtor: a dispute of another case is not found there.
            #expect(await refusal("dsp_1", "credited", debtor: "D2")?.kind == .notFound)
            #expect(await refusal("dsp_1", "  ")?.problems.map(\.field) == ["resolution"])
            #expect(try await store.read { try await $0.disputes("t1", debtor: "D1") }.map(\.status) == [.open])
            try await cases.resolveDispute(tenant: "t1", id: "dsp_1", resolution: "credited", by: "ana")
            let again = await refusal("dsp_1", "credited again")
            #expect(again?.kind == .invalid)
            #expect(again?.problems.map(\.field) == ["dispute"])
        }
    }
}
