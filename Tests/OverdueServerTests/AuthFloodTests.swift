import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import OverdueCore
@testable import OverdueServer
@testable import OverdueStore

/// Issue 20, finding 10: every unauthenticated request used to write an audit entry (under the
/// chain's lock on PostgreSQL), so a flood of bad keys slowed every audited write and grew the log.
@Suite struct AuthFloodTests {
    @Test func aFloodOfBadKeysIsRefusedWithoutAnEntryEachAndCountedInTheNext() async throws {
        // One entry every 3 s once the burst of 10 is spent (the default is one every 2 s).
        try await APITests().withApp(configure: { $0.authFailuresPerMinute = 20 }) { client, store in
            var bad = HTTPFields()
            bad[.authorization] = "Bearer od_badbadbad0_" + String(repeating: "z", count: 40)
            let before = try await store.read { try await $0.auditLog() }.filter { $0.action == "auth.failed" }.count
            var answers: [HTTPResponse.Status] = []
            let started = ContinuousClock.now
            for _ in 0..<120 {
                try await client.execute(uri: "/api/v1/cases", method: .get, headers: bad) { answers.append($0.status) }
            }
            // The burst, plus one for each 3 s the flood took (the machine may be busy with other tests).
            let allowed = 10 + Int((ContinuousClock.now - started) / .seconds(3)) + 1
            let refused = answers.filter { $0 == .unauthorized }.count
            #expect(refused <= allowed && answers.filter { $0 == .tooManyRequests }.count == 120 - refused, "\(refused) answered 401, \(allowed) allowed")
            let logged = try await store.read { try await $0.auditLog() }.filter { $0.action == "auth.failed" }
            #expect(logged.count - before == refused, "\(logged.count - before) entries for \(refused) failures answered 401")
            // At least one refusal since the last entry (on a slow machine the flood's last answer may
            // have been a 401, logged), then, once the address may try again, its next failure is
            // logged with how many were not.
            var refusedSince = false
            for _ in 0..<50 where !refusedSince {
                try await client.execute(uri: "/api/v1/cases", method: .get, headers: bad) { refusedSince = $0.status == .tooManyRequests }
            }
            #expect(refusedSince)
            try await Task.sleep(for: .milliseconds(3_100))
            try await client.execute(uri: "/api/v1/cases", method: .get, headers: bad) { #expect($0.status == .unauthorized) }
            let last = try #require(try await store.read { try await $0.auditLog() }.last { $0.action == "auth.failed" })
            #expect(last.detail?.contains("more from this address refused since the last entry") == true, "\(last.detail ?? "")")
            #expect(try await store.read { try await $0.brokenAuditLink() } == nil)
            // A good key is not held back by another caller's failures.
            try await client.execute(uri: "/api/v1/cases", method: .get, headers: APITests.auth) { #expect($0.status == .ok) }
        }
    }

    /// Issue 20, finding 6: the first `X-Forwarded-For` entry is whatever the client wrote.
    @Test func theClientAddressIsTheRightMostOneNoTrustedProxyAdded() {
        let address = OverdueRequestContext.clientAddress
        // No proxy trusted: the peer, whatever the header says.
        #expect(address(["6.6.6.6"], "10.0.0.9", 0) == "10.0.0.9")
        // One proxy (the peer) appended what it saw; what the client sent before is ignored.
        #expect(address(["6.6.6.6, 203.0.113.7"], "10.0.0.9", 1) == "203.0.113.7")
        #expect(address(["6.6.6.6", "203.0.113.7"], "10.0.0.9", 1) == "203.0.113.7")
        // Two proxies: the outer one's view.
        #expect(address(["6.6.6.6, 203.0.113.7, 10.0.0.2"], "10.0.0.9", 2) == "203.0.113.7")
        // Fewer entries than proxies: the left-most there is.
        #expect(address([], "10.0.0.9", 1) == "10.0.0.9")
    }

    /// Many distinct callers (a flood from spoofed or rotating addresses) do not grow the limiter's
    /// memory without end: once a caller's bucket has refilled it is forgotten.
    @Test func theRateLimiterForgetsCallersWhoseBucketRefilled() async {
        let limiter = AuthMiddleware.RateLimiter(perMinute: 600, burst: 60)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        for i in 0..<20_000 { _ = await limiter.take("198.51.100.\(i)", now: t0) }
        #expect(await limiter.buckets.count == 20_000, "all fresh: each still limits its caller")
        // A full refill is 60 / (600 / 60) = 6 s; after it the next caller prunes the rest.
        _ = await limiter.take("203.0.113.1", now: t0.addingTimeInterval(7))
        #expect(await limiter.buckets.count == 1)
        // A caller that spent its burst is still limited until it refills.
        for _ in 0..<60 { _ = await limiter.take("203.0.113.2", now: t0.addingTimeInterval(8)) }
        #expect(await limiter.take("203.0.113.2", now: t0.addingTimeInterval(8)) != nil)
    }
}
