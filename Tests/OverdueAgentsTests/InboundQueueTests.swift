import Foundation
import Testing
@testable import OverdueAgents
@testable import OverdueCore
@testable import OverdueStore
import OverdueTestSupport

/// A clock stopped at an instant.
private struct At: OverdueCore.Clock {
    let instant: Date
    init(_ instant: Date) { self.instant = instant }
    func now() -> Date { instant }
}

/// Inbound messages kept by webhooks and handled by a worker, one case at a time.
@Suite struct InboundQueueTests {
    static let invoices = """
        invoice_number,debtor_id,debtor_name,amount,currency,issue_date,due_date
        INV-100,SHIP1,Big Shipper Inc,"1,250.00",USD,2026-01-01,2026-01-31
        """
    static let contacts = """
        debtor_id,name,email,phone,timezone,sms_consent,call_consent
        SHIP1,Dana Reyes,dana@bigshipper.example,(312) 555-0101,America/Chicago,true,true
        """

    func withWorld(_ engine: DatabaseURL.Engine, _ body: (Store, Scheduler) async throws -> Void) async throws {
        let store = try await Store.open(try await TestDatabases.freshURL(engine))
        let docs = FileManager.default.temporaryDirectory.appendingPathComponent("overdue-docs-\(UUID().uuidString)")
        do {
            try await store.write { try await $0.ensureTenant("acme", now: Date()) }
            let importer = Importer(store: store)
            _ = try await importer.importCSV(Data(Self.invoices.utf8), file: "invoices.csv", kind: .invoices, tenant: "acme", skipInvalid: false)
            _ = try await importer.importCSV(Data(Self.contacts.utf8), file: "contacts.csv", kind: .contacts, tenant: "acme", skipInvalid: false)
            let processor = CaseProcessor(store: store)
            let engine = ConversationEngine(store: store, processor: processor, documents: DocumentLibrary(directory: docs))
            try await body(store, Scheduler(store: store, processor: processor, inbound: InboundWork(store: store, engine: engine), owner: "worker-a"))
        } catch {
            await store.close()
            throw error
        }
        await store.close()
        try? FileManager.default.removeItem(at: docs)
    }

    let received = Timestamp.parse("2026-02-03T16:00:00Z")!

    func keep(_ store: Store, _ text: InboundText, key: String) async throws -> (id: Int64, isNew: Bool) {
        let payload = String(decoding: try JSONEncoder().encode(text), as: UTF8.self)
        return try await store.write { s in try await s.enqueueInbound("acme", kind: .text, dedupKey: key, payload: payload, at: received) }
    }

    @Test(arguments: TestDatabases.engines) func aKeptTextIsHandledOnceByAWorker(engine: DatabaseURL.Engine) async throws {
        try await withWorld(engine) { store, scheduler in
            let text = InboundText(channel: .sms, from: "+13125550101", text: "We will pay on Friday", providerID: "SM1")
            let first = try await keep(store, text, key: "sms:SM1")
            let again = try await keep(store, text, key: "sms:SM1")
            #expect(first.isNew && !again.isNew && first.id == again.id)
            // Kept, not yet read.
            #expect(try await store.read { try await $0.messages("acme", direction: .inbound) }.isEmpty)
            _ = try await scheduler.runDue(clock: At(received.addingTimeInterval(1)), kind: InboundItem.jobKind)
            let inbound = try await store.read { try await $0.messages("acme", direction: .inbound) }
            #expect(inbound.map(\.at) == [received], "handled as of when it arrived")
            #expect(try await store.read { try await $0.commitments("acme", debtor: "SHIP1") }.map(\.kind) == [.promise])
            #expect(try await store.read { try await $0.inboundItem("acme", id: first.id) }?.status == .done)
            // Nothing left to do, and the handled item is never handled again.
            _ = try await scheduler.runDue(clock: At(received.addingTimeInterval(2)), kind: InboundItem.jobKind)
            #expect(try await store.read { try await $0.messages("acme", direction: .inbound) }.count == 1)
            #expect(try await store.read { try await $0.queuedInboundCount("acme") } == 0)
        }
    }

