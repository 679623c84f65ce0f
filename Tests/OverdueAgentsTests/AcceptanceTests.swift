import Foundation
import Testing
@testable import OverdueAgents
@testable import OverdueCore
@testable import OverdueStore
import OverdueChannels
import OverdueTestSupport

/// Classic dunning timelines replayed end to end through the importer, the store, the dispatcher
/// and the virtual-clock scheduler.
@Suite struct AcceptanceTests {
    static let invoices = """
        invoice_number,debtor_id,debtor_name,amount,currency,issue_date,due_date,load_number,pro_number,bol_number
        INV-100,SHIP1,Big Shipper Inc,"1,250.00",USD,2026-01-01,2026-01-31,L-1,PRO-1,BOL-1
        INV-101,SHIP1,Big Shipper Inc,750,USD,2026-01-05,2026-02-04,L-2,PRO-2,BOL-2
        INV-200,BRKR1,Fast Brokers LLC,2000.00,USD,2026-01-10,2026-02-09,L-3,PRO-3,BOL-3
        """
    static let contacts = """
        debtor_id,name,email,phone,timezone,sms_consent,call_consent
        SHIP1,Dana Reyes,dana@bigshipper.example,(312) 555-0101,America/Chicago,true,true
        BRKR1,Luis Olsen,luis@fastbrokers.example,416-555-0199,America/Toronto,false,true
        """

    /// Runs `body` against a fresh, imported world and closes the store afterwards.
    func withWorld(_ engine: DatabaseURL.Engine = .sqlite, _ body: (Store, Scheduler) async throws -> Void) async throws {
        let (store, scheduler) = try await world(engine)
        do { try await body(store, scheduler) } catch { await store.close(); throw error }
        await store.close()
    }

    func world(_ engine: DatabaseURL.Engine) async throws -> (Store, Scheduler) {
        // One master key for every world: message ids are keyed with it, and runs are compared.
        let store = try await Store.open(
            try await TestDatabases.freshURL(engine), masterKey: try MasterKey(bytes: Array(repeating: 7, count: 32), source: "test"))
        try await store.write { try await $0.ensureTenant("acme", now: Date()) }
        let importer = Importer(store: store)
        _ = try await importer.importCSV(Data(Self.invoices.utf8), file: "invoices.csv", kind: .invoices, tenant: "acme", skipInvalid: false)
        _ = try await importer.importCSV(Data(Self.contacts.utf8), file: "contacts.csv", kind: .contacts, tenant: "acme", skipInvalid: false)
        return (store, Scheduler(store: store, processor: CaseProcessor(store: store)))
    }

    let t1 = Timestamp.parse("2026-01-20T00:00:00Z")!
    let t2 = Timestamp.parse("2026-03-31T00:00:00Z")!

