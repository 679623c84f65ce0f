import Foundation
import OverdueCore
import OverdueStore

/// Changing a tenant's settings: from the settings page and `overdue settings set|unset`.
extension UseCases {
    /// Applies `changes` (a nil value resets a key to its default) as `actor` (audit log), all or
    /// nothing: every key is checked (`TenantSettings.applying`), and any that fails refuses the
    /// whole change (`invalid`, one problem per key, nothing written). What changed is saved, every
    /// case of the tenant is re-planned (windows, holidays and caps change when cases may be
    /// contacted), and one audit entry records it — a single key with its value (never a secret's),
    /// several by their names. Returns the keys changed.
    @discardableResult
    public func changeSettings(
        tenant: String, _ changes: [(key: String, value: String?)], by actor: String, ip: String? = nil,
        at: Date? = nil
    ) async throws -> [String] {
        let now = at ?? clock.now()
        return try await store.write { s in
            let (settings, changed, errors) = try await s.settings(tenant).applying(changes)
            guard errors.isEmpty else { throw UseCaseError(.invalid, errors.sorted { $0.key < $1.key }.map { Problem($0.key, $0.value) }) }
            guard !changed.isEmpty else { return [] }
            try await s.saveSettings(tenant, settings)
            try await s.scheduleAll(tenant, at: Session.asap, mode: .earliest)
            if changed.count == 1, let key = changed.first, let change = changes.first(where: { $0.key.lowercased() == key }) {
                let secret = TenantSettings.definitions[key]?.secret ?? false
                try await s.appendAudit(
                    tenant: tenant, actor: actor, action: change.value == nil ? "settings.unset" : "settings.set", object: key, outcome: "ok",
                    ip: ip, detail: change.value.map { secret ? "(secret changed)" : "= \($0)" }, at: now)
            } else {
                try await s.appendAudit(
                    tenant: tenant, actor: actor, action: "settings.changed", object: "settings", outcome: "ok", ip: ip,
                    detail: changed.joined(separator: ", "), at: now)
            }
            return changed
        }
    }
}

private typealias Problem = UseCaseError.Problem