    @Test(arguments: TestDatabases.engines) func aReplyWaitsWhileAnotherWorkerHasTheCase(engine: DatabaseURL.Engine) async throws {
        try await withWorld(engine) { store, scheduler in
            let wall = Date()
            // Another worker is planning SHIP1's case right now. Its lease is long: the worker under
            // test leases on the real clock, and a loaded machine must not let this one run out.
            try await store.write { try await $0.schedule("acme", subjects: ["SHIP1"], at: received, mode: .replace) }
            let planning = try #require(
                try await store.write { s in
                    try await s.claimJobs(tenant: "acme", until: received, owner: "worker-b", leaseNow: wall, leaseSeconds: 3_600, limit: 1, kind: "plan").first
                })
            let item = try await keep(store, InboundText(channel: .sms, from: "+13125550101", text: "STOP"), key: "sms:SM-stop")
            _ = try await scheduler.runDue(clock: At(wall), kind: InboundItem.jobKind)
            // Not handled: it waits for the case (due again a second later).
            #expect(try await store.read { try await $0.inboundItem("acme", id: item.id) }?.status == .queued)
            #expect(try await store.read { try await $0.messages("acme", direction: .inbound) }.isEmpty)
            // The other worker finishes; the reply is handled at its next turn, as of when it arrived.
            #expect(try await store.write { try await $0.completeJob(planning, next: received.addingTimeInterval(86_400)) })
            _ = try await scheduler.runDue(clock: At(wall.addingTimeInterval(2)), kind: InboundItem.jobKind)
            #expect(try await store.read { try await $0.inboundItem("acme", id: item.id) }?.status == .done)
            #expect(try await store.read { try await $0.suppressions("acme", debtor: "SHIP1") }.contains { $0.channel == .sms })
            // The case's own job is still there, free, due no later than the reply made it.
            let job = try await store.write { s in
                try await s.claimJobs(
                    tenant: "acme", until: received.addingTimeInterval(86_400), owner: "c", leaseNow: wall.addingTimeInterval(3), leaseSeconds: 60, limit: 5,
                    kind: "plan")
            }
            #expect(job.map(\.subject) == ["SHIP1"])
            #expect(job.first.map { $0.dueAt <= received.addingTimeInterval(86_400) } == true)
        }
    }

    /// A lane that claimed a reply together with the plan job of the reply's own case lets the reply
    /// go first (it gives its claim on the case back) instead of making it wait for itself.
    @Test(arguments: TestDatabases.engines) func aReplyGoesBeforeItsCasesPlanningInTheSameBatch(engine: DatabaseURL.Engine) async throws {
        try await withWorld(engine) { store, scheduler in
            try await store.write { try await $0.schedule("acme", subjects: ["SHIP1"], at: received, mode: .replace) }
            let item = try await keep(store, InboundText(channel: .sms, from: "+13125550101", text: "STOP"), key: "sms:SM-stop-2")
            // The wall clock: the reply's handling leases the case on it, as the lane claims.
            let report = try await scheduler.runDue(clock: At(Date()))
            #expect(try await store.read { try await $0.inboundItem("acme", id: item.id) }?.status == .done, "handled in the same pass, not a second later")
            #expect(try await store.read { try await $0.suppressions("acme", debtor: "SHIP1") }.contains { $0.channel == .sms })
            // The case was still planned in that pass, after the reply.
            #expect(report.processed >= 1)
            let sms = try await store.read { try await $0.messages("acme", direction: .outbound) }.filter { $0.channel == .sms && $0.status == .sent }
            #expect(
                sms.allSatisfy { $0.body.localizedCaseInsensitiveContains("stop") || $0.body.localizedCaseInsensitiveContains("unsubscribed") },
                "\(sms.map(\.body))")
        }
    }

    @Test func anUnreadableMessageIsKeptAndFlaggedNotLost() async throws {
        try await withWorld(.sqlite) { store, scheduler in
            let item = try await keep(store, InboundText(channel: .sms, from: "not a number", text: "hello"), key: "sms:bad")
            _ = try await scheduler.runDue(clock: At(received), kind: InboundItem.jobKind)
            let kept = try await store.read { try await $0.inboundItem("acme", id: item.id) }
            #expect(kept?.status == .failed && kept?.error?.contains("not a phone number") == true)
            #expect(kept?.payload.contains("hello") == true)
            #expect(try await store.read { try await $0.inbox("acme") }.contains { $0.code == "inbound_refused" })
        }
    }

    @Test(arguments: TestDatabases.engines) func aKeptEmailIsReadOnItsSendersCase(engine: DatabaseURL.Engine) async throws {
        try await withWorld(engine) { store, scheduler in
            let raw =
                "From: Dana Reyes <dana@bigshipper.example>\r\nSubject: INV-100\r\nMessage-ID: <q-1@bigshipper.example>\r\n\r\nPlease send the POD for INV-100.\r\n"
            #expect(
                try await InboundWork(
                    store: store, engine: ConversationEngine(store: store, documents: DocumentLibrary(directory: FileManager.default.temporaryDirectory))
                ).mail.debtor(of: Array(raw.utf8), tenant: "acme") == "SHIP1")
            _ = try await store.write { s in
                try await s.enqueueInbound("acme", kind: .email, dedupKey: "email:q-1", payload: Data(raw.utf8).base64EncodedString(), at: received)
            }
            _ = try await scheduler.runDue(clock: At(received), kind: InboundItem.jobKind)
            let inbound = try await store.read { try await $0.messages("acme", direction: .inbound) }
            #expect(inbound.map(\.debtorID) == ["SHIP1"])
            #expect(inbound.first?.understanding?.intent == .documentRequest)
        }
    }
}