    @Test func ladderRunsToHandoffOnTheRightDays() async throws {
        // given
        try await withWorld { store, scheduler in
            // when
            let report = try await scheduler.simulate(tenant: "acme", from: t1, until: t2)
            // then
            let ship = try await store.read { try await $0.messages("acme", debtor: "SHIP1") }
            #expect(
                ship.map { Timestamp.format($0.at) } == [
                    "2026-02-02T14:00:00Z", "2026-02-05T14:00:00Z", "2026-02-09T14:00:00Z",
                    "2026-02-12T14:00:00Z", "2026-02-16T14:00:00Z", "2026-02-19T14:00:00Z",
                    "2026-02-23T14:00:00Z", "2026-02-26T14:00:00Z", "2026-03-02T14:00:00Z",
                ])
            #expect(ship.map(\.channel) == [.email, .email, .email, .sms, .sms, .sms, .voice, .voice, .voice])
            #expect(ship[0].invoiceNumbers == ["INV-100"])
            #expect(ship[2].invoiceNumbers == ["INV-100", "INV-101"])  // joined the running case
            #expect(ship[0].subject?.contains("1,250.00 USD") == true)
            #expect(ship[0].body.contains("PRO-1"))
            // The broker has no SMS consent: email ×3 then voice ×3, at 08:00 Toronto time.
            let broker = try await store.read { try await $0.messages("acme", debtor: "BRKR1") }
            #expect(broker.map(\.channel) == [.email, .email, .email, .voice, .voice, .voice])
            #expect(Timestamp.format(broker[0].at) == "2026-02-10T13:00:00Z")
            let cases = try await store.read { try await $0.cases("acme") }
            #expect(cases.map(\.status) == [.handoff, .handoff])
            #expect(cases.first { $0.debtorID == "BRKR1" }!.reasons.contains { $0.message.contains("no SMS consent") })
            #expect(report.totalSent == 15)
        }
    }

    @Test func paymentClearsTheCaseMidLadder() async throws {
        try await withWorld { store, scheduler in
            let payments = """
                debtor_id,amount,currency,date,reference
                SHIP1,2000.00,USD,2026-02-10,ACH for PRO-1 and PRO-2
                """
            _ = try await Importer(store: store).importCSV(Data(payments.utf8), file: "payments.csv", kind: .payments, tenant: "acme", skipInvalid: false)
            _ = try await scheduler.simulate(tenant: "acme", from: t1, until: t2)
            let ship = try await store.read { try await $0.messages("acme", debtor: "SHIP1") }
            #expect(ship.count == 3)
            let record = try await store.read { try await $0.caseRecord("acme", debtor: "SHIP1") }
            #expect(record?.status == .resolved)
            #expect(record?.balance?.minorUnits ?? 0 == 0)
            #expect(record?.nextActionAt == nil)
        }
    }

    @Test func holdSuppressesAndThenReleasesTheDebtor() async throws {
        try await withWorld { store, scheduler in
            try await store.write { s in
                try await s.addHold(
                    "acme", Hold(debtorID: "SHIP1", reason: "short-paid dispute under review", until: Timestamp.parse("2026-02-20T00:00:00Z")!), now: t1)
            }
            _ = try await scheduler.simulate(tenant: "acme", from: t1, until: Timestamp.parse("2026-02-28T00:00:00Z")!)
            let ship = try await store.read { try await $0.messages("acme", debtor: "SHIP1") }
            #expect(ship.map { Timestamp.format($0.at) } == ["2026-02-20T14:00:00Z", "2026-02-23T14:00:00Z", "2026-02-26T14:00:00Z"])
            let decisions = try await store.read { try await $0.decisions("acme", debtor: "SHIP1") }
            #expect(decisions.contains { $0.action == "pause" && $0.reasons.first?.message.contains("short-paid dispute") == true })
        }
    }

    @Test func anAcknowledgementPausesTheLadderThreeBusinessDays() async throws {
        try await withWorld { store, scheduler in
            // Dana texts at 07:30 Chicago time on Thu Feb 5, the day the second email is due.
            _ = try await scheduler.simulate(tenant: "acme", from: t1, until: Timestamp.parse("2026-02-05T13:00:00Z")!)
            let result = try await ConversationEngine(store: store).receive(
                tenant: "acme", channel: .sms, from: "312-555-0101", text: "Checking with AP",
                at: Timestamp.parse("2026-02-05T13:30:00Z")!)
            #expect(result.contact?.debtorID == "SHIP1")
            #expect(result.understanding?.intent == .acknowledge)
            #expect(result.responses.isEmpty)
            _ = try await scheduler.simulate(tenant: "acme", from: Timestamp.parse("2026-02-05T13:00:00Z")!, until: Timestamp.parse("2026-02-11T00:00:00Z")!)
            let ship = try await store.read { try await $0.messages("acme", debtor: "SHIP1") }
            // Thu + 3 business days = Tue Feb 10, from midnight in Chicago; the window opens at 08:00.
            #expect(ship.map { Timestamp.format($0.at) } == ["2026-02-02T14:00:00Z", "2026-02-10T14:00:00Z"])
            let inbound = try await store.read { try await $0.messages("acme", direction: .inbound) }
            #expect(inbound.map(\.debtorID) == ["SHIP1"])
        }
    }

    @Test func sameDataGivesIdenticalOutput() async throws {
        var outputs: [String] = []
        for _ in 0..<2 {
            try await withWorld { store, scheduler in
                _ = try await scheduler.simulate(tenant: "acme", from: t1, until: t2)
                let messages = try await store.read { try await $0.messages("acme") }
                let cases = try await store.read { try await $0.cases("acme") }
                outputs.append(
                    messages.map { Listing.jsonLine(OutboxLine($0)) }.joined(separator: "\n")
                        + cases.map { Listing.jsonLine(CaseLine($0)) }.joined(separator: "\n"))
            }
        }
        #expect(outputs[0] == outputs[1])
        #expect(outputs[0].count > 1000)
    }

    @Test func sqliteAndPostgresGiveIdenticalOutput() async throws {
        // given: the same data and run on every engine available (PostgreSQL always in CI)
        var outputs: [String] = []
        for engine in TestDatabases.engines {
            try await withWorld(engine) { store, scheduler in
                _ = try await Importer(store: store).importCSV(
                    Data("debtor_id,amount,currency,date,reference\nSHIP1,1250.00,USD,2026-02-18,PRO-1\n".utf8),
                    file: "p.csv", kind: .payments, tenant: "acme", skipInvalid: false)
                try await store.write { s in
                    try await s.addHold(
                        "acme", Hold(debtorID: "BRKR1", invoiceNumber: "INV-200", reason: "POD requested", until: Timestamp.parse("2026-02-25T00:00:00Z")!),
                        now: t1)
                }
                // when
                _ = try await scheduler.simulate(tenant: "acme", from: t1, until: t2)
                let messages = try await store.read { try await $0.messages("acme", direction: nil) }
                let cases = try await store.read { try await $0.cases("acme") }
                outputs.append((messages.map { Listing.jsonLine(OutboxLine($0)) } + cases.map { Listing.jsonLine(CaseLine($0)) }).joined(separator: "\n"))
            }
        }
        // then
        #expect(outputs.count == TestDatabases.engines.count)
        #expect(Set(outputs).count == 1)
        #expect(outputs[0].contains("\"status\":\"handoff\""))
    }

    @Test func anAttemptRecordedBeforeACrashIsNeverRecordedTwice() async throws {
        try await withWorld { store, scheduler in
            // given: the first attempt was recorded, then the process died before the provider answered
            let pending = MessageRecord(
                id: "msg_crash", key: "SHIP1/c1/p0", direction: .outbound, channel: .email, at: Timestamp.parse("2026-02-02T14:00:00Z")!,
                debtorID: "SHIP1", contactID: 1, contactName: "Dana Reyes", to: "dana@bigshipper.example", from: "ar@x.example",
                invoiceNumbers: ["INV-100"], stage: 1, attempt: 1, kind: "reminder", subject: "s", body: "b", status: .pending)
            _ = try await store.write { try await $0.insertMessage("acme", pending) }
            // when
            _ = try await scheduler.simulate(tenant: "acme", from: t1, until: Timestamp.parse("2026-02-03T00:00:00Z")!)
            // then: no second message for that attempt
            let ship = try await store.read { try await $0.messages("acme", debtor: "SHIP1") }
            #expect(ship.map(\.id) == ["msg_crash"])
        }
    }

    /// A provider that cannot look messages up.
    struct Forgetful: ChannelAdapter {
        var channels: Set<Channel> { Set(Channel.allCases) }
        func send(_ message: OutboundMessage) async throws(DeliveryError) -> DeliveryReceipt { DeliveryReceipt(providerID: "f") }
    }

    func pendingFirstAttempt() -> MessageRecord {
        MessageRecord(
            id: "msg_crash", key: "SHIP1/c1/p0", direction: .outbound, channel: .email, at: Timestamp.parse("2026-02-02T14:00:00Z")!,
            debtorID: "SHIP1", contactID: 1, contactName: "Dana Reyes", to: "dana@bigshipper.example", from: "ar@x.example",
            invoiceNumbers: ["INV-100"], stage: 1, attempt: 1, kind: "reminder", subject: "s", body: "b", status: .pending)
    }

    /// The record the crash and scale-out tests count absorbs nothing: a message handed over twice
    /// is there twice, so "each key once" in those tests is Overdue's doing, not the recorder's.
    @Test func theProvidersRecordKeepsEveryCallItReceives() async throws {
        let record = RecordingChannel(file: FileManager.default.temporaryDirectory.appendingPathComponent("rec-\(UUID().uuidString).jsonl"))
        let m = OutboundMessage(id: "m1", key: "SHIP1/c1/p0", channel: .email, to: "dana@example.com", from: "ar@example.com", subject: "s", body: "b")
        #expect(try await record.trace(key: m.key) == .notFound)
        _ = try await record.send(m)
        _ = try await record.send(m)
        #expect(record.deliveries().map(\.key) == ["SHIP1/c1/p0", "SHIP1/c1/p0"])
        #expect(try await record.trace(key: m.key) != .notFound)
    }

    @Test(arguments: [false, true]) func aCrashBetweenRecordAndSendIsReconciledWithTheProvider(providerHadIt: Bool) async throws {
        try await withWorld { store, _ in
            // given: the attempt was recorded; the process died before (or right after) the provider took it
            let record = RecordingChannel(file: FileManager.default.temporaryDirectory.appendingPathComponent("rec-\(UUID().uuidString).jsonl"))
            let pending = pendingFirstAttempt()
            _ = try await store.write { try await $0.insertMessage("acme", pending) }
            if providerHadIt {
                _ = try await record.send(
                    OutboundMessage(id: pending.id, key: pending.key, channel: .email, to: pending.to!, from: pending.from!, subject: "s", body: "b"))
            }
            let scheduler = Scheduler(store: store, processor: CaseProcessor(store: store, channels: [.email: record, .sms: record, .voice: record]))
            // when (the recorded attempt counts against that day's cap, so the retry comes the next morning)
            _ = try await scheduler.simulate(tenant: "acme", from: t1, until: Timestamp.parse("2026-02-04T00:00:00Z")!)
            // then: delivered exactly once, and marked sent
            #expect(record.deliveries().map(\.key) == ["SHIP1/c1/p0"])
            #expect(try await store.read { try await $0.message("acme", key: "SHIP1/c1/p0") }?.status == .sent)
        }
    }

    @Test func aProviderThatCannotTellIsNeverResentBlindly() async throws {
        try await withWorld { store, _ in
            _ = try await store.write { try await $0.insertMessage("acme", pendingFirstAttempt()) }
            let scheduler = Scheduler(store: store, processor: CaseProcessor(store: store, channels: [.email: Forgetful()]))
            _ = try await scheduler.simulate(tenant: "acme", from: t1, until: Timestamp.parse("2026-02-04T00:00:00Z")!)
            #expect(try await store.read { try await $0.message("acme", key: "SHIP1/c1/p0") }?.status == .pending)
            // The ladder still moves on: the attempt counts as made.
            #expect(try await store.read { try await $0.caseState("acme", debtor: "SHIP1") }.attemptsSent == 1)
        }
    }

    /// Refuses the first `failures` tries of every message with a temporary error.
    final class Flaky: ChannelAdapter, @unchecked Sendable {
        let failures: Int
        private let lock = NSLock()
        private var tries: [String: Int] = [:]
        init(failures: Int) { self.failures = failures }
        var channels: Set<Channel> { Set(Channel.allCases) }
        func send(_ message: OutboundMessage) async throws(DeliveryError) -> DeliveryReceipt {
            let n = lock.withLock { () -> Int in
                tries[message.id, default: 0] += 1
                return tries[message.id]!
            }
            if n <= failures { throw .temporary("451 4.3.0 try again later") }
            return DeliveryReceipt(providerID: "flaky-\(message.id)-\(n)")
        }
    }

    @Test func aTemporaryFailureIsTriedAgainWithBackoffNeverTwice() async throws {
        try await withWorld { store, _ in
            let scheduler = Scheduler(store: store, processor: CaseProcessor(store: store, channels: [.email: Flaky(failures: 2)]))
            _ = try await scheduler.simulate(tenant: "acme", from: t1, until: Timestamp.parse("2026-02-03T00:00:00Z")!)
            let first = try #require(try await store.read { try await $0.messages("acme", debtor: "SHIP1") }.first)
            // Mon Feb 2 14:00Z refused, 14:01 refused, 14:06 taken: one message, three tries.
            #expect(first.status == .sent)
            #expect(first.deliveryAttempts == 3)
            #expect(Timestamp.format(first.at) == "2026-02-02T14:06:00Z")
            #expect(first.providerID == "flaky-\(first.id)-3")
            #expect(try await store.read { try await $0.messages("acme", debtor: "SHIP1") }.count == 1)
        }
    }

    @Test func aMessageThatKeepsFailingIsGivenUpAfterSixTries() async throws {
        try await withWorld { store, _ in
            let scheduler = Scheduler(store: store, processor: CaseProcessor(store: store, channels: [.email: Flaky(failures: 100)]))
            _ = try await scheduler.simulate(tenant: "acme", from: t1, until: Timestamp.parse("2026-02-03T00:00:00Z")!)
            let first = try #require(try await store.read { try await $0.messages("acme", debtor: "SHIP1") }.first)
            #expect(first.status == .failed)
            #expect(first.deliveryAttempts == 6)
            #expect(first.error?.hasPrefix("gave up after 6 tries") == true)
        }
    }

    @Test func theVirtualClockOnlyMovesForward() async throws {
        try await withWorld { store, scheduler in
            _ = try await scheduler.simulate(tenant: "acme", from: t1, until: t2)
            await #expect(throws: StoreError.self) { try await scheduler.simulate(tenant: "acme", from: t1, until: t2) }
        }
    }
}

