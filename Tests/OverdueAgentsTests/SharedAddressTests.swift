import Foundation
import Testing
@testable import OverdueAgents
@testable import OverdueCore
@testable import OverdueStore
import OverdueTestSupport
import OverdueUseCases

/// One AP clerk paying for two companies: a phone number and a mailbox that are contacts of two
/// debtors. A message is put on the case its conversation names; when nothing says which company
/// it is about, neither account is disclosed and a person gets it (issue 20, finding 14).
@Suite struct SharedAddressTests {
    static let invoices = """
        invoice_number,debtor_id,debtor_name,amount,currency,issue_date,due_date
        INV-1001,TRI,Tri-State Truckload,"3,000.00",USD,2026-01-01,2026-01-31
        INV-2001,GLS,Great Lakes Steel Supply,"40,000.00",USD,2026-01-01,2026-01-31
        INV-2002,GLS,Great Lakes Steel Supply,"6,377.00",USD,2026-01-02,2026-02-01
        """
    static let contacts = """
        debtor_id,name,email,phone,timezone,sms_consent,call_consent
        TRI,Priya Tremblay,ap@sharedservices.example,(312) 555-0102,America/Chicago,true,true
        GLS,Priya Ramirez,ap@sharedservices.example,(312) 555-0102,America/Chicago,true,true
        """
    let phone = "+13125550102"
    let mailbox = "ap@sharedservices.example"
    let at = Timestamp.parse("2026-02-10T16:00:00Z")!

