/// When to try a failed transfer again: exponential backoff with full jitter, capped, for
/// a bounded number of attempts; a server's Retry-After is a floor on the wait.
public struct RetryPolicy: Sendable, Hashable {
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// Retry-After values above this are clamped, so a confused server cannot park us for a day.
    public var maxRetryAfter: Duration

    public static let `default` = RetryPolicy(maxAttempts: 6, baseDelay: .milliseconds(500),
                                              maxDelay: .seconds(30), maxRetryAfter: .seconds(300))

    public init(maxAttempts: Int, baseDelay: Duration, maxDelay: Duration, maxRetryAfter: Duration = .seconds(300)) {
        self.maxAttempts = maxAttempts; self.baseDelay = baseDelay; self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// The wait before the next attempt, or nil when `attempt` was the last one allowed.
    /// - Parameters:
    ///   - attempt: the attempt that just failed, from 1.
    ///   - retryAfter: what the server asked for, if it did.
    ///   - unit: a random number in 0..<1 (injected so tests are deterministic).
    public func delay(after attempt: Int, retryAfter: Duration?, unit: Double) -> Duration? {
        guard attempt < maxAttempts else { return nil }
        let ceiling = min(maxDelay, baseDelay * Double(1 << min(attempt - 1, 30)))
        let jittered = ceiling * max(0, min(unit, 1))
        guard let retryAfter else { return jittered }
        return max(min(retryAfter, maxRetryAfter), jittered)
    }
}
