import Foundation
import Testing
@testable import OverdueStore
import OverdueTestSupport

@Suite struct AuditLogTests {
    @Test(arguments: TestDatabases.engines)
    func theChainHoldsAndATamperedEntryIsFound(_ engine: DatabaseURL.Engine) async throws {
        let store = try await Store.open(try await TestDatabases.freshURL(engine))
        do {
            let t0 = Date(timeIntervalSince1970: 1_780_000_000)
            try await store.write { s in
                try await s.ensureTenant("acme", now: t0)
                for i in 0..<5 {
                    try await s.appendAudit(
                        tenant: "acme", actor: "key:ab12", action: "invoice.update", object: "INV-\(i)", outcome: "ok", ip: "10.0.0.\(i)",
                        detail: nil, at: t0.addingTimeInterval(Double(i)))
                }
            }
            let entries = try await store.read { try await $0.auditLog(tenant: "acme") }
            #expect(entries.count == 5)
            #expect(entries.first?.prevHash == String(repeating: "0", count: 64))
            #expect(zip(entries, entries.dropFirst()).allSatisfy { $0.hash == $1.prevHash })
            #expect(try await store.read { try await $0.brokenAuditLink() } == nil)
            // Someone edits entry 3's outcome in the database: the chain says where.
            try await store.write { s in try await s.exec("UPDATE audit_log SET outcome = 'denied' WHERE id = ?", [.int(entries[2].id)]) }
            #expect(try await store.read { try await $0.brokenAuditLink() }?.id == entries[2].id)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }
}
