import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import OverdueAgents
@testable import OverdueCore
@testable import OverdueServer
@testable import OverdueStore

/// Issue 20, finding 2: a viewer's key previewed a draft with 24 nested `{{#lines}}` — 3^24
/// renders in the request — and a saved template like it would jam every worker.
@Suite struct TemplateBombTests {
    static let bomb = String(repeating: "{{#lines}}", count: 24) + "x" + String(repeating: "{{/lines}}", count: 24)

    @Test func aTemplateBombIsRefusedWhetherPreviewedSavedOrAlreadyStored() async throws {
        try await APITests().withApp { client, store in
            let viewer = try await store.write { try await $0.createAPIKey("demo", name: "v", role: .viewer, now: Date()).key }
            let draft = #"{"name":"reminder.friendly","channel":"sms","body":"\#(Self.bomb)"}"#
            // A viewer may not render a draft at all.
            try await client.execute(
                uri: "/api/v1/templates/preview", method: .post, headers: ResourceAPITests.headers(viewer), body: ByteBuffer(string: draft)
            ) { #expect($0.status == .forbidden) }
            // A manager's preview and save are refused, naming why.
            let started = ContinuousClock.now
            try await client.execute(uri: "/api/v1/templates/preview", method: .post, headers: ResourceAPITests.headers(), body: ByteBuffer(string: draft)) {
                response in
                #expect(response.status == .unprocessableContent)
                #expect(String(buffer: response.body).contains("inside the list section"), "\(String(buffer: response.body))")
            }
            try await client.execute(
                uri: "/api/v1/templates/sms/reminder.friendly", method: .put, headers: ResourceAPITests.headers(),
                body: ByteBuffer(string: #"{"body":"\#(Self.bomb)"}"#)
            ) { #expect($0.status == .unprocessableContent) }
            // Refused before any rendering: the bomb itself would run for hours (a generous bound, the
            // machine may be busy with other tests).
            #expect(ContinuousClock.now - started < .seconds(60))
            // Written into the database behind the checks: the ladder renders the built-in text instead, promptly.
            try await store.write { s in
                try await s.saveTemplate("demo", TemplateOverride(name: "reminder.friendly", channel: .sms, subject: nil, body: Self.bomb), now: Date())
            }
            let rules = try await store.rules("demo")
            let request = CompositionRequest(
                kind: .reminder, channel: .sms, debtor: Debtor(id: "S001", name: "Shipper"), contactName: "Dana",
                invoices: [], settings: rules.settings, lines: ["a", "b", "c"])
            #expect(throws: TemplateError.self) { try TemplateComposer(overrides: rules.templates).compose(request) }
            // Output is capped too, whatever the structure.
            let wide = String(repeating: "{{company}}", count: 19_000 / 11)
            let big = CompositionRequest(
                kind: .reminder, channel: .sms, debtor: Debtor(id: "S001", name: "Shipper"), contactName: "Dana", invoices: [],
                settings: try {
                    var s = TenantSettings(); try s.set("company.name", String(repeating: "W", count: 200)); return s
                }())
            #expect(throws: TemplateError.self) {
                try TemplateComposer(overrides: [TemplateOverride(name: "reminder.friendly", channel: .sms, subject: nil, body: wide)]).compose(big)
            }
        }
    }
}
