import Foundation
import OverdueCore

/// A clock that says what it is told: tests that call use cases at a chosen instant.
public struct FixedClock: Clock {
    /// The instant it always gives.
    public let instant: Date

    /// A clock stopped at `instant`.
    public init(instant: Date) { self.instant = instant }

    /// `instant`.
    public func now() -> Date { instant }
}
