import Foundation
import OverdueCore
import OverdueStore
import OverdueTestSupport
import OverdueUseCases
import Testing

@Suite struct TakeoverTests {
    static let now = Timestamp.parse("2026-02-12T15:00:00Z")!

    @Test(arguments: TestDatabases.engines) func aCaseTakenOverWaitsForAPersonUntilHandedBack(engine: DatabaseURL.Engine) async throws {
        try await withBook(engine) { store in
            let cases = UseCases(store: store, clock: FixedClock(instant: Self.now))
            try await cases.takeOver(tenant: "t1", debtor: "D1", by: "pat")
            #expect(try await store.read { try await $0.caseState("t1", debtor: "D1") }.status == .handoff)
            let later = Self.now.addingTimeInterval(86_400)
            try await cases.handBack(tenant: "t1", debtor: "D1", by: "pat", at: later)
            #expect(try await store.read { try await $0.caseState("t1", debtor: "D1") }.status != .handoff)
            let decided = try await store.read { try await $0.decisions("t1", debtor: "D1") }
            #expect(decided.map(\.at) == [Self.now, later])
            #expect(decided.flatMap { $0.reasons.map(\.code) } == ["taken_over", "handed_back"])
        }
    }

    @Test func anUnknownDebtorIsNotFound() async throws {
        try await withBook(.sqlite) { store in
            let cases = UseCases(store: store, clock: FixedClock(instant: Self.now))
            for action in [{ try await cases.takeOver(tenant: "t1", debtor: "D9", by: "pat") }, { try await cases.handBack(tenant: "t1", debtor: "D9", by: "pat") }] {
                do {
                    try await action()
                    Issue.record("no refusal")
                } catch let refused as UseCaseError {
                    #expect(refused.kind == .notFound)
                }
            }
            #expect(try await store.read { try await $0.decisions("t1", debtor: "D9") }.isEmpty)
        }
    }
}
