import Foundation
import OverdueCore
import OverdueStore
import OverdueTestSupport
import OverdueUseCases
import Testing

@Suite struct CaseRecordTests {
    static let now = Timestamp.parse("2026-02-12T15:00:00Z")!

    @Test(arguments: TestDatabases.engines) func promisesPaymentsAndDisputesAreRecordedWithTheirReasons(engine: DatabaseURL.Engine) async throws {
        try await withBook(engine) { store in
            let cases = UseCases(store: store, clock: FixedClock(instant: Self.now))
            let promise = try await cases.recordPromise(
                tenant: "t1", debtor: "D1", date: LocalDate.parse("2026-02-20"), amount: nil, channel: .voice, by: "pat")
            #expect(promise.target == Money(minorUnits: 10_000, currency: .usd) && !promise.amountStated)
            #expect(try await store.read { try await $0.commitments("t1", debtor: "D1") }.count == 1)
            try await cases.recordPayment(
                tenant: "t1", debtor: "D2", amount: Money(minorUnits: 4_000, currency: .usd), date: LocalDate.parse("2026-02-11"),
                reference: "ACH 1", invoice: "INV-2", by: "pat")
            try await cases.openDispute(tenant: "t1", debtor: "D2", invoice: "INV-2", reason: .rate, note: "rate con says less", by: "pat")
            let codes = try await store.read { try await $0.decisions("t1", debtor: "D2") }.flatMap { $0.reasons.map(\.code) }
            #expect(codes.count == 2)
        }
    }

    @Test func refusalsNameTheFieldAndAnUnknownDebtorIsNotFound() async throws {
        try await withBook(.sqlite) { store in
            let cases = UseCases(store: store, clock: FixedClock(instant: Self.now))
            let unknown = await refusal { try await cases.recordPromise(tenant: "t1", debtor: "D9", date: nil, amount: nil, channel: .sms, by: "pat") }
            #expect(unknown?.kind == .notFound)
            let future = await refusal {
                try await cases.recordPayment(
                    tenant: "t1", debtor: "D1", amount: Money(minorUnits: 100, currency: .usd), date: LocalDate.parse("2026-03-01"),
                    reference: nil, invoice: nil, by: "pat")
            }
            #expect(future?.kind == .invalid && future?.problems.map(\.field) == ["date"])
            let other = await refusal { try await cases.openDispute(tenant: "t1", debtor: "D1", invoice: "INV-2", reason: nil, note: nil, by: "pat") }
            #expect(other?.kind == .invalid)
            let decided = try await store.read { try await $0.decisions("t1", debtor: "D1") }
            #expect(decided.isEmpty)
        }
    }
}
