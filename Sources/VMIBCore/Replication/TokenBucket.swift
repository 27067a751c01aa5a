/// A token bucket that lends: taking more tokens than it holds is allowed and puts it in
/// debt, and the answer is how long the taker must wait for the debt to clear. Long-run
/// throughput is exactly `rate`, whatever the chunk sizes. Pure: time is passed in.
public struct TokenBucket: Sendable, Hashable {
    /// Tokens per second; 0 means unlimited.
    public let rate: Double
    /// Tokens that may accumulate while idle (a burst).
    public let capacity: Double
    private var tokens: Double
    private var last: Duration

    public init(rate: Double, capacity: Double? = nil, now: Duration = .zero) {
        self.rate = rate
        self.capacity = capacity ?? max(rate / 10, 1)
        self.tokens = self.capacity
        self.last = now
    }

    /// Takes `count` tokens at time `now` and returns how long to wait before using them.
    public mutating func take(_ count: Double, now: Duration) -> Duration {
        guard rate > 0 else { return .zero }
        if now > last {
            let elapsed = Double((now - last).components.seconds) + Double((now - last).components.attoseconds) / 1e18
            tokens = min(capacity, tokens + elapsed * rate)
            last = now
        }
        tokens -= count
        guard tokens < 0 else { return .zero }
        return .seconds(-tokens / rate)
    }
}
