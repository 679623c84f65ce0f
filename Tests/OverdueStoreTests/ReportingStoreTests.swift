import Foundation
import Testing
@testable import OverdueCore
@testable import OverdueStore
import OverdueTestSupport

/// The overview's aggregates, on SQLite and PostgreSQL: replies and payments credited to the attempt
/// before them, monthly flows for DSO, collections.
@Suite struct ReportingStoreTests {
    static func attempt(_ id: String, _ channel: Channel, stage: Int?, at: Date, status: MessageRecord.Status = .sent) -> MessageRecord {
        MessageRecord(
            id: id, key: "D1/\(id)", direction: .outbound, channel: channel, at: at, debtorID: "D1", contactID: 1, contactName: "Dana",
            to: "d@x.example", from: "ar@y.example", invoiceNumbers: ["INV-1"], stage: stage, attempt: 1, kind: "reminder",
            subject: nil, body: "b", status: status)
    }

    static func reply(_ id: String, at: Date) -> MessageRecord {
        MessageRecord(
            id: id, key: "in/\(id)", direction: .inbound, channel: .sms, at: at, debtorID: "D1", contactID: 1, contactName: "Dana",
            to: nil, from: "+13125550100", invoiceNumbers: [], stage: nil, attempt: nil, kind: "reply", subject: nil, body: "ok", status: .received)
    }

    @Test(arguments: TestDatabases.engines) func repliesAndPaymentsAreCreditedToTheAttemptBeforeThem(engine: DatabaseURL.Engine) async throws {
        try await withTenantStore(engine) { store in
            let t0 = Timestamp.parse("2026-10-05T15:00:00Z")!
            let t1 = t0.addingTimeInterval(3 * 86_400)
            try await store.write { s in
                try await s.upsertDebtors("t1", [Debtor(id: "D1", name: "Dana Freight")])
                try await s.upsertInvoices("t1", [invoice("INV-1"), invoice("INV-2", cents: 5_000)])
                _ = try await s.insertMessage("t1", Self.attempt("a1", .email, stage: 1, at: t0))
                _ = try await s.insertMessage("t1", Self.attempt("a2", .sms, stage: 2, at: t1))
                _ = try await s.insertMessage("t1", Self.attempt("a3", .voice, stage: 3, at: t1.addingTimeInterval(3600), status: .failed))
                // A reply an hour after the SMS (the failed call is not an attempt that reached anyone), a second reply, a payment two days later.
                _ = try await s.insertMessage("t1", Self.reply("r1", at: t1.addingTimeInterval(7200)))
                _ = try await s.insertMessage("t1", Self.reply("r2", at: t1.addingTimeInterval(9000)))
                try await s.upsertPayments(
                    "t1",
                    [
                        Payment(
                            id: "p1", debtorID: "D1", amount: Money(minorUnits: 10_000, currency: .usd),
                            date: LocalDate(t1.addingTimeInterval(2 * 86_400), in: TimeZone(identifier: "UTC")!))
                    ])
                // The same payment again is not credited twice; a reply a month later is credited to nothing.
                try await s.upsertPayments(
                    "t1",
                    [
                        Payment(
                            id: "p1", debtorID: "D1", amount: Money(minorUnits: 10_000, currency: .usd), date: LocalDate(t1, in: TimeZone(identifier: "UTC")!))
                    ])
                _ = try await s.insertMessage("t1", Self.reply("r3", at: t1.addingTimeInterval(30 * 86_400)))
            }
            let rows = try await store.read { try await $0.effectiveness("t1", since: t0.addingTimeInterval(-86_400)) }
            let table = ChannelEffectiveness.table(rows)
            #expect(
                table == [
                    ChannelEffectiveness(channel: .email, stage: 1, sent: 1, replied: 0, paid: 0),
                    ChannelEffectiveness(channel: .sms, stage: 2, sent: 1, replied: 1, paid: 1),
                ])
            #expect(table[1].replyRate == 1 && table[0].payRate == 0)
            let flows = try await store.read { try await $0.monthlyFlows("t1", currency: .usd) }
            #expect(flows.invoiced == ["2026-01": 15_000])
            #expect(flows.collected == ["2026-10": 10_000])
            #expect(try await store.read { try await $0.collected("t1", since: LocalDate.parse("2026-10-01")!) } == ["USD": 10_000])
        }
    }

    @Test(arguments: TestDatabases.engines) func theModelsMonthIsSummedFromItsMessages(engine: DatabaseURL.Engine) async throws {
        try await withTenantStore(engine) { store in
            let t0 = Timestamp.parse("2026-11-03T15:00:00Z")!
            try await store.write { s in
                try await s.upsertDebtors("t1", [Debtor(id: "D1", name: "Dana Freight")])
                var a = Self.attempt("a1", .email, stage: 1, at: t0)
                a.composition = CompositionNote(composer: "model", model: "m", tokens: 500, milliseconds: 900, notes: [])
                var b = Self.attempt("a2", .sms, stage: 2, at: t0.addingTimeInterval(86_400))
                b.composition = CompositionNote(composer: "template", model: "m", tokens: 300, milliseconds: 300, notes: ["draft 1 refused: x"])
                b.composition?.proposals = [
                    ModelProposal.Verdict(tool: "propose_promise", accepted: false, reason: Reason("proposal_invalid", "model proposal refused: no date"))
                ]
                _ = try await s.insertMessage("t1", a)
                _ = try await s.insertMessage("t1", b)
                _ = try await s.insertMessage("t1", Self.attempt("a3", .voice, stage: 3, at: t0.addingTimeInterval(2 * 86_400)))
            }
            let usage = try await store.read { try await $0.modelUsage("t1", since: Timestamp.parse("2026-11-01T00:00:00Z")!) }
            #expect(usage == ModelUsage(written: 1, fellBack: 1, tokens: 800, averageMilliseconds: 600))
            #expect(try await store.read { try await $0.modelUsage("t1", since: Timestamp.parse("2026-12-01T00:00:00Z")!) } == nil)
            let stored = try await store.read { try await $0.message("t1", id: "a2") }
            #expect(stored?.composition?.notes == ["draft 1 refused: x", "model proposal refused: no date"], "proposals are kept with the notes")
        }
    }
}
