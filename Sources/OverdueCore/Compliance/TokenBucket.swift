import Foundation

/// A token bucket: `rate` requests a second on average, bursts up to `burst`. Pure: the state
/// goes in and comes out.
public struct TokenBucket: Hashable, Sendable {
    /// Tokens left.
    public var tokens: Double
    /// When they were counted.
    public var at: Date

    /// A full bucket at `now`.
    public static func full(burst: Int, at now: Date) -> TokenBucket { TokenBucket(tokens: Double(burst), at: now) }

    /// Takes one token at `now`: the bucket after, and nil when allowed, else the seconds until a
    /// token is there (for `Retry-After`).
    public func take(now: Date, rate: Double, burst: Int) -> (TokenBucket, retryAfter: TimeInterval?) {
        let refilled = min(Double(burst), tokens + max(0, now.timeIntervalSince(at)) * rate)
        if refilled >= 1 { return (TokenBucket(tokens: refilled - 1, at: now), nil) }
        return (TokenBucket(tokens: refilled, at: now), (1 - refilled) / rate)
    }
}
