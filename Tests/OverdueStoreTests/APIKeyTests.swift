import Foundation
import Testing
@testable import OverdueCore
@testable import OverdueStore
import OverdueTestSupport

@Suite struct APIKeyTests {
    @Test func aPrefixIsReadEvenWhenTheSecretHoldsUnderscores() {
        let key = "od_abcdefghjk_" + "ab_cd-ef_" + String(repeating: "z", count: 30)
        #expect(APIKey.prefix(of: key) == "od_abcdefghjk")
        #expect(APIKey.prefix(of: "od_short_" + String(repeating: "z", count: 40)) == nil)
        #expect(APIKey.prefix(of: "Bearer nonsense") == nil)
    }

    @Test(arguments: TestDatabases.engines)
    func keysAreStoredHashedMatchedAndRevoked(_ engine: DatabaseURL.Engine) async throws {
        let store = try await Store.open(try await TestDatabases.freshURL(engine))
        do {
            let now = Date(timeIntervalSince1970: 1_780_000_000)
            let made = try await store.write { s in
                try await s.ensureTenant("acme", now: now)
                return try await s.createAPIKey("acme", name: "erp", role: .collector, now: now)
            }
            #expect(made.key.hasPrefix(made.record.prefix + "_"))
            #expect(try await store.read { try await $0.apiKey(matching: made.key) }?.role == .collector)
            #expect(try await store.read { try await $0.apiKey(matching: made.key + "x") } == nil)
            let stored = try await store.read { try await $0.rows("SELECT hash FROM api_keys", []).map { try $0.string("hash") } }
            #expect(stored == [APIKey.hash(made.key)] && !stored.contains(made.key))
            #expect(
                try await store.write { try await $0.revokeAPIKey("other", prefix: made.record.prefix, now: now) } == false, "another tenant cannot revoke it")
            #expect(try await store.write { try await $0.revokeAPIKey("acme", prefix: made.record.prefix, now: now) })
            #expect(try await store.read { try await $0.apiKey(matching: made.key) } == nil)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }
}
