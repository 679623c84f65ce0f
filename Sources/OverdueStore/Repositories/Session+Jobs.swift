import Foundation
import OverdueCore
import SQLKit

/// A durable job: plan a debtor's case at `dueAt`.
public struct Job: Hashable, Sendable {
    /// Row id.
    public var id: Int64
    /// Tenant.
    public var tenant: String
    /// Kind, e.g. `plan`.
    public var kind: String
    /// What it is about (the debtor id for `plan`).
    public var subject: String
    /// When it falls due.
    public var dueAt: Date
    /// Fencing number: bumped on every claim; completing with a stale one fails.
    public var fence: Int64
    /// How many times it has been claimed since it last succeeded (1 on a first claim).
    public var attempts: Int
    /// The job's version when claimed: bumped by every `schedule`, so completion can tell whether
    /// the case was asked for again while it was being worked.
    public var version: Int64 = 0
}

/// When a failed job runs again: exponential backoff with jitter, then the dead-letter queue.
public struct JobRetry: Hashable, Sendable {
    /// First delay.
    public var base: Double = 10
    /// Longest delay.
    public var cap: Double = 3600
    /// Failed attempts after which a job is dead-lettered (kept with its error, never claimed again).
    public var maxAttempts: Int = 8

    /// Creates the default policy: 10 s, doubling, at most an hour, dead after 8 attempts.
    public init() {}

    /// Seconds to wait after failed attempt `attempt` (1-based); `jitter` in [0, 1) spreads retries
    /// of many jobs so they do not come back at the same instant. Nil: dead-letter it.
    public func delay(afterAttempt attempt: Int, jitter: Double) -> Double? {
        guard attempt < maxAttempts else { return nil }
        let exp = min(cap, base * pow(2, Double(max(0, attempt - 1))))
        return exp * (0.5 + 0.5 * min(max(jitter, 0), 1))
    }
}

/// When scheduling a job that exists already.
public enum ScheduleMode: Sendable {
    /// Replace its due time.
    case replace
    /// Keep whichever due time is earlier.
    case earliest
}

extension Session {
    /// The due time that means "as soon as possible".
    public static let asap = Date(timeIntervalSince1970: 0)
    /// The due time of a job made only to be leased (`leaseCase`): the case has nothing planned.
    public static let never = Timestamp.parse("9999-12-31T00:00:00Z")!

    /// Schedules (or moves) the job `kind`/`subject`.
    public func schedule(_ tenant: String, kind: String = "plan", subjects: [String], at: Date, mode: ScheduleMode) async throws {
        let update = mode == .replace ? "excluded.due_at" : "CASE WHEN excluded.due_at < jobs.due_at THEN excluded.due_at ELSE jobs.due_at END"
        try await insertMany(
            "jobs", columns: ["tenant_id", "kind", "subject", "due_at"],
            rows: subjects.map { [.text(tenant), .text(kind), .text($0), .time(at)] },
            suffix:
                "ON CONFLICT (tenant_id, kind, subject) DO UPDATE SET due_at = \(update), attempts = 0, last_error = NULL, dead_at = NULL, version = jobs.version + 1"
        )
        try await notifyWorkers()
    }

    /// Tells idle workers of other processes to look at the queue (PostgreSQL `NOTIFY`, delivered on
    /// commit; a no-op on SQLite, whose workers poll).
    public func notifyWorkers() async throws {
        notes?.workScheduled()
        guard dialect == .postgres else { return }
        try await exec("SELECT pg_notify('\(Coordinator.channel)', '')")
    }

    /// When the next job may be claimed at wall-clock `leaseNow`: the earliest due time of a free job,
    /// or the earliest expiry of a lease (whose job is then rescued). Nil when the queue is empty.
    public func nextJobAvailable(leaseNow: Date) async throws -> Date? {
        let free = try await row(
            """
            SELECT due_at FROM jobs WHERE dead_at IS NULL AND (lease_until IS NULL OR lease_until < ?) ORDER BY due_at LIMIT 1
            """, [.time(leaseNow)])?.time("due_at")
        let lease = try await row(
            """
            SELECT lease_until FROM jobs WHERE lease_until IS NOT NULL AND lease_until >= ? AND dead_at IS NULL ORDER BY lease_until LIMIT 1
            """, [.time(leaseNow)])?.time("lease_until")
        // A lease ending at second S is free once the clock passes S (leases compare with `<`).
        switch (free, lease.map { $0.addingTimeInterval(1) }) {
        case let (a?, b?): return min(a, b)
        case let (a, b): return a ?? b
        }
    }

