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
            for action in [
                { try await cases.takeOver(tenant: "t1", debtor: "D9", by: "pat") }, { try await cases.handBack(tenant: "t1", debtor: "D9", by: "pat") },
            ] {
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

@Suite struct InboxTests {
    @Test func anInboxItemIsResolvedOnceAndAnUnknownOneIsNotFound() async throws {
        try await withBook(.sqlite) { store in
            let cases = UseCases(store: store, clock: FixedClock(instant: TakeoverTests.now))
            // A takeover files nothing; a flag does: one open item for D1.
            let id = try await store.write { s in
                try await s.addInboxItem(
                    "t1", debtor: "D1", kind: .flag, reason: Reason("not_understood", "a reply to read"), messageID: nil, at: TakeoverTests.now)
            }
            try await cases.resolveInboxItem(tenant: "t1", id: id, note: "  ", by: "pat")
            let item = try await store.read { try await $0.inbox("t1", includeResolved: true) }.first
            #expect(item?.resolution == "resolved by pat")
            for again in [id, 999] {
                do {
                    try await cases.resolveInboxItem(tenant: "t1", id: again, note: nil, by: "pat")
                    Issue.record("item \(again) resolved twice")
                } catch let refused as UseCaseError {
                    #expect(refused.kind == .notFound)
                }
            }
        }
    }
}
