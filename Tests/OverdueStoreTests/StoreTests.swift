import Foundation
import Testing
@testable import OverdueCore
@testable import OverdueStore
import OverdueTestSupport

/// The store conformance suite: every test runs on SQLite and, when a server is available (always in
/// CI), on PostgreSQL, each on a fresh database.
func withTenantStore(_ engine: DatabaseURL.Engine, _ body: (Store) async throws -> Void) async throws {
    try await TestDatabases.withStore(engine) { store in
        try await store.write { try await $0.ensureTenant("t1", now: Date()) }
        try await body(store)
    }
}

func invoice(_ n: String, debtor: String = "D1", cents: Int64 = 10_000) -> Invoice {
    Invoice(
        number: n, debtorID: debtor, amount: Money(minorUnits: cents, currency: .usd),
        issueDate: LocalDate.parse("2026-01-01")!, dueDate: LocalDate.parse("2026-01-31")!, proNumber: "PRO-\(n)")
}

@Suite struct StoreTests {
    @Test func databaseURLs() throws {
        #expect(try DatabaseURL("sqlite:///tmp/x.sqlite").path == "/tmp/x.sqlite")
        #expect(try DatabaseURL("sqlite://./x.sqlite").path == "./x.sqlite")
        #expect(try DatabaseURL("sqlite::memory:").path == nil)
        #expect(throws: StoreError.self) { try DatabaseURL("mysql://x") }
        #expect(try DatabaseURL("postgres://u@h/db").engine == .postgres)
    }