    /// Extends the lease of a job in hand (the heartbeat of a long planning); false if it was lost.
    public func extendLease(_ job: Job, until: Date) async throws -> Bool {
        try await extendLeases([job], until: until).isEmpty
    }

    /// Re-creates the plan job of every case that has a next action but no job (a repair: nothing
    /// should lose its job, but a case must never be forgotten if one does). Returns the debtors repaired.
    public func repairMissingJobs() async throws -> [(tenant: String, debtor: String)] {
        let missing = try await rows(
            """
            SELECT c.tenant_id, c.debtor_id, c.next_action_at FROM cases c
            WHERE c.next_action_at IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.tenant_id = c.tenant_id AND j.kind = 'plan' AND j.subject = c.debtor_id)
            ORDER BY c.tenant_id, c.debtor_id LIMIT 10000
            """
        ).map { (try $0.string("tenant_id"), try $0.string("debtor_id"), try $0.time("next_action_at")) }
        for m in missing { try await schedule(m.0, subjects: [m.1], at: m.2, mode: .earliest) }
        return missing.map { ($0.0, $0.1) }
    }

    /// How many jobs, across tenants, are dead-lettered.
    public func deadJobCount() async throws -> Int {
        Int(try await row("SELECT COUNT(*) AS n FROM jobs WHERE dead_at IS NOT NULL")?.int("n") ?? 0)
    }

    /// Schedules a plan job for every debtor of the tenant.
    public func scheduleAll(_ tenant: String, at: Date, mode: ScheduleMode) async throws {
        try await schedule(tenant, subjects: try await debtors(tenant).map(\.id), at: at, mode: mode)
    }

    /// Claims the earliest job due at or before `until` (optionally of one tenant) whose lease is free
    /// at wall-clock `leaseNow`; the lease lasts `leaseSeconds`.
    public func claimNextJob(tenant: String?, until: Date, owner: String, leaseNow: Date, leaseSeconds: Double) async throws -> Job? {
        try await claimJobs(tenant: tenant, until: until, owner: owner, leaseNow: leaseNow, leaseSeconds: leaseSeconds, limit: 1).first
    }

    /// Claims up to `limit` of the earliest jobs due at or before `until` (optionally of one tenant)
    /// whose lease is free at wall-clock `leaseNow`, in one statement, each with its own lease and
    /// fence as if claimed alone; returned in due order. `sameInstant`: only jobs due at the instant
    /// of the earliest one (a virtual-clock run, where a case planned now may be due again before a
    /// later job of the batch, must keep time order).
    public func claimJobs(
        tenant: String?, until: Date, owner: String, leaseNow: Date, leaseSeconds: Double, limit: Int, sameInstant: Bool = false,
        kind: String? = nil
    ) async throws -> [Job] {
        var filter = "due_at <= ? AND (lease_until IS NULL OR lease_until < ?) AND dead_at IS NULL"
        var binds: [SQLValue] = [.time(until), .time(leaseNow)]
        if let kind { filter += " AND kind = ?"; binds.append(.text(kind)) }
        // The ORDER BY matches an index either way, so a claim never sorts the whole queue.
        var order = "due_at, tenant_id, subject"
        if let tenant { filter = "tenant_id = ? AND " + filter; binds.insert(.text(tenant), at: 0); order = "tenant_id, due_at, subject" }
        var pick = "SELECT id FROM jobs WHERE \(filter)"
        var pickBinds = binds
        if sameInstant {
            pick += " AND due_at = (SELECT due_at FROM jobs WHERE \(filter) ORDER BY \(order) LIMIT 1)"
            pickBinds += binds
        }
        let sql = """
            UPDATE jobs SET lease_owner = ?, lease_until = ?, fence = fence + 1, attempts = attempts + 1
            WHERE id IN (\(pick) ORDER BY \(order) LIMIT \(max(1, limit))\(dialect == .postgres ? " FOR UPDATE SKIP LOCKED" : ""))
            RETURNING id, tenant_id, kind, subject, due_at, fence, attempts, version
            """
        return try await rows(sql, [.text(owner), .time(leaseNow.addingTimeInterval(leaseSeconds))] + pickBinds).map { r in
            Job(
                id: try r.int("id"), tenant: try r.string("tenant_id"), kind: try r.string("kind"), subject: try r.string("subject"),
                dueAt: try r.time("due_at"), fence: try r.int("fence"), attempts: Int(try r.int("attempts")), version: try r.int("version"))
        }.sorted { ($0.dueAt, $0.tenant, $0.subject) < ($1.dueAt, $1.tenant, $1.subject) }
    }