    func withWorld(_ engine: DatabaseURL.Engine, _ body: (Store, ConversationEngine, [String: Contact]) async throws -> Void) async throws {
        let store = try await Store.open(try await TestDatabases.freshURL(engine))
        let docs = FileManager.default.temporaryDirectory.appendingPathComponent("overdue-docs-\(UUID().uuidString)")
        do {
            try await store.write { s in try await s.ensureTenant("acme", now: at) }
            let importer = Importer(store: store)
            _ = try await importer.importCSV(Data(Self.invoices.utf8), file: "invoices.csv", kind: .invoices, tenant: "acme", skipInvalid: false)
            _ = try await importer.importCSV(Data(Self.contacts.utf8), file: "contacts.csv", kind: .contacts, tenant: "acme", skipInvalid: false)
            let contacts = try await store.read { s in
                [
                    "TRI": try #require(try await s.contacts("acme", debtor: "TRI").first),
                    "GLS": try #require(try await s.contacts("acme", debtor: "GLS").first),
                ]
            }
            try await body(store, ConversationEngine(store: store, documents: DocumentLibrary(directory: docs)), contacts)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
        try? FileManager.default.removeItem(at: docs)
    }

    /// A reminder sent to `contact` over `channel` at `when`.
    func sent(_ store: Store, to contact: Contact, _ channel: Channel, at when: Date) async throws {
        let key = "\(contact.debtorID)/c1/p\(channel.rawValue)"
        _ = try await store.write { s in
            try await s.insertMessage(
                "acme",
                MessageRecord(
                    id: "msg_\(key)", key: key, direction: .outbound, channel: channel, at: when, debtorID: contact.debtorID, contactID: contact.id,
                    contactName: contact.name, to: channel == .email ? mailbox : phone, from: "ar@x.example", invoiceNumbers: [], stage: 1, attempt: 1,
                    kind: "reminder", subject: nil, body: "Reminder", status: .sent))
        }
    }

    /// Neither case got a promise, nothing was answered, and a person has the message.
    func expectFiledForAPerson(_ store: Store, _ outcome: ConversationEngine.Outcome) async throws {
        #expect(outcome.responses.isEmpty, "answered: \(outcome.responses.map(\.body))")
        #expect(outcome.message.debtorID == nil)
        for debtor in ["TRI", "GLS"] { #expect(try await store.read { try await $0.commitments("acme", debtor: debtor) }.isEmpty) }
        let inbox = try await store.read { try await $0.inbox("acme") }
        #expect(inbox.contains { $0.code == "address_shared" && $0.debtorID == nil }, "inbox: \(inbox.map(\.code))")
    }

    @Test(arguments: TestDatabases.engines) func aTextFromASharedNumberNobodyWasWritingToGoesToAPerson(engine: DatabaseURL.Engine) async throws {
        try await withWorld(engine) { store, engine, _ in
            let r = try await engine.receive(tenant: "acme", channel: .sms, from: phone, text: "who is this? we will pay it on the fifteenth", at: at)
            try await expectFiledForAPerson(store, r)
        }
    }

    @Test(arguments: TestDatabases.engines) func anOptOutFromASharedNumberIsObeyedForEveryContactWithIt(engine: DatabaseURL.Engine) async throws {
        try await withWorld(engine) { store, engine, _ in
            let r = try await engine.receive(tenant: "acme", channel: .sms, from: phone, text: "STOP", at: at)
            try await expectFiledForAPerson(store, r)
            for debtor in ["TRI", "GLS"] {
                #expect(try await store.read { try await $0.suppressions("acme", debtor: debtor) }.contains { $0.channel == .sms || $0.channel == nil })
            }
        }
    }

    @Test(arguments: TestDatabases.engines) func aTextAnswersTheOnlyCaseWrittenToFromThatNumber(engine: DatabaseURL.Engine) async throws {
        try await withWorld(engine) { store, engine, contacts in
            // Great Lakes' contact is the second on file: the first is not taken for it.
            try await sent(store, to: contacts["GLS"]!, .sms, at: at.addingTimeInterval(-86_400))
            let r = try await engine.receive(tenant: "acme", channel: .sms, from: phone, text: "ok we will pay it on the fifteenth", at: at)
            #expect(r.message.debtorID == "GLS")
            #expect(try await store.read { try await $0.commitments("acme", debtor: "GLS") }.count == 1)
            #expect(try await store.read { try await $0.commitments("acme", debtor: "TRI") }.isEmpty)
            // Nothing of the other company's account is in the answer.
            #expect(!r.responses.isEmpty)
            for answer in r.responses { #expect(!answer.body.contains("3,000") && !answer.body.contains("INV-1001") && !answer.body.contains("Tri-State")) }
        }
    }

    @Test(arguments: TestDatabases.engines) func bothCasesWrittenToLatelyMakeATextAPersonsUnlessItNamesAnInvoice(engine: DatabaseURL.Engine) async throws {
        try await withWorld(engine) { store, engine, contacts in
            try await sent(store, to: contacts["TRI"]!, .sms, at: at.addingTimeInterval(-2 * 86_400))
            try await sent(store, to: contacts["GLS"]!, .sms, at: at.addingTimeInterval(-86_400))
            let vague = try await engine.receive(tenant: "acme", channel: .sms, from: phone, text: "we will pay it on the fifteenth", at: at)
            try await expectFiledForAPerson(store, vague)
            let named = try await engine.receive(
                tenant: "acme", channel: .sms, from: phone, text: "INV-2001 will be paid on the fifteenth", at: at.addingTimeInterval(60))
            #expect(named.message.debtorID == "GLS")
            #expect(try await store.read { try await $0.commitments("acme", debtor: "TRI") }.isEmpty)
        }
    }

    @Test(arguments: TestDatabases.engines) func aMailFromASharedMailboxFollowsItsThreadElseAPerson(engine: DatabaseURL.Engine) async throws {
        try await withWorld(engine) { store, engine, contacts in
            try await sent(store, to: contacts["TRI"]!, .email, at: at.addingTimeInterval(-86_400))
            try await sent(store, to: contacts["GLS"]!, .email, at: at.addingTimeInterval(-86_400))
            let loose = try await engine.receive(tenant: "acme", channel: .email, from: "AP <\(mailbox)>", text: "We will pay on the 15th.", at: at)
            try await expectFiledForAPerson(store, loose)
            // Answering the Great Lakes thread: that case, whatever the other company owes.
            let threaded = try await engine.receive(
                tenant: "acme", channel: .email, from: "AP <\(mailbox)>", text: "Please send the invoice copies.", at: at.addingTimeInterval(60),
                threadContactID: contacts["GLS"]!.id)
            #expect(threaded.message.debtorID == "GLS")
            for answer in threaded.responses { #expect(!answer.body.contains("INV-1001") && !answer.body.contains("Tri-State")) }
        }
    }

    @Test(arguments: TestDatabases.engines) func aKeptTextFromASharedNumberLeasesTheCaseItWillBePutOn(engine: DatabaseURL.Engine) async throws {
        try await withWorld(engine) { store, engine, contacts in
            let work = InboundWork(store: store, engine: engine)
            func kept(_ text: String, key: String) async throws -> InboundItem {
                let payload = String(decoding: try JSONEncoder().encode(InboundText(channel: .sms, from: phone, text: text)), as: UTF8.self)
                let id = try await store.write { s in try await s.enqueueInbound("acme", kind: .text, dedupKey: key, payload: payload, at: at) }.id
                return try #require(try await store.read { try await $0.inboundItem("acme", id: id) })
            }
            // Nobody written to: no case is leased (a person gets it).
            #expect(try await work.debtor(of: try await kept("we will pay friday", key: "sms:1")) == nil)
            // Great Lakes' contact (the second on file) was written to: its case, not the first contact's.
            try await sent(store, to: contacts["GLS"]!, .sms, at: at.addingTimeInterval(-86_400))
            #expect(try await work.debtor(of: try await kept("we will pay friday", key: "sms:2")) == "GLS")
            // Both written to: the invoice named decides.
            try await sent(store, to: contacts["TRI"]!, .sms, at: at.addingTimeInterval(-3_600))
            #expect(try await work.debtor(of: try await kept("INV-1001 goes out friday", key: "sms:3")) == "TRI")
        }
    }

    @Test(arguments: TestDatabases.engines) func aCallTurnBelongsToItsCall(engine: DatabaseURL.Engine) async throws {
        try await withWorld(engine) { store, engine, contacts in
            // The number is shared (Tri-State's contact is the first on file) and Tri-State was texted
            // more lately; the call went to Great Lakes.
            try await sent(store, to: contacts["TRI"]!, .sms, at: at.addingTimeInterval(-3_600))
            let r = try await engine.receive(
                tenant: "acme", channel: .voice, from: phone, text: "ok we will pay it on the fifteenth", at: at, providerID: "CA1:turn1",
                threadContactID: contacts["GLS"]!.id, inCall: true)
            #expect(r.message.debtorID == "GLS")
            #expect(try await store.read { try await $0.commitments("acme", debtor: "GLS") }.count == 1)
            #expect(try await store.read { try await $0.commitments("acme", debtor: "TRI") }.isEmpty)
            for answer in r.responses { #expect(!answer.body.contains("3,000") && !answer.body.contains("Tri-State")) }
        }
    }
}