@Suite struct ImporterTests {
    func withStore(_ body: (Store) async throws -> Void) async throws {
        let s = try await store()
        do { try await body(s) } catch { await s.close(); throw error }
        await s.close()
    }

    func store() async throws -> Store {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("overdue-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let s = try await Store.open(try DatabaseURL("sqlite://" + dir.appendingPathComponent("t.sqlite").path))
        try await s.write { try await $0.ensureTenant("acme", now: Date()) }
        return s
    }

    let bad = """
        invoice_number,debtor_id,debtor_name,amount,currency,issue_date,due_date
        INV-1,D1,Acme,100.00,USD,2026-01-01,2026-01-31
        INV-2,D1,Acme,12.5.0,USD,2026-01-01,2026-01-31
        INV-3,D1,Acme,100.00,USD,2026-01-01,01/15/2025
        INV-1,D1,Acme,100.00,USD,2026-01-01,2026-01-31
        """

    @Test func badRowsWriteNothingAndAreAllNamed() async throws {
        try await withStore { s in
            do {
                _ = try await Importer(store: s).importCSV(Data(bad.utf8), file: "inv.csv", kind: .invoices, tenant: "acme", skipInvalid: false)
                Issue.record("expected a rejection")
            } catch let e as ImportRejected {
                #expect(e.report.errors.map(\.line) == [3, 4, 5])
                #expect(e.report.errors.map(\.column) == ["amount", "due_date", "invoice_number"])
            }
            #expect(try await s.read { try await $0.invoiceCount("acme") } == 0)
        }
    }

    @Test func skipInvalidWritesTheGoodRows() async throws {
        try await withStore { s in
            let report = try await Importer(store: s).importCSV(Data(bad.utf8), file: "inv.csv", kind: .invoices, tenant: "acme", skipInvalid: true)
            #expect(report.rowsWritten == 1)
            #expect(report.errors.count == 3)
            #expect(try await s.read { try await $0.invoiceCount("acme") } == 1)
        }
    }

    @Test func reimportIsIdempotentForPayments() async throws {
        try await withStore { s in
            let csv = "debtor_id,amount,currency,date,reference\nD1,100,USD,2026-02-01,ACH 1\nD1,100,USD,2026-02-01,ACH 1\n"
            for _ in 0..<2 { _ = try await Importer(store: s).importCSV(Data(csv.utf8), file: "p.csv", kind: .payments, tenant: "acme", skipInvalid: false) }
            #expect(try await s.read { try await $0.payments("acme", debtor: "D1") }.count == 2)
        }
    }
}

@Suite struct ComposerTests {
    @Test func escalatesToneAndGreetsMailboxesAsTeams() {
        #expect(TemplateComposer.tone(position: 0, totalSteps: 9) == .friendly)
        #expect(TemplateComposer.tone(position: 4, totalSteps: 9) == .firm)
        #expect(TemplateComposer.tone(position: 8, totalSteps: 9) == .final)
        #expect(TemplateComposer.greeting("Accounts Payable") == "Hello Accounts Payable team")
        #expect(TemplateComposer.greeting("Dana Reyes") == "Hello Dana")
    }