    /// Completes a claimed job: reschedules it at `next` or deletes it; false if the lease was lost
    /// (stale fence). If the job was scheduled again while it was worked (new data for the case), that
    /// request stands: the job is kept, due at the earlier of the two times.
    @discardableResult
    public func completeJob(_ job: Job, next: Date?) async throws -> Bool {
        try await completeJobs([(job, next)])[0]
    }

    /// Completes claimed jobs as `completeJob` does each, in two statements for the batch (plus one
    /// for each job scheduled again while it was worked). Returns, in order, whether each lease held.
    @discardableResult
    public func completeJobs(_ done: [(job: Job, next: Date?)]) async throws -> [Bool] {
        guard !done.isEmpty else { return [] }
        var finished = Set<Int64>()
        let gone = done.filter { $0.next == nil }.map(\.job)
        if !gone.isEmpty {
            let tuples = gone.map { _ in "(?, ?, ?)" }.joined(separator: ", ")
            for r in try await rows(
                "DELETE FROM jobs WHERE (id, fence, version) IN (VALUES \(tuples)) RETURNING id",
                gone.flatMap { [.int($0.id), .int($0.fence), .int($0.version)] })
            {
                finished.insert(try r.int("id"))
            }
        }
        let again = done.compactMap { d in d.next.map { (job: d.job, next: $0) } }
        if !again.isEmpty {
            let tuples = again.map { _ in "(?, ?, ?, ?)" }.joined(separator: ", ")
            for r in try await rows(
                """
                UPDATE jobs SET due_at = v.column4, lease_owner = NULL, lease_until = NULL, attempts = 0, last_error = NULL
                FROM (VALUES \(tuples)) AS v WHERE jobs.id = v.column1 AND jobs.fence = v.column2 AND jobs.version = v.column3 RETURNING jobs.id
                """, again.flatMap { [.int($0.job.id), .int($0.job.fence), .int($0.job.version), .time($0.next)] })
            {
                finished.insert(try r.int("id"))
            }
        }
        var kept: [Bool] = []
        for (job, next) in done {
            if finished.contains(job.id) {
                kept.append(true)
                continue
            }
            // Asked for again while worked (or lost): the earlier time stands, if the lease held.
            let earlier =
                next.map { n -> (String, [SQLValue]) in ("CASE WHEN ? < due_at THEN ? ELSE due_at END", [.time(n), .time(n)]) }
                ?? ("due_at", [])
            kept.append(
                try await !rows(
                    """
                    UPDATE jobs SET due_at = \(earlier.0), lease_owner = NULL, lease_until = NULL, attempts = 0, last_error = NULL
                    WHERE id = ? AND fence = ? RETURNING id
                    """, earlier.1 + [.int(job.id), .int(job.fence)]
                ).isEmpty)
        }
        return kept
    }

    /// Gives back claimed jobs not worked (a lane shutting down): free at once, due when they were,
    /// the claim not counted as an attempt. Jobs whose lease was lost are left alone.
    public func releaseJobs(_ jobs: [Job]) async throws {
        guard !jobs.isEmpty else { return }
        let tuples = jobs.map { _ in "(?, ?)" }.joined(separator: ", ")
        try await exec(
            "UPDATE jobs SET lease_owner = NULL, lease_until = NULL, attempts = attempts - 1 WHERE (id, fence) IN (VALUES \(tuples))",
            jobs.flatMap { [.int($0.id), .int($0.fence)] })
    }

