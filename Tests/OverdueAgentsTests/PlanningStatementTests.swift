import Foundation
import Testing
@testable import OverdueAgents
@testable import OverdueCore
@testable import OverdueStore
import OverdueTestSupport

/// How many statements a planning sends to the database, on both engines: a case is read at once
/// whatever its size, and the tenant's rules come from the cache until they change.
@Suite struct PlanningStatementTests {
    let due = Timestamp.parse("2026-02-02T15:00:00Z")!

    /// A tenant with debtor `D` owing `invoices` invoices (a payment on every other one) and two contacts.
    func world(_ engine: DatabaseURL.Engine, invoices: Int) async throws -> Store {
        let store = try await Store.open(try await TestDatabases.freshURL(engine))
        try await store.write { s in
            try await s.ensureTenant("t", now: due)
            try await s.upsertDebtors("t", [Debtor(id: "D", name: "Acme Freight")])
            try await s.upsertInvoices(
                "t",
                (0..<invoices).map { i in
                    Invoice(
                        number: "INV-\(i)", debtorID: "D", amount: Money(minorUnits: 100_000 + Int64(i), currency: .usd),
                        issueDate: LocalDate(year: 2025, month: 12, day: 1)!, dueDate: LocalDate(year: 2026, month: 1, day: 1)!)
                })
            try await s.upsertPayments(
                "t",
                stride(from: 0, to: invoices, by: 2).map { i in
                    Payment(
                        id: "P-\(i)", debtorID: "D", amount: Money(minorUnits: 100, currency: .usd), date: LocalDate(year: 2026, month: 1, day: 10)!,
                        reference: nil, invoiceNumber: "INV-\(i)")
                })
            try await s.upsertContacts(
                "t",
                [
                    Contact(id: 0, debtorID: "D", name: "Dana", email: "dana@acme.example", phone: "+13125550101", timeZone: "America/Chicago"),
                    Contact(id: 0, debtorID: "D", name: "Luis", email: "luis@acme.example", phone: nil, timeZone: "America/Chicago"),
                ])
        }
        return store
    }

    /// Statements `body` sends.
    func counting(_ store: Store, _ body: () async throws -> Void) async throws -> Int {
        let before = store.statementsIssued
        try await body()
        return store.statementsIssued - before
    }

    @Test(arguments: TestDatabases.engines) func aCaseIsReadInOneStatementWhateverItsSize(engine: DatabaseURL.Engine) async throws {
        var reads: [Int] = []
        for size in [1, 60] {
            let store = try await world(engine, invoices: size)
            var snapshot: CaseSnapshot?
            reads.append(
                try await counting(store) {
                    snapshot = try await store.read { try await $0.caseSnapshot("t", debtor: "D", repliesSince: due.addingTimeInterval(-86_400), until: due) }
                })
            // The snapshot holds what the separate reads return.
            let (invoices, payments, contacts) = try await store.read { s in
                (try await s.invoices("t", debtor: "D"), try await s.payments("t", debtor: "D"), try await s.contacts("t", debtor: "D"))
            }
            #expect(snapshot?.invoices == invoices)
            #expect(snapshot?.payments == payments)
            #expect(snapshot?.contacts == contacts)
            #expect(snapshot?.debtor.name == "Acme Freight")
            #expect(snapshot?.previous == nil)
            await store.close()
        }
        #expect(reads == [1, 1], "statements per case read: \(reads)")
        let store = try await world(engine, invoices: 1)
        #expect(try await store.read { try await $0.caseSnapshot("t", debtor: "nobody", repliesSince: due, until: due) } == nil)
        await store.close()
    }

    @Test(arguments: TestDatabases.engines) func aPlanningSendsAFewStatementsWhateverTheBookSize(engine: DatabaseURL.Engine) async throws {
        var counts: [[Int]] = []
        for size in [1, 60] {
            let store = try await world(engine, invoices: size)
            let processor = CaseProcessor(store: store)
            // The tenant's rules come from the store's cache (one statement when it is cold, or
            // after a second on SQLite); the planning's own statements are counted here.
            let rules = try await store.rules("t")
            // First planning: an email goes (recorded, sent, saved with the case).
            let first = try await counting(store) {
                let outcome = try await processor.process(tenant: "t", debtorID: "D", now: due, rules: rules)
                #expect(outcome.sent.count == 1)
            }
            // A second look the same minute: nothing is due, nothing changes.
            let second = try await counting(store) {
                let outcome = try await processor.process(tenant: "t", debtorID: "D", now: due.addingTimeInterval(60), rules: rules)
                #expect(outcome.sent.isEmpty)
            }
            counts.append([first, second])
            await store.close()
        }
        // Before: about 20 statements a planning, more with every table a case touches.
        #expect(counts[0] == counts[1], "the statement count must not grow with the case: \(counts)")
        #expect(counts[0][1] <= 4, "an idle planning: read the case, save it (\(counts[0][1]) statements)")
        #expect(counts[0][0] <= 15, "a planning that sends (\(counts[0][0]) statements)")
    }

