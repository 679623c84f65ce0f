import Foundation
import OverdueAgents
import OverdueCore
import OverdueStore
import OverdueTestSupport
import OverdueUseCases
import Testing

@Suite struct MessageTests {
    static let now = Timestamp.parse("2026-02-12T15:00:00Z")!

    @Test func sendingNeedsChannelsAndAKnownCaseAndKeepsTheContactRules() async throws {
        try await withBook(.sqlite) { store in
            let recordOnly = UseCases(store: store, clock: FixedClock(instant: Self.now))
            let noChannels = await refusal {
                try await recordOnly.sendMessage(tenant: "t1", debtor: "D1", channel: .email, text: "hello", subject: nil, contactName: nil, by: "pat")
            }
            #expect(noChannels?.kind == .conflict && noChannels?.problems.map(\.field) == ["channels"])
            let cases = UseCases(store: store, clock: FixedClock(instant: Self.now), conversations: ConversationEngine(store: store))
            let unknown = await refusal {
                try await cases.sendMessage(tenant: "t1", debtor: "D9", channel: .email, text: "hello", subject: nil, contactName: nil, by: "pat")
            }
            #expect(unknown?.kind == .notFound)
            // D1 has no contact to write to: a contact rule says so, by its code.
            let nobody = await refusal {
                try await cases.sendMessage(tenant: "t1", debtor: "D1", channel: .email, text: "hello", subject: nil, contactName: nil, by: "pat")
            }
            #expect(nobody?.kind == .conflict && nobody?.code == "contact_rules" && nobody?.problems.isEmpty == false)
            let written = try await store.read { try await $0.messages("t1", debtor: "D1") }
            #expect(written.isEmpty)
        }
    }

    @Test func onlyADraftOfTheTenantIsApprovedOrDiscarded() async throws {
        try await withBook(.sqlite) { store in
            let cases = UseCases(store: store, clock: FixedClock(instant: Self.now), conversations: ConversationEngine(store: store))
            #expect(await refusal { try await cases.approveDraft(tenant: "t1", messageID: "msg_none") }?.kind == .notFound)
            #expect(await refusal { try await cases.discardDraft(tenant: "t1", messageID: "msg_none") }?.kind == .notFound)
        }
    }
}
