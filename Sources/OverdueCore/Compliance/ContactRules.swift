import Foundation

/// The contact rules of a tenant: windows per channel and frequency caps.
public struct ContactRules: Hashable, Sendable {
    /// Window per channel, already clamped to legal limits.
    public var windows: [Channel: ContactWindow]
    /// Outbound attempts per debtor per local day across channels.
    public var maxPerDebtorPerDay: Int
    /// Call attempts per contact in any rolling 7 days.
    public var maxCallsPerContactPer7Days: Int

    /// Creates rules; SMS and voice windows are clamped to 08:00–21:00 whatever is passed.
    public init(windows: [Channel: ContactWindow], maxPerDebtorPerDay: Int = 1, maxCallsPerContactPer7Days: Int = 7) {
        var w = windows
        for c in [Channel.sms, .voice] { w[c] = (windows[c] ?? .businessHours).clamped(to: .telephoneLimit) }
        if w[.email] == nil { w[.email] = .businessHours }
        self.windows = w
        self.maxPerDebtorPerDay = maxPerDebtorPerDay
        self.maxCallsPerContactPer7Days = min(maxCallsPerContactPer7Days, 7)
    }

    /// The rules configured in `settings`.
    public init(settings: TenantSettings) {
        self.init(
            windows: Dictionary(uniqueKeysWithValues: Channel.allCases.map { ($0, settings.window(for: $0)) }),
            maxPerDebtorPerDay: settings.maxAttemptsPerDebtorPerDay,
            maxCallsPerContactPer7Days: settings.maxCallsPerContactPer7Days)
    }

    /// Defaults: Mon–Fri 08:00–18:00 everywhere, one attempt per debtor per day, seven calls a week.
    public static let standard = ContactRules(windows: [:])

    /// The window for `channel`.
    public func window(for channel: Channel) -> ContactWindow { windows[channel] ?? .businessHours }
}
