import Foundation
import OverdueCore
import OverdueStore

/// Tenants and their configuration as the doors read it: settings, policy, templates, the tenant's
/// own "today", and whether the database answers at all.
extension UseCases {
    /// Every tenant, by id.
    public func tenants() async throws -> [String] {
        try await store.read { try await $0.tenants() }
    }

    /// Whether tenant `id` exists.
    public func tenantExists(_ id: String) async throws -> Bool {
        try await tenants().contains(id)
    }

    /// Makes tenant `id` (with default settings and policy) unless it exists.
    public func ensureTenant(_ id: String, at: Date? = nil) async throws {
        let now = at ?? clock.now()
        try await store.write { try await $0.ensureTenant(id, now: now) }
    }

    /// Whether the database answers (the health check).
    public func databaseAnswers() async -> Bool {
        (try? await tenants()) != nil
    }

    /// The tenant's settings.
    public func settings(tenant: String) async throws -> TenantSettings {
        // From the store's rules cache: every request of the dashboard and every webhook needs them.
        try await store.rules(tenant).settings
    }

    /// The tenant's zone.
    public func timeZone(tenant: String) async throws -> TimeZone {
        try await settings(tenant: tenant).timeZone
    }

    /// The tenant's today, in its zone.
    public func today(tenant: String) async throws -> LocalDate {
        LocalDate(clock.now(), in: try await timeZone(tenant: tenant))
    }

    /// The tenant's escalation policy.
    public func policy(tenant: String) async throws -> Policy {
        try await store.rules(tenant).policy
    }

    /// The tenant's settings and policy at once.
    public func configuration(tenant: String) async throws -> (settings: TenantSettings, policy: Policy) {
        try await store.read { (try await $0.settings(tenant), try await $0.policy(tenant)) }
    }

    /// The tenant's own templates (overrides of the built-in ones).
    public func templateOverrides(tenant: String) async throws -> [TemplateOverride] {
        try await store.read { try await $0.templates(tenant) }
    }

    /// Where the virtual clock of `overdue run` stopped for the tenant, if it ran.
    public func simulationClock(tenant: String) async throws -> Date? {
        try await store.read { try await $0.simulationClock(tenant) }
    }
}