    @Test(arguments: TestDatabases.engines) func aBatchOfCasesCostsTheStatementsOfOne(engine: DatabaseURL.Engine) async throws {
        let store = try await world(engine, invoices: 3)
        // Fifteen more debtors like D, one with a second contact's opt-out and a reply.
        try await store.write { s in
            try await s.upsertDebtors("t", (1..<16).map { Debtor(id: "D\($0)", name: "Carrier \($0)") })
            try await s.upsertInvoices(
                "t",
                (1..<16).map { i in
                    Invoice(
                        number: "X-\(i)", debtorID: "D\(i)", amount: Money(minorUnits: 50_000, currency: .usd),
                        issueDate: LocalDate(year: 2025, month: 12, day: 1)!, dueDate: LocalDate(year: 2026, month: 1, day: 1)!)
                })
            try await s.upsertContacts(
                "t",
                (1..<16).map { i in
                    Contact(id: 0, debtorID: "D\(i)", name: "AP \(i)", email: "ap\(i)@carrier.example", phone: nil, timeZone: "America/Chicago")
                })
        }
        let ids = ["D"] + (1..<16).map { "D\($0)" }
        let rules = try await store.rules("t")
        let processor = CaseProcessor(store: store)
        // The batch read gives what each case's own read gives.
        let requests = (ids + ["nobody"]).map { SnapshotRequest(tenant: "t", debtor: $0, repliesSince: due.addingTimeInterval(-86_400), until: due) }
        let together = try await store.read { try await $0.caseSnapshots(requests) }.map { try $0.get() }
        for (request, snapshot) in zip(requests, together) {
            let alone = try await store.read { try await $0.caseSnapshot("t", debtor: request.debtor, repliesSince: request.repliesSince, until: due) }
            #expect(snapshot?.invoices == alone?.invoices)
            #expect(snapshot?.contacts == alone?.contacts)
            #expect(snapshot?.debtor.id == alone?.debtor.id)
        }
        #expect(together.last! == nil, "a debtor that does not exist reads as nil, in its place")
        var results: [CasePlanned] = []
        let batch = try await counting(store) {
            results = try await processor.process(ids.map { CaseToPlan(tenant: "t", debtorID: $0, now: due, rules: rules) }) { _, _ in }.0
        }
        let sent = results.compactMap { if case .done(let o) = $0 { o.sent.count } else { nil } }
        #expect(sent == Array(repeating: 1, count: 16), "every case sends its first email: \(results)")
        // Each case's history is as if planned alone: its message, its two decisions, its state.
        let (messages, decisions, cases) = try await store.read { s in
            (try await s.messages("t", debtor: "D7", status: .sent), try await s.decisions("t", debtor: "D7"), try await s.cases("t"))
        }
        #expect(messages.count == 1 && messages[0].to == "ap7@carrier.example")
        #expect(decisions.map(\.action) == ["send", "wait"])
        #expect(cases.count == 16 && cases.allSatisfy { $0.status == .active })
        #expect(try await store.read { try await $0.events("t", types: [.messageSent], limit: 100) }.count == 16)
        #expect(try await store.read { try await $0.brokenAuditLink() } == nil, "the audit chain holds across a batch")
        // A planning alone pays ~13 statements; sixteen together pay about the same.
        #expect(batch <= 20, "a batch of 16 plannings that send issued \(batch) statements")
        let idle = try await counting(store) {
            _ = try await processor.process(ids.map { CaseToPlan(tenant: "t", debtorID: $0, now: due.addingTimeInterval(60), rules: rules) }) { _, _ in }
        }
        #expect(idle <= 4, "a batch of 16 idle plannings issued \(idle) statements")
        await store.close()
    }

    @Test(arguments: TestDatabases.engines) func rulesAreCachedUntilTheyChange(engine: DatabaseURL.Engine) async throws {
        let store = try await world(engine, invoices: 1)
        // Read twice in a row, the second comes from the cache (on SQLite it lives a second: a loaded
        // machine may need another try).
        var cached = false
        for _ in 0..<3 where !cached {
            _ = try await store.rules("t")
            cached = try await counting(store) { _ = try await store.rules("t") } == 0
        }
        #expect(cached)
        var settings = try await store.rules("t").settings
        try settings.set("company.name", "Renamed Trucking")
        try await store.write { try await $0.saveSettings("t", settings) }
        #expect(try await store.rules("t").settings.companyName == "Renamed Trucking")
        try await store.write {
            try await $0.saveTemplate("t", TemplateOverride(name: "reminder", channel: .sms, subject: nil, body: "Pay {{total}}"), now: due)
        }
        #expect(try await store.rules("t").templates.map(\.body) == ["Pay {{total}}"])
        await store.close()
    }

    @Test func anotherProcessesSettingsChangeIsSeenWithinASecondOnPostgres() async throws {
        guard TestDatabases.postgresAdminURL != nil else { return }
        let url = try await TestDatabases.freshURL(.postgres)
        let (writer, worker) = (try await Store.open(url), try await Store.open(url))
        try await writer.write { try await $0.ensureTenant("t", now: due) }
        let coordinator = Coordinator(url: url, rulesChanged: { worker.forgetRules(of: $0) })
        let listening = Task { await coordinator.run() }
        // LISTEN is in place once the coordinator has woken its waiters the first time.
        for _ in 0..<100 where await coordinator.wakeups == 0 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(try await worker.rules("t").settings.companyName != "Renamed Trucking")
        var settings = try await writer.rules("t").settings
        try settings.set("company.name", "Renamed Trucking")
        try await writer.write { try await $0.saveSettings("t", settings) }
        let changed = ContinuousClock.now
        var seen = false
        while !seen && changed.duration(to: .now) < .seconds(1) {
            seen = try await worker.rules("t").settings.companyName == "Renamed Trucking"
            if !seen { try await Task.sleep(for: .milliseconds(20)) }
        }
        // The cache keeps rules 30 s on PostgreSQL: only the notification can have told it.
        #expect(seen, "the worker still had the old settings a second after the change")
        listening.cancel()
        await listening.value
        await writer.close()
        await worker.close()
    }
}
