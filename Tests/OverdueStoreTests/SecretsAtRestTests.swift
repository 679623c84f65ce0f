import Foundation
import Testing
@testable import OverdueCore
@testable import OverdueStore
import OverdueTestSupport

/// Issue 20, finding 7: provider tokens, mail passwords and second-factor secrets were plain text in
/// the database; whoever held a copy of it held them.
@Suite struct SecretsAtRestTests {
    @Test(arguments: TestDatabases.engines)
    func secretsAreSealedInTheDatabaseAndOpenOnlyWithTheMasterKey(_ engine: DatabaseURL.Engine) async throws {
        let url = try await TestDatabases.freshURL(engine)
        let key = MasterKey.random(source: "the test")
        let store = try await Store.open(url, masterKey: key)
        let token = "twilio-token-\(UUID().uuidString)"
        let totp = "JBSWY3DPEHPK3PXP\(Int.random(in: 1000...9999))"
        do {
            try await store.write { s in
                try await s.ensureTenant("acme", now: Date())
                var settings = try await s.settings("acme")
                try settings.set("twilio.auth_token", token)
                try settings.set("company.name", "Prairie Line")
                try await s.saveSettings("acme", settings)
                let user = try #require(try await s.createUser("acme", email: "ana@carrier.test", name: "Ana", role: .owner, passwordHash: "x", now: Date()))
                try await s.updateUser("acme", id: user.id, totpSecret: .some(totp))
            }
            // What the database holds: sealed, bound to its place; ordinary settings stay readable.
            let raw = try await store.read { s in
                (try await s.row("SELECT settings FROM tenants WHERE id = 'acme'")?.string("settings") ?? "")
                    + (try await s.row("SELECT totp_secret FROM users WHERE email = 'ana@carrier.test'")?.string("totp_secret") ?? "")
            }
            #expect(!raw.contains(token) && !raw.contains(totp), "\(raw)")
            #expect(raw.contains("enc:v1:") && raw.contains("Prairie Line"))
            // What the application reads: the secrets themselves.
            #expect(try await store.read { try await $0.settings("acme") }.value("twilio.auth_token") == token)
            #expect(try await store.rules("acme").settings.value("twilio.auth_token") == token)
            #expect(try await store.read { try await $0.user(email: "ana@carrier.test") }?.totpSecret == totp)
            // A sealed value moved to another tenant does not open there.
            try await store.write { s in
                try await s.ensureTenant("evil", now: Date())
                try await s.exec("UPDATE tenants SET settings = (SELECT settings FROM tenants WHERE id = 'acme') WHERE id = 'evil'")
            }
            await #expect(throws: StoreError.self) { try await store.read { try await $0.settings("evil") } }
        } catch {
            await store.close()
            throw error
        }
        await store.close()
        // Another master key cannot open the database at all.
        await #expect(throws: StoreError.self) { _ = try await Store.open(url, masterKey: MasterKey.random(source: "another key")) }
    }

    /// Issue 20, finding 7: the master key can be replaced; what it protects follows it.
    @Test(arguments: TestDatabases.engines)
    func rotatingTheMasterKeyMovesSecretsAndTheChainToTheNewKey(_ engine: DatabaseURL.Engine) async throws {
        let url = try await TestDatabases.freshURL(engine)
        let (old, new) = (MasterKey.random(source: "old"), MasterKey.random(source: "new"))
        let token = "twilio-token-\(UUID().uuidString)"
        let totp = "JBSWY3DPEHPK3PXP"
        var store = try await Store.open(url, masterKey: old)
        try await store.write { s in
            try await s.ensureTenant("acme", now: Date())
            var settings = try await s.settings("acme")
            try settings.set("twilio.auth_token", token)
            try await s.saveSettings("acme", settings)
            let user = try #require(try await s.createUser("acme", email: "ana@carrier.test", name: "Ana", role: .owner, passwordHash: "x", now: Date()))
            try await s.updateUser("acme", id: user.id, totpSecret: .some(totp))
            for i in 0..<5 { try await s.auditSystem("acme", action: "test.\(i)", object: nil, detail: "entry \(i)") }
        }
        let before = try await store.read { try await $0.auditHead() }
        let rotation = try await store.rotateMasterKey(to: new)
        #expect(rotation.secretsResealed == 2 && rotation.auditEntriesRekeyed >= 5)
        await store.close()
        // The old key is refused; the new one reads the secrets, and the chain holds under it.
        await #expect(throws: StoreError.self) { _ = try await Store.open(url, masterKey: old) }
        store = try await Store.open(url, masterKey: new)
        #expect(try await store.read { try await $0.settings("acme") }.value("twilio.auth_token") == token)
        #expect(try await store.read { try await $0.user(email: "ana@carrier.test") }?.totpSecret == totp)
        #expect(try await store.read { try await $0.brokenAuditLink() } == nil)
        let after = try await store.read { try await $0.auditHead() }
        #expect(after?.hash != before?.hash && rotation.auditHead == after.map { "\($0.id):\($0.hash)" })
        #expect(try await store.read { try await $0.auditLog() }.last?.action == "master_key.rotated")
        // A chain edited behind Overdue's back is not laundered by a rotation: refused, nothing changed.
        try await store.write { try await $0.exec("UPDATE audit_log SET detail = 'forged' WHERE action = 'test.2'") }
        await #expect(throws: StoreError.self) { _ = try await store.rotateMasterKey(to: MasterKey.random(source: "third")) }
        #expect(try await store.read { try await $0.brokenAuditLink() }?.action == "test.2")
        await store.close()
        _ = try await Store.open(url, masterKey: new).closing { _ in }
    }
}
