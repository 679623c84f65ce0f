import Foundation
import OverdueCore

extension Session {
    /// Creates the tenant if it does not exist (a default tenant is created on first use).
    public func ensureTenant(_ tenant: String, now: Date) async throws {
        try await exec("INSERT INTO tenants (id, created_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING", [.text(tenant), .time(now)])
    }

    /// Every tenant id.
    public func tenants() async throws -> [String] {
        try await rows("SELECT id FROM tenants ORDER BY id").map { try $0.string("id") }
    }

    /// The tenant's settings.
    public func settings(_ tenant: String) async throws -> TenantSettings {
        guard let row = try await row("SELECT settings FROM tenants WHERE id = ?", [.text(tenant)]) else { return TenantSettings() }
        return try settings(tenant, stored: try row.string("settings"))
    }

    /// Stores the tenant's settings.
    public func saveSettings(_ tenant: String, _ settings: TenantSettings) async throws {
        try await exec("UPDATE tenants SET settings = ? WHERE id = ?", [.text(try storedSettings(tenant, settings)), .text(tenant)])
        try await rulesChanged(tenant)
    }

    /// The tenant's policy (the standard ladder when none was set).
    public func policy(_ tenant: String) async throws -> Policy {
        try Session.policy(tenant, stored: try await row("SELECT policy FROM tenants WHERE id = ?", [.text(tenant)])?.optString("policy"))
    }

    static func policy(_ tenant: String, stored text: String?) throws -> Policy {
        guard let text else { return .standard }
        do { return try Policy.parse(json: Data(text.utf8)) } catch { throw StoreError.corrupt("stored policy of tenant \(tenant): \(error)") }
    }

    /// Stores the tenant's policy.
    public func savePolicy(_ tenant: String, _ policy: Policy) async throws {
        try await exec("UPDATE tenants SET policy = ? WHERE id = ?", [.text(String(decoding: policy.jsonData(), as: UTF8.self)), .text(tenant)])
        try await rulesChanged(tenant)
    }

    /// How far the virtual clock has run for the tenant.
    public func simulationClock(_ tenant: String) async throws -> Date? {
        try await row("SELECT sim_clock FROM tenants WHERE id = ?", [.text(tenant)])?.optTime("sim_clock")
    }

    /// Records how far the virtual clock has run.
    public func setSimulationClock(_ tenant: String, _ at: Date) async throws {
        try await exec("UPDATE tenants SET sim_clock = ? WHERE id = ?", [.time(at), .text(tenant)])
    }

    static func json<T: Encodable>(_ value: T) -> String { encoded(value) }

    /// `value` as JSONEncoder writes it (keys sorted, slashes as they are).
    static func encoded<T: Encodable>(_ value: T) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? e.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }

    static func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(text.utf8)) } catch { throw StoreError.corrupt("\(T.self): \(error)") }
    }
}
