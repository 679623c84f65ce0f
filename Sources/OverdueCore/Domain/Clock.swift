import Foundation

/// The source of "now": the wall clock live, a virtual clock in `overdue run`. Everything that
/// needs the time is given a clock; only process entry points make one.
public protocol Clock: Sendable {
    /// The current instant.
    func now() -> Date
}

/// The system clock.
public struct SystemClock: Clock {
    /// Creates the clock.
    public init() {}
    /// The wall clock now.
    public func now() -> Date { Date() }
}
