import Foundation
import OverdueCore
import OverdueStore

/// Makes the composer for a tenant: by default the template composer with the tenant's overrides,
/// or a model-backed one when the tenant configured `llm.provider`. The composition root passes
/// another to write messages differently (one argument of `Runtime`).
public struct ComposerFactory: Sendable {
    let make: @Sendable (TenantRules, String) -> any Composer

    /// A factory calling `make` with the tenant's rules and id.
    public init(_ make: @escaping @Sendable (TenantRules, String) -> any Composer) { self.make = make }

    /// The composer for `tenant` under `rules`.
    func composer(_ rules: TenantRules, tenant: String) -> any Composer { make(rules, tenant) }

    /// The template composer with the tenant's overrides, behind a model when `llm.provider` is set;
    /// the month's token spend comes from the messages it wrote.
    public static func standard(store: Store) -> ComposerFactory {
        ComposerFactory { rules, tenant in
            let templates = TemplateComposer(overrides: rules.templates)
            guard let configuration = LLMComposer.Configuration.from(rules.settings) else { return templates }
            let zone = rules.settings.timeZone
            return LLMComposer(
                configuration: configuration, fallback: templates,
                spent: { now in
                    let today = LocalDate(now, in: zone)
                    let month = LocalDate(year: today.year, month: today.month, day: 1)!.at(in: zone)
                    return try await store.read { try await $0.tokensSpent(tenant, since: month) }
                })
        }
    }
}
