import Foundation
import Testing
import OverdueCore
@testable import OverdueStore
import OverdueTestSupport

@Suite struct IdempotencyTests {
    @Test(arguments: TestDatabases.engines)
    func aKeyIsClaimedAnsweredReplayedAndForgotten(_ engine: DatabaseURL.Engine) async throws {
        let store = try await Store.open(try await TestDatabases.freshURL(engine))
        do {
            let t0 = Date(timeIntervalSince1970: 1_780_000_000)
            func begin(_ fp: String, _ at: Date) async throws -> IdempotentRequest {
                try await store.write { try await $0.beginIdempotent("acme", key: "k1", fingerprint: fp, now: at) }
            }
            try await store.write { try await $0.ensureTenant("acme", now: t0) }
            #expect(try await begin("POST /a x", t0) == .new)
            #expect(try await begin("POST /a x", t0.addingTimeInterval(1)) == .inFlight)
            try await store.write { try await $0.finishIdempotent("acme", key: "k1", status: 201, contentType: "application/json", body: "{}") }
            #expect(try await begin("POST /a x", t0.addingTimeInterval(2)) == .replay(status: 201, contentType: "application/json", body: "{}"))
            #expect(try await begin("POST /a y", t0.addingTimeInterval(3)) == .mismatch)
            #expect(try await begin("POST /a y", t0.addingTimeInterval(24 * 3600 + 1)) == .new, "forgotten after 24 h")
            // A claim never finished (the server died mid-request) is given up after five minutes.
            #expect(try await begin("POST /a y", t0.addingTimeInterval(24 * 3600 + 100)) == .inFlight)
            #expect(try await begin("POST /a z", t0.addingTimeInterval(24 * 3600 + 400)) == .new)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }
}