    /// Takes the lease of a debtor's case (its plan job, made if it has none, due when it was)
    /// whenever it falls due, so that nothing else works the case meanwhile: handling a reply holds
    /// it. Nil when another worker holds it now. Give it back with `releaseJobs`.
    public func leaseCase(_ tenant: String, debtor: String, owner: String, leaseNow: Date, leaseSeconds: Double) async throws -> Job? {
        try await exec(
            "INSERT INTO jobs (tenant_id, kind, subject, due_at) VALUES (?, 'plan', ?, ?) ON CONFLICT (tenant_id, kind, subject) DO NOTHING",
            [.text(tenant), .text(debtor), .time(Session.never)])
        return try await rows(
            """
            UPDATE jobs SET lease_owner = ?, lease_until = ?, fence = fence + 1, attempts = attempts + 1
            WHERE tenant_id = ? AND kind = 'plan' AND subject = ? AND (lease_until IS NULL OR lease_until < ?)
            RETURNING id, tenant_id, kind, subject, due_at, fence, attempts, version
            """, [.text(owner), .time(leaseNow.addingTimeInterval(leaseSeconds)), .text(tenant), .text(debtor), .time(leaseNow)]
        ).first.map { r in
            Job(
                id: try r.int("id"), tenant: try r.string("tenant_id"), kind: try r.string("kind"), subject: try r.string("subject"),
                dueAt: try r.time("due_at"), fence: try r.int("fence"), attempts: Int(try r.int("attempts")), version: try r.int("version"))
        }
    }

    /// Extends the leases of jobs in hand; returns the ids whose lease was lost. `owner`: only
    /// leases this owner still holds (a job completed, failed or given back meanwhile has none, and
    /// must not be leased again by a late heartbeat).
    public func extendLeases(_ jobs: [Job], until: Date, owner: String? = nil) async throws -> Set<Int64> {
        guard !jobs.isEmpty else { return [] }
        let tuples = jobs.map { _ in "(?, ?)" }.joined(separator: ", ")
        let held = owner == nil ? "" : " AND lease_owner = ?"
        let kept = Set(
            try await rows(
                "UPDATE jobs SET lease_until = ? WHERE (id, fence) IN (VALUES \(tuples))\(held) RETURNING id",
                [.time(until)] + jobs.flatMap { [.int($0.id), .int($0.fence)] } + (owner.map { [.text($0)] } ?? [])
            ).map { try $0.int("id") })
        return Set(jobs.map(\.id)).subtracting(kept)
    }

    /// Releases a claimed job after a failure: due again after the retry delay, or dead-lettered
    /// (kept with its error, never claimed again) once `retry` gives up. Returns the new due time, nil if dead.
    @discardableResult
    public func failJob(_ job: Job, error: String, now: Date, retry: JobRetry = JobRetry(), jitter: Double) async throws -> Date? {
        guard let delay = retry.delay(afterAttempt: job.attempts, jitter: jitter) else {
            try await exec(
                "UPDATE jobs SET lease_owner = NULL, lease_until = NULL, last_error = ?, dead_at = ? WHERE id = ? AND fence = ?",
                [.text(error), .time(now), .int(job.id), .int(job.fence)])
            return nil
        }
        let retryAt = now.addingTimeInterval(delay)
        try await exec(
            "UPDATE jobs SET lease_owner = NULL, lease_until = NULL, last_error = ?, due_at = ? WHERE id = ? AND fence = ?",
            [.text(error), .time(retryAt), .int(job.id), .int(job.fence)])
        return retryAt
    }

    /// Dead-lettered jobs of the tenant with their last error.
    public func deadJobs(_ tenant: String) async throws -> [(subject: String, error: String?, deadAt: Date)] {
        try await rows("SELECT subject, last_error, dead_at FROM jobs WHERE tenant_id = ? AND dead_at IS NOT NULL ORDER BY subject", [.text(tenant)])
            .map { (try $0.string("subject"), try $0.optString("last_error"), try $0.time("dead_at")) }
    }

    /// How many of the tenant's jobs due by `until` are leased by a live worker at wall-clock `leaseNow`.
    public func leasedJobs(_ tenant: String, until: Date, leaseNow: Date) async throws -> Int {
        Int(
            try await row(
                "SELECT COUNT(*) AS n FROM jobs WHERE tenant_id = ? AND due_at <= ? AND lease_until >= ?",
                [.text(tenant), .time(until), .time(leaseNow)])?.int("n") ?? 0)
    }
}
