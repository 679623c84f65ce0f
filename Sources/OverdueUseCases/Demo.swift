import Foundation
import OverdueAgents
import OverdueCore
import OverdueStore

/// The demo tenant (`overdue demo`, `overdue serve --demo`): a trucking company's book seeded once
/// and its ladder caught up to now on the virtual clock, so there is history to look at.
extension UseCases {
    /// What seeding the demo did.
    public struct DemoSeeding: Sendable {
        /// The day the data is relative to.
        public var day: LocalDate
        /// What was made (nil: the tenant already had invoices, `existingInvoices` of them).
        public var seeded: DemoTenant.Summary?
        /// Invoices the tenant had before.
        public var existingInvoices: Int
        /// The virtual-clock catch-up, when there was time to catch up.
        public var caughtUp: (from: Date, until: Date, report: RunReport)?
    }

    /// Seeds the demo book into an empty tenant (as of `asOf`, default today in Chicago) and runs
    /// its ladder on the virtual clock from where it stopped (12 days back the first time) to
    /// noon of `asOf` or now. The catch-up sends through the sandbox only: history is not mail.
    public func seedDemo(tenant: String, asOf: LocalDate?) async throws -> DemoSeeding {
        let now = clock.now()
        let existing = try await invoiceCount(tenant: tenant)
        let zone = TimeZone(identifier: "America/Chicago")!
        let day = asOf ?? LocalDate(now, in: zone)
        var result = DemoSeeding(day: day, seeded: nil, existingInvoices: existing, caughtUp: nil)
        if existing == 0 { result.seeded = try await DemoTenant(asOf: day).seed(store: store, tenant: tenant, now: now) }
        let until = asOf.map { $0.at(hour: 12, in: zone) } ?? now
        let from = try await simulationClock(tenant: tenant) ?? day.adding(days: -12).at(in: zone)
        if from < until {
            let report = try await Scheduler(store: store, processor: CaseProcessor(store: store)).simulate(tenant: tenant, from: from, until: until)
            result.caughtUp = (from, until, report)
        }
        return result
    }
}
