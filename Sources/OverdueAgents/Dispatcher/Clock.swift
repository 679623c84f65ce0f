import Foundation

/// The source of "now": the wall clock live, a virtual clock in `overdue run`.
public protocol Clock: Sendable {
    /// The current instant.
    func now() -> Date
}

/// The system clock.
public struct SystemClock: Clock {
    /// Creates the clock.
    public init() {}
    public func now() -> Date { Date() }
}
