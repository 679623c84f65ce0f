import Foundation
import Logging
import PostgresNIO

/// How the processes sharing one store learn of new work and agree on one leader.
///
/// On PostgreSQL each process keeps one extra connection outside the pool: it `LISTEN`s on
/// ``Coordinator/channel`` (every `schedule` sends a `NOTIFY` on commit, so idle workers start due work
/// at once instead of at their next poll) and holds a session-level advisory lock while it is the
/// leader. The lock dies with the connection, so when the leader's process or network dies another
/// process takes over at its next try (every ``Coordinator/leaderRetry``). A lost connection is
/// re-opened with backoff; the process is not leader while it is away.
///
/// On SQLite (one machine, usually one process) there is nobody to tell: every process is leader and
/// idle workers poll.
public actor Coordinator {
    /// The `LISTEN`/`NOTIFY` channel workers wake on.
    public static let channel = "overdue_jobs"
    /// The payload prefix of a notification that a tenant's rules changed (the tenant id follows).
    public static let rulesPrefix = "rules:"
    /// The advisory lock key the leader holds.
    public static let leaderLockKey: Int64 = 0x0_0E_D0E_0002
    /// How often a follower tries to become leader and a leader checks it still is.
    public let leaderRetry: Duration

    private let url: DatabaseURL
    private let logger: Logger
    private let rulesChanged: @Sendable (String?) -> Void
    private var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    /// Bumped on every wake-up: a worker that read it before looking at the queue and sees it changed
    /// knows it may have missed work.
    public private(set) var wakeups: UInt64 = 0
    /// Whether this process is the leader now.
    public private(set) var isLeader = false

    /// Creates the coordinator of the processes sharing `url`.
    /// `rulesChanged` hears of a tenant whose rules another process changed (nil: any tenant's may
    /// have, after notifications could have been missed).
    public init(
        url: DatabaseURL, leaderRetry: Duration = .seconds(2), logger: Logger = Logger(label: "overdue.coordinator"),
        rulesChanged: @escaping @Sendable (String?) -> Void = { _ in }
    ) {
        self.rulesChanged = rulesChanged
        self.url = url
        self.leaderRetry = leaderRetry
        self.logger = logger
    }

    /// Waits until new work is announced after `seen` (a value of ``wakeups``) or `timeout` passes.
    public func waitForWork(after seen: UInt64, timeout: Duration) async {
        guard wakeups == seen, timeout > .zero else { return }
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                waiters[id] = c
                Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    await self?.resume(id)
                }
            }
        } onCancel: {
            Task { [weak self] in await self?.resume(id) }
        }
    }

    /// Wakes every waiting worker (also used in-process when this process itself adds work).
    public func wake() {
        wakeups &+= 1
        let all = waiters
        waiters = [:]
        for c in all.values { c.resume() }
    }

    private func resume(_ id: UUID) {
        waiters.removeValue(forKey: id)?.resume()
    }

    private func setLeader(_ leader: Bool) {
        guard leader != isLeader else { return }
        isLeader = leader
        if leader { logger.notice("this process is now the leader") } else { logger.warning("this process is no longer the leader") }
    }

    /// Runs until the task is cancelled: listens for work and takes part in the leader election.
    public func run() async {
        guard url.engine == .postgres else {
            setLeader(true)
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            setLeader(false)
            return
        }
        var backoff = 0.25
        var connectionID = 1_000
        while !Task.isCancelled {
            connectionID += 1
            do {
                let conn = try await PostgresConnection.connect(configuration: url.postgresConfiguration, id: connectionID, logger: logger)
                backoff = 0.25
                do {
                    try await session(on: conn)
                } catch {
                    try? await conn.close()
                    throw error
                }
                try? await conn.close()
            } catch {
                if Task.isCancelled { break }
                logger.warning("coordination connection to \(url) lost (\(describeStoreError(error))); reconnecting in \(backoff) s")
            }
            setLeader(false)
            // Work may have been announced, or rules changed, while nobody listened.
            rulesChanged(nil)
            wake()
            try? await Task.sleep(for: .milliseconds(Int64(backoff * 1000)))
            backoff = min(backoff * 2, 5)
        }
        setLeader(false)
    }

    /// One connection's life: LISTEN, and try for (or keep checking) the leader lock, until it fails.
    private func session(on conn: PostgresConnection) async throws {
        let logger = self.logger, retry = leaderRetry
        try await conn.listen(on: Coordinator.channel) { notifications in
            // Anything announced before LISTEN took effect would be missed otherwise.
            rulesChanged(nil)
            wake()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { [weak self] in
                    for try await note in notifications {
                        if note.payload.hasPrefix(Coordinator.rulesPrefix) {
                            self?.rulesChanged(String(note.payload.dropFirst(Coordinator.rulesPrefix.count)))
                        } else {
                            await self?.wake()
                        }
                    }
                    throw CoordinatorError.listenEnded
                }
                group.addTask { [weak self] in
                    while let self, !Task.isCancelled {
                        // A statement sent on a closed connection is never answered: stop here instead.
                        if conn.isClosed { throw StoreError.connectionLost }
                        if await self.isLeader {
                            // Still connected means still holding the lock: the server drops it with the session.
                            _ = try await conn.query("SELECT 1", logger: logger).collect()
                        } else {
                            let rows = try await conn.query(
                                "SELECT pg_try_advisory_lock(\(unescaped: String(Coordinator.leaderLockKey))) AS got", logger: logger
                            ).collect()
                            if try rows.first?.decode(Bool.self) == true { await self.setLeader(true) }
                        }
                        try await Task.sleep(for: retry)
                    }
                }
                do {
                    try await group.next()
                } catch {
                    // Closing ends the notification stream, so the group can finish.
                    group.cancelAll()
                    try? await conn.close()
                    throw error
                }
                group.cancelAll()
                try? await conn.close()
            }
        }
    }
}

enum CoordinatorError: Error, CustomStringConvertible {
    case listenEnded
    var description: String { "the server ended the LISTEN stream" }
}
