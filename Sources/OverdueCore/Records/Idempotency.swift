import Foundation

/// What an `Idempotency-Key` says about a request.
public enum IdempotentRequest: Hashable, Sendable {
    /// First time: handle it, then store the answer.
    case new
    /// Seen with the same request: this was the answer.
    case replay(status: Int, contentType: String?, body: String)
    /// The key was used for a different request.
    case mismatch
    /// The first request with this key is still being handled.
    case inFlight
}