    @Test func smsNamesTheTotalAndTheOptOut() throws {
        let inv = Invoice(
            number: "INV-1", debtorID: "D1", amount: Money(minorUnits: 125_000, currency: .usd),
            issueDate: LocalDate.parse("2026-01-01")!, dueDate: LocalDate.parse("2026-01-31")!)
        let contact = Contact(id: 1, debtorID: "D1", name: "Dana", phone: "+13125550101", timeZone: "America/Chicago", smsConsent: true)
        let attempt = PlannedAttempt(
            channel: .sms, contact: contact, address: "+13125550101", stageIndex: 1, attempt: 1, attemptsInStage: 3,
            cycle: 1, position: 3, invoices: [InvoiceLine(invoice: inv, balance: inv.amount, daysPastDue: 12)])
        let m = try TemplateComposer().compose(
            CompositionRequest(
                kind: attempt.kind, channel: .sms, tone: TemplateComposer.tone(position: attempt.position, totalSteps: 9),
                debtor: Debtor(id: "D1", name: "Acme"), contactName: contact.name, invoices: attempt.invoices,
                settings: TenantSettings()))
        #expect(m.subject == nil)
        #expect(m.body.contains("1,250.00 USD"))
        #expect(m.body.contains("Reply STOP to opt out"))
        #expect(m.body.count <= 320)
    }
}
