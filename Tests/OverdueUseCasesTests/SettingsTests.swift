import Foundation
import OverdueCore
import OverdueStore
import OverdueTestSupport
import OverdueUseCases
import Testing

@Suite struct SettingsTests {
    static let now = Timestamp.parse("2026-02-12T15:00:00Z")!

    @Test func keysThatDependOnEachOtherApplyInAnyOrder() {
        // window.end must stay after window.start: moving both later works whichever comes first.
        let moved = TenantSettings().applying([("window.end", "20:30"), ("window.start", "19:00")])
        #expect(moved.errors.isEmpty)
        #expect(moved.settings.value("window.start") == "19:00" && moved.settings.value("window.end") == "20:30")
        #expect(Set(moved.changed) == ["window.start", "window.end"])
        let bad = TenantSettings().applying([("window.sms.start", "06:00"), ("no.such.key", "x")])
        #expect(Set(bad.errors.keys) == ["window.sms.start", "no.such.key"])
    }

    @Test(arguments: TestDatabases.engines) func aChangeIsAllOrNothingAndAuditedOnce(engine: DatabaseURL.Engine) async throws {
        try await withBook(engine) { store in
            let cases = UseCases(store: store, clock: FixedClock(instant: Self.now))
            do {
                try await cases.changeSettings(tenant: "t1", [("company.name", "Prairie Line"), ("window.sms.start", "06:00")], by: "cli:pat")
                Issue.record("a bad key was accepted")
            } catch let refused as UseCaseError {
                #expect(refused.problems.map(\.field) == ["window.sms.start"])
            }
            #expect(try await store.read { try await $0.settings("t1") }.companyName != "Prairie Line")
            #expect(
                try await cases.changeSettings(tenant: "t1", [("company.name", "Prairie Line"), ("twilio.auth_token", "tok-secret-1234567")], by: "cli:pat")
                    .sorted() == ["company.name", "twilio.auth_token"])
            try await cases.changeSettings(tenant: "t1", [("twilio.auth_token", "tok-other-1234567")], by: "cli:pat")
            let log = try await store.read { try await $0.auditLog(tenant: "t1") }.filter { $0.action.hasPrefix("settings.") }
            #expect(log.map(\.action) == ["settings.changed", "settings.set"])
            #expect(!log.contains { ($0.detail ?? "").contains("tok-") })
        }
    }
}

@Suite struct SettingsAuditTests {
    @Test func aOneKeyChangeIsAuditedUnderThatKeyWhateverElseWasSent() async throws {
        try await withCases(at: SettingsTests.now) { store, cases in
            try await cases.changeSettings(tenant: "t1", [("company.name", "Prairie Line")], by: "user:pat")
            // The company name is sent again unchanged, first; only the autonomy changes.
            #expect(try await cases.changeSettings(tenant: "t1", [("company.name", "Prairie Line"), ("autonomy", "review")], by: "user:pat") == ["autonomy"])
            let entry = try await lastAudit(store)
            #expect(entry?.action == "settings.set" && entry?.object == "autonomy" && entry?.detail == "= review")
        }
    }
}

@Suite struct PolicyTests {
    @Test func aPolicyIsPutInForceAuditedAndEveryCaseReplanned() async throws {
        try await withCases(at: SettingsTests.now) { store, cases in
            let policy = try Policy.parse(json: Data(#"{"name": "gentle", "stages": [{"channel": "email", "attempts": 2, "delay_days": 7}]}"#.utf8))
            try await cases.changePolicy(tenant: "t1", policy, by: "cli:pat", source: "gentle.json")
            #expect(try await store.read { try await $0.policy("t1") }.name == "gentle")
            let entry = try await lastAudit(store)
            #expect(entry?.action == "policy.set" && entry?.object == "gentle" && entry?.detail == "gentle.json")
        }
    }
}

@Suite struct TemplateTests {
    @Test func aTemplateIsCheckedThenSavedAndReset() async throws {
        try await withCases(at: SettingsTests.now) { store, cases in
            #expect(await refusal { try await cases.setTemplate(tenant: "t1", name: "no_such", channel: .sms, subject: nil, body: "hi") }?.kind == .notFound)
            let bad = await refusal {
                try await cases.setTemplate(tenant: "t1", name: "reminder.friendly", channel: .sms, subject: "Hello", body: "{{#lines}} unclosed")
            }
            #expect(Set(bad?.problems.map(\.field) ?? []) == ["body", "subject"])
            let saved = try await cases.setTemplate(tenant: "t1", name: "reminder.friendly", channel: .sms, subject: nil, body: "Hi {{contact_name}}, INV due.")
            #expect(saved.subject == nil)
            let stored = try await store.read { try await $0.templates("t1") }
            #expect(stored.map(\.name) == ["reminder.friendly"])
            #expect(try await cases.resetTemplate(tenant: "t1", name: "reminder.friendly", channel: .sms))
            #expect(try await !cases.resetTemplate(tenant: "t1", name: "reminder.friendly", channel: .sms))
        }
    }
}

@Suite struct KeyTests {
    @Test func onlyAnOwnerGrantsOwnerAndEveryKeyChangeIsAudited() async throws {
        try await withCases(at: SettingsTests.now) { store, cases in
            do {
                _ = try await cases.createAPIKey(tenant: "t1", name: "tms", role: .owner, by: "user:admin@x", grantor: .admin)
                Issue.record("an admin granted the owner role")
            } catch let refused as UseCaseError {
                #expect(refused.kind == .forbidden)
            }
            let made = try await cases.createAPIKey(tenant: "t1", name: "tms", role: .manager, by: "user:admin@x", grantor: .admin)
            #expect(made.key.hasPrefix(made.record.prefix))
            try await cases.revokeAPIKey(tenant: "t1", prefix: made.record.prefix, by: "cli:pat")
            do {
                try await cases.revokeAPIKey(tenant: "t1", prefix: "od_nothing", by: "cli:pat")
                Issue.record("revoked a key that does not exist")
            } catch let refused as UseCaseError {
                #expect(refused.kind == .notFound)
            }
            let log = try await store.read { try await $0.auditLog(tenant: "t1") }.map(\.action)
            #expect(log == ["key.created", "key.revoked"])
        }
    }
}
