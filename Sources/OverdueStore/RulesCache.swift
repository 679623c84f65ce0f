import Foundation
import NIOConcurrencyHelpers
import OverdueCore

/// A tenant's settings, policy and template overrides: what every decision about its cases reads.
public struct TenantRules: Sendable {
    /// Settings.
    public var settings: TenantSettings
    /// Policy.
    public var policy: Policy
    /// Template overrides.
    public var templates: [TemplateOverride]

    /// Rules from their parts.
    public init(settings: TenantSettings, policy: Policy, templates: [TemplateOverride]) {
        self.settings = settings
        self.policy = policy
        self.templates = templates
    }
}

/// Each tenant's rules as last read, kept until they change. A change made through this store is
/// seen at once (the generation moves when its transaction commits); one made by another process
/// arrives as a notification on PostgreSQL (`Coordinator` passes it to `Store.forgetRules`) and,
/// as a backstop (and on SQLite, which cannot notify), after `lifetime`.
final class RulesCache: Sendable {
    private struct Entry {
        var generation: UInt64
        var loadedAt: ContinuousClock.Instant
        var rules: TenantRules
    }
    private struct State {
        var generations: [String: UInt64] = [:]
        var everyone: UInt64 = 0
        var entries: [String: Entry] = [:]
        func generation(_ tenant: String) -> UInt64 { everyone &+ (generations[tenant] ?? 0) }
    }
    private let state = NIOLockedValueBox(State())
    let lifetime: Duration

    init(lifetime: Duration) { self.lifetime = lifetime }

    /// The cached rules of `tenant`, if still current.
    func lookup(_ tenant: String) -> TenantRules? {
        state.withLockedValue { s in
            guard let e = s.entries[tenant], e.generation == s.generation(tenant), e.loadedAt.duration(to: .now) < lifetime else { return nil }
            return e.rules
        }
    }

    /// The generation to note before reading (a change committed while reading makes the read stale).
    func generation(_ tenant: String) -> UInt64 { state.withLockedValue { $0.generation(tenant) } }

    /// Keeps rules read at `generation`.
    func keep(_ rules: TenantRules, of tenant: String, readAt generation: UInt64) {
        state.withLockedValue { $0.entries[tenant] = Entry(generation: generation, loadedAt: .now, rules: rules) }
    }

    /// Drops `tenant`'s rules (every tenant's when nil).
    func forget(_ tenant: String?) {
        state.withLockedValue { s in
            if let tenant { s.generations[tenant, default: 0] &+= 1 } else { s.everyone &+= 1 }
        }
    }
}

extension Store {
    /// The tenant's rules, from this process's cache when they have not changed since they were read.
    public func rules(_ tenant: String) async throws -> TenantRules {
        if let cached = rulesCache.lookup(tenant) { return cached }
        let generation = rulesCache.generation(tenant)
        let rules = try await read { try await $0.tenantRules(tenant) }
        rulesCache.keep(rules, of: tenant, readAt: generation)
        return rules
    }

    /// Forgets cached rules of `tenant` (of every tenant when nil): another process changed them.
    public func forgetRules(of tenant: String?) { rulesCache.forget(tenant) }
}

extension Session {
    /// The tenant's settings, policy and template overrides, in one statement.
    public func tenantRules(_ tenant: String) async throws -> TenantRules {
        let templates = dialect.jsonRows(columns: ["name", "channel", "subject", "body"], "FROM templates WHERE tenant_id = ?")
        guard let r = try await row("SELECT settings, policy, \(templates) AS templates FROM tenants WHERE id = ?", [.text(tenant), .text(tenant)])
        else {
            return TenantRules(settings: TenantSettings(), policy: .standard, templates: [])
        }
        let settings = try settings(tenant, stored: try r.string("settings"))
        return TenantRules(
            settings: settings, policy: try Session.policy(tenant, stored: try r.optString("policy")),
            templates: try JSONRow.array(try r.optString("templates") ?? "[]", table: "templates").compactMap(Session.template).sorted {
                ($0.name, $0.channel.rawValue) < ($1.name, $1.channel.rawValue)
            })
    }

    /// Notes that the tenant's rules change in this transaction: this process's cache learns it on
    /// commit, other processes by a notification (PostgreSQL; delivered on commit too).
    func rulesChanged(_ tenant: String) async throws {
        if let notes { notes.rulesChanged(tenant) } else { rulesCache?.forget(tenant) }
        if dialect == .postgres { try await exec("SELECT pg_notify('\(Coordinator.channel)', ?)", [.text(Coordinator.rulesPrefix + tenant)]) }
    }
}