    @Test func postgresURLOptionsAreCheckedAndPasswordsNeverShown() throws {
        let url = try DatabaseURL("postgres://app:s3cret@db.internal:6432/overdue?pool=25&statement_timeout=15")
        #expect(url.poolSize == 25)
        #expect(url.statementTimeout == 15)
        #expect(!url.description.contains("s3cret"))
        #expect(try DatabaseURL("postgres://u@h/db").poolSize == 10)
        for bad in [
            "postgres://u:pw@h/db?pool=0", "postgres://u:pw@h/db?pool=many", "postgres://u:pw@h/db?statement_timeout=-1", "postgres://u:pw@h/db?colour=blue",
        ] {
            #expect {
                try DatabaseURL(bad)
            } throws: { error in
                let text = "\(error)"
                return !text.contains(":pw@") && (text.contains("pool") || text.contains("statement_timeout") || text.contains("colour"))
            }
        }
    }

    @Test(arguments: TestDatabases.engines) func migrationsApplyOnceEvenWhenProcessesStartTogether(engine: DatabaseURL.Engine) async throws {
        let url = try await TestDatabases.freshURL(engine)
        if engine == .postgres {
            // Several processes starting at once against a new database (a deployment's workers) all succeed.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 { group.addTask { await (try await Store.open(url)).close() } }
                try await group.waitForAll()
            }
        } else {
            // SQLite is one machine's database: `overdue migrate` (or the first command) creates it.
            await (try await Store.open(url)).close()
            await (try await Store.open(url)).close()
        }
        let again = try await Store.open(url)
        let ids = try await again.read { try await $0.rows("SELECT id FROM overdue_migrations ORDER BY id").map { try $0.int("id") } }
        #expect(ids == Migrations.all.map { Int64($0.id) })
        #expect(ids.count >= 3)
        await again.close()
    }

    @Test func postgresIsThereInCI() {
        // CI must never skip PostgreSQL: scripts/test.sh starts a throwaway server and exports its URL.
        #expect(!TestDatabases.isCI || TestDatabases.postgresAdminURL != nil, "CI=true but OVERDUE_TEST_POSTGRES_URL is not set")
    }

    @Test func postgresURLsAreParsedAndPasswordsMasked() throws {
        let url = try DatabaseURL("postgres://app:s3cret@db.internal:6543/overdue")
        #expect(url.engine == .postgres)
        #expect(url.host == "db.internal" && url.port == 6543 && url.user == "app" && url.database == "overdue")
        #expect(!url.description.contains("s3cret"))
    }

    @Test(arguments: TestDatabases.engines) func reimportingAnInvoiceUpdatesItNeverDuplicates(engine: DatabaseURL.Engine) async throws {
        try await withTenantStore(engine) { store in
            try await store.write { s in
                try await s.upsertDebtors("t1", [Debtor(id: "D1", name: "Acme")])
                try await s.upsertInvoices("t1", [invoice("INV-1"), invoice("INV-2")])
                try await s.upsertInvoices("t1", [invoice("INV-1", cents: 55_500)])
            }
            let invoices = try await store.read { try await $0.invoices("t1", debtor: "D1") }
            #expect(invoices.count == 2)
            #expect(invoices.first { $0.number == "INV-1" }?.amount.minorUnits == 55_500)
            #expect(invoices.first?.proNumber == "PRO-INV-1")
        }
    }

    @Test(arguments: TestDatabases.engines) func conversationRecordsRoundTrip(engine: DatabaseURL.Engine) async throws {
        try await withTenantStore(engine) { store in
            let now = Timestamp.parse("2026-02-03T16:00:00Z")!
            let promise = Commitment(
                id: "prm_1", kind: .promise, contactID: 7, channel: .sms, madeAt: now, date: LocalDate.parse("2026-02-06")!,
                target: Money(minorUnits: 200_000, currency: .usd), amountStated: true, reviewAt: now.addingTimeInterval(7 * 86_400),
                invoiceNumbers: ["INV-1"], messageID: "msg_in")
            let dispute = Dispute(id: "dsp_1", invoiceNumber: "INV-1", reason: .accessorial, openedAt: now, messageID: "msg_in")
            let doc = StoredDocument(
                ref: DocumentRef(id: "doc_1", invoiceNumber: "INV-1", kind: .pod, filename: "pod.pdf", contentType: "application/pdf", size: 10, sha256: "ab"),
                debtorID: "D1", path: "t1/ab.pdf", token: "tok-\(UUID().uuidString)", createdAt: now)
            try await store.write { s in
                try await s.upsertDebtors("t1", [Debtor(id: "D1", name: "Acme")])
                try await s.insertCommitment("t1", debtor: "D1", promise)
                try await s.insertCommitment("t1", debtor: "D1", promise)  // once per id
                try await s.insertDispute("t1", debtor: "D1", dispute)
                try await s.insertDocument("t1", doc)
                try await s.addInboxItem("t1", debtor: "D1", kind: .draft, reason: Reason("approve", "waits"), messageID: "msg_in", draftID: "msg_out", at: now)
                try await s.saveTemplate("t1", TemplateOverride(name: "help", channel: .sms, subject: nil, body: "Call us"), now: now)
            }
            #expect(try await store.read { try await $0.commitments("t1", debtor: "D1") } == [promise])
            #expect(try await store.read { try await $0.disputes("t1", debtor: "D1") } == [dispute])
            #expect(try await store.read { try await $0.document(token: doc.token) }?.document == doc)
            #expect(try await store.read { try await $0.templates("t1") }.map(\.body) == ["Call us"])
            try await store.write { s in
                try await s.settleCommitment("t1", id: "prm_1", status: .broken, reason: Reason("promise_broken", "x"), at: now)
                #expect(try await s.resolveDispute("t1", id: "dsp_1", resolution: "credited", at: now) == "D1")
                #expect(try await s.resolveDispute("t1", id: "dsp_1", resolution: "again", at: now) == nil)
                try await s.resolveInbox("t1", draftID: "msg_out", resolution: "approved", at: now)
                #expect(try await s.deleteTemplate("t1", name: "help", channel: .sms))
            }
            #expect(try await store.read { try await $0.commitments("t1", debtor: "D1") }.map(\.status) == [.broken])
            #expect(try await store.read { try await $0.disputes("t1", openOnly: true) }.isEmpty)
            #expect(try await store.read { try await $0.inbox("t1") }.isEmpty)
            #expect(try await store.read { try await $0.inbox("t1", includeResolved: true) }.map(\.resolution) == ["approved"])
            #expect(try await store.read { try await $0.templates("t1") }.isEmpty)
        }
    }

    @Test(arguments: TestDatabases.engines) func tenantsAreIsolated(engine: DatabaseURL.Engine) async throws {
        try await withTenantStore(engine) { store in
            try await store.write { s in
                try await s.ensureTenant("t2", now: Date())
                try await s.upsertDebtors("t1", [Debtor(id: "D1", name: "Acme")])
                try await s.upsertInvoices("t1", [invoice("INV-1")])
            }
            #expect(try await store.read { try await $0.invoices("t2", debtor: "D1") }.isEmpty)
            #expect(try await store.read { try await $0.debtors("t2") }.isEmpty)
        }
    }

    @Test(arguments: TestDatabases.engines) func aFailedTransactionWritesNothing(engine: DatabaseURL.Engine) async throws {
        struct Boom: Error {}
        try await withTenantStore(engine) { store in
            var failed = false
            do {
                try await store.write { s in
                    try await s.upsertDebtors("t1", [Debtor(id: "D1", name: "Acme")])
                    throw Boom()
                }
            } catch is Boom {
                failed = true
            }
            #expect(failed)
            #expect(try await store.read { try await $0.debtors("t1") }.isEmpty)
        }
    }

    @Test(arguments: TestDatabases.engines) func bulkInsertSpansManyStatements(engine: DatabaseURL.Engine) async throws {
        try await withTenantStore(engine) { store in
            let many = (0..<7_000).map { invoice("INV-\($0)") }
            try await store.write { s in
                try await s.upsertDebtors("t1", [Debtor(id: "D1", name: "Acme")])
                try await s.upsertInvoices("t1", many)
            }
            #expect(try await store.read { try await $0.invoiceCount("t1") } == 7_000)
        }
    }

    @Test(arguments: TestDatabases.engines) func messagesAreIdempotentByKey(engine: DatabaseURL.Engine) async throws {
        try await withTenantStore(engine) { store in
            let m = MessageRecord(
                id: "m1", key: "D1/c1/p0", direction: .outbound, channel: .email, at: Date(timeIntervalSince1970: 0),
                debtorID: "D1", contactID: 1, contactName: "Dana", to: "d@x.example", from: "ar@y.example",
                invoiceNumbers: ["INV-1"], stage: 1, attempt: 1, kind: "reminder", subject: "s", body: "b", status: .pending)
            let first = try await store.write { try await $0.insertMessage("t1", m) }
            var again = m
            again.id = "m2"
            let second = try await store.write { try await $0.insertMessage("t1", again) }
            #expect(first && !second)
            #expect(try await store.read { try await $0.messages("t1") }.map(\.id) == ["m1"])
        }
    }

    @Test(arguments: TestDatabases.engines) func jobsClaimInDueOrderAndFenceStaleWorkers(engine: DatabaseURL.Engine) async throws {
        try await withTenantStore(engine) { store in
            let t0 = Timestamp.parse("2026-01-01T00:00:00Z")!
            try await store.write { s in
                try await s.schedule("t1", subjects: ["B"], at: t0.addingTimeInterval(60), mode: .replace)
                try await s.schedule("t1", subjects: ["A"], at: t0.addingTimeInterval(120), mode: .replace)
                try await s.schedule("t1", subjects: ["A"], at: t0.addingTimeInterval(30), mode: .earliest)
                try await s.schedule("t1", subjects: ["B"], at: t0.addingTimeInterval(600), mode: .earliest)
            }
            let wall = Date()
            let first = try await store.write {
                try await $0.claimNextJob(tenant: "t1", until: t0.addingTimeInterval(1000), owner: "w1", leaseNow: wall, leaseSeconds: 60)
            }
            #expect(first?.subject == "A")
            // A second worker cannot take the leased job; it gets the next one.
            let second = try await store.write {
                try await $0.claimNextJob(tenant: "t1", until: t0.addingTimeInterval(1000), owner: "w2", leaseNow: wall, leaseSeconds: 60)
            }
            #expect(second?.subject == "B")
            // After the lease expires another worker takes A over; the first worker's completion is refused.
            let takeover = try await store.write {
                try await $0.claimNextJob(
                    tenant: "t1", until: t0.addingTimeInterval(1000), owner: "w3", leaseNow: wall.addingTimeInterval(61), leaseSeconds: 60)
            }
            #expect(takeover?.subject == "A")
            let stale = try await store.write { try await $0.completeJob(first!, next: nil) }
            #expect(!stale)
            let fresh = try await store.write { try await $0.completeJob(takeover!, next: t0.addingTimeInterval(5000)) }
            #expect(fresh)
        }
    }

    @Test(arguments: TestDatabases.engines) func aCaseAskedForAgainWhileWorkedIsNotForgotten(engine: DatabaseURL.Engine) async throws {
        try await withTenantStore(engine) { store in
            let t0 = Timestamp.parse("2026-01-01T00:00:00Z")!
            let wall = Date()
            try await store.write { try await $0.schedule("t1", subjects: ["D1", "D2"], at: t0, mode: .replace) }
            let d1 = try await store.write { try await $0.claimNextJob(tenant: "t1", until: t0, owner: "w", leaseNow: wall, leaseSeconds: 60) }
            let d2 = try await store.write { try await $0.claimNextJob(tenant: "t1", until: t0, owner: "w", leaseNow: wall, leaseSeconds: 60) }
            // While both are worked, new data arrives for both (an import schedules them again).
            try await store.write { try await $0.schedule("t1", subjects: ["D1", "D2"], at: t0.addingTimeInterval(5), mode: .replace) }
            // The worker saw the old data: it would delete D1's job and postpone D2's by a day.
            #expect(try await store.write { try await $0.completeJob(d1!, next: nil) })
            #expect(try await store.write { try await $0.completeJob(d2!, next: t0.addingTimeInterval(86_400)) })
            // Both are still due at the newer request's time, free to be claimed.
            var again: [String] = []
            while let j = try await store.write({
                try await $0.claimNextJob(tenant: "t1", until: t0.addingTimeInterval(5), owner: "w2", leaseNow: wall, leaseSeconds: 60)
            }) {
                again.append(j.subject)
                #expect(j.dueAt == t0.addingTimeInterval(5))
            }
            #expect(again.sorted() == ["D1", "D2"])
        }
    }

    @Test(arguments: TestDatabases.engines) func jobsAreClaimedAndCompletedInBatchesWithTheSameRules(engine: DatabaseURL.Engine) async throws {
        try await withTenantStore(engine) { store in
            let t0 = Timestamp.parse("2026-01-01T00:00:00Z")!
            let wall = Date()
            try await store.write { s in
                try await s.schedule("t1", subjects: ["A", "B", "C"], at: t0, mode: .replace)
                try await s.schedule("t1", subjects: ["D", "E"], at: t0.addingTimeInterval(60), mode: .replace)
            }
            // A virtual-clock batch stops at the first instant; a wall-clock one takes what is due.
            let first = try await store.write {
                try await $0.claimJobs(
                    tenant: "t1", until: t0.addingTimeInterval(600), owner: "w1", leaseNow: wall, leaseSeconds: 60, limit: 10, sameInstant: true)
            }
            #expect(first.map(\.subject) == ["A", "B", "C"])
            // Another worker never gets a leased job.
            let second = try await store.write {
                try await $0.claimJobs(tenant: nil, until: t0.addingTimeInterval(600), owner: "w2", leaseNow: wall, leaseSeconds: 60, limit: 10)
            }
            #expect(second.map(\.subject) == ["D", "E"])
            #expect(Set(first.map(\.fence) + second.map(\.fence)) == [1])
            // Lease extension keeps the batch; after the leases run out a third worker takes A, B and C over.
            #expect(try await store.write { try await $0.extendLeases(first, until: wall.addingTimeInterval(30)) }.isEmpty)
            let takeover = try await store.write {
                try await $0.claimJobs(
                    tenant: "t1", until: t0.addingTimeInterval(10), owner: "w3", leaseNow: wall.addingTimeInterval(31), leaseSeconds: 60, limit: 10)
            }
            #expect(takeover.map(\.subject) == ["A", "B", "C"])
            #expect(takeover.map(\.fence) == [2, 2, 2])
            #expect(try await store.write { try await $0.extendLeases(first, until: wall.addingTimeInterval(90)) } == Set(first.map(\.id)))
            // B is asked for again (new data) while the third worker has it.
            try await store.write { try await $0.schedule("t1", subjects: ["B"], at: t0.addingTimeInterval(5), mode: .replace) }
            // The first worker's completions are all refused (stale fences); the new owner's hold.
            let stale = try await store.write { try await $0.completeJobs(first.map { ($0, nil) }) }
            #expect(stale == [false, false, false])
            let kept = try await store.write {
                try await $0.completeJobs([(takeover[0], nil), (takeover[1], t0.addingTimeInterval(86_400)), (takeover[2], t0.addingTimeInterval(7200))])
            }
            #expect(kept == [true, true, true])
            // D and E are given back by a worker shutting down: free at once, the claim not counted as a try.
            try await store.write { try await $0.releaseJobs(second) }
            // A late heartbeat of the worker that gave them back does not lease them again.
            let late = try await store.write { try await $0.extendLeases(second, until: wall.addingTimeInterval(600), owner: "w2") }
            #expect(late == Set(second.map(\.id)))
            let rest = try await store.write {
                try await $0.claimJobs(tenant: "t1", until: t0.addingTimeInterval(86_400), owner: "w4", leaseNow: wall, leaseSeconds: 60, limit: 10)
            }
            // A is done; B keeps the newer request's time over the day it was completed with; C moved.
            #expect(rest.map(\.subject) == ["B", "D", "E", "C"])
            #expect(rest.map(\.dueAt) == [5, 60, 60, 7200].map { t0.addingTimeInterval($0) })
            #expect(rest.map(\.attempts) == [1, 1, 1, 1])
        }
    }

    @Test(arguments: TestDatabases.engines) func idleWorkersKnowWhenTheNextJobOrLeaseExpiryIs(engine: DatabaseURL.Engine) async throws {
        try await withTenantStore(engine) { store in
            let wall = Timestamp.parse("2026-03-01T12:00:00Z")!
            #expect(try await store.read { try await $0.nextJobAvailable(leaseNow: wall) } == nil)
            try await store.write { try await $0.schedule("t1", subjects: ["A"], at: wall.addingTimeInterval(300), mode: .replace) }
            try await store.write { try await $0.schedule("t1", subjects: ["B"], at: wall.addingTimeInterval(-10), mode: .replace) }
            #expect(try await store.read { try await $0.nextJobAvailable(leaseNow: wall) } == wall.addingTimeInterval(-10))
            // B is taken with a 60 s lease: next is its lease expiry (a dead worker's case is rescued then), before A.
            let b = try await store.write { try await $0.claimNextJob(tenant: nil, until: wall, owner: "w", leaseNow: wall, leaseSeconds: 60) }
            #expect(b?.subject == "B")
            #expect(try await store.read { try await $0.nextJobAvailable(leaseNow: wall) } == wall.addingTimeInterval(61))
            // A heartbeat moves the expiry; a worker that lost the lease cannot extend it.
            #expect(try await store.write { try await $0.extendLease(b!, until: wall.addingTimeInterval(400)) })
            #expect(try await store.read { try await $0.nextJobAvailable(leaseNow: wall) } == wall.addingTimeInterval(300))
            var stale = b!
            stale.fence -= 1
            #expect(try await store.write { try await $0.extendLease(stale, until: wall.addingTimeInterval(900)) } == false)
        }
    }

    @Test func retriesBackOffExponentiallyWithJitterThenDeadLetter() {
        let retry = JobRetry()
        #expect(retry.delay(afterAttempt: 1, jitter: 0.999)! > 9.9)
        #expect(retry.delay(afterAttempt: 1, jitter: 0) == 5)
        #expect(retry.delay(afterAttempt: 3, jitter: 0.999)! > 39.9)
        #expect(retry.delay(afterAttempt: 7, jitter: 0.999)! <= 3600)
        #expect(retry.delay(afterAttempt: 8, jitter: 0.5) == nil)
    }

    @Test(arguments: TestDatabases.engines) func failedJobsRetryThenGoToTheDeadLetterQueue(engine: DatabaseURL.Engine) async throws {
        try await withTenantStore(engine) { store in
            let t0 = Timestamp.parse("2026-01-01T00:00:00Z")!
            try await store.write { try await $0.schedule("t1", subjects: ["D1"], at: t0, mode: .replace) }
            var retry = JobRetry()
            retry.maxAttempts = 2
            var now = t0
            // First failure: retried later, not claimable before then.
            let first = try await store.write { try await $0.claimNextJob(tenant: "t1", until: now, owner: "w", leaseNow: now, leaseSeconds: 60) }
            let again = try await store.write { try await $0.failJob(first!, error: "boom 1", now: now, retry: retry, jitter: 0.5) }
            #expect(again != nil)
            #expect(try await store.write { try await $0.claimNextJob(tenant: "t1", until: now, owner: "w", leaseNow: now, leaseSeconds: 60) } == nil)
            // Second failure: dead-lettered with its error, never claimed again.
            now = again!
            let second = try await store.write { try await $0.claimNextJob(tenant: "t1", until: now, owner: "w", leaseNow: now, leaseSeconds: 60) }
            #expect(second?.attempts == 2)
            #expect(try await store.write { try await $0.failJob(second!, error: "boom 2", now: now, retry: retry, jitter: 0.5) } == nil)
            #expect(
                try await store.write {
                    try await $0.claimNextJob(tenant: "t1", until: now.addingTimeInterval(86_400), owner: "w", leaseNow: now, leaseSeconds: 60)
                } == nil)
            let dead = try await store.read { try await $0.deadJobs("t1") }
            #expect(dead.map(\.subject) == ["D1"])
            #expect(dead.first?.error == "boom 2")
            // Rescheduling (new data for the debtor) revives it.
            try await store.write { try await $0.schedule("t1", subjects: ["D1"], at: now, mode: .earliest) }
            #expect(try await store.read { try await $0.deadJobs("t1") }.isEmpty)
        }
    }

    @Test(arguments: TestDatabases.engines) func settingsAndPolicyPersist(engine: DatabaseURL.Engine) async throws {
        try await withTenantStore(engine) { store in
            var settings = TenantSettings()
            try settings.set("company.name", "Prairie Line")
            let policy = Policy(name: "short", startAfterDueDays: 2, stages: [.init(channel: .sms, attempts: 1, delayDays: 1)], onExhausted: .restart)
            try await store.write { s in
                try await s.saveSettings("t1", settings)
                try await s.savePolicy("t1", policy)
            }
            #expect(try await store.read { try await $0.settings("t1") }.companyName == "Prairie Line")
            #expect(try await store.read { try await $0.policy("t1") } == policy)
        }
    }
}
