import VMIBCore

/// Keeps a region's requests per second: each caller takes a token and sleeps on the
/// injected clock for as long as the bucket says. Tests drive it in virtual time.
public actor RequestPacer {
    private var bucket: TokenBucket
    private let clock: any Clock<Duration>
    private let now: @Sendable () -> Duration

    /// - Parameters:
    ///   - requestsPerSecond: 0 means unlimited.
    ///   - clock: sleeps happen here.
    ///   - now: the current time on `clock`, as an offset from any fixed origin.
    public init(requestsPerSecond: Double, clock: any Clock<Duration>, now: @escaping @Sendable () -> Duration) {
        self.bucket = TokenBucket(rate: requestsPerSecond, capacity: max(1, requestsPerSecond / 10), now: now())
        self.clock = clock
        self.now = now
    }

    /// Waits until one more request may go.
    public func admit() async throws {
        let wait = bucket.take(1, now: now())
        if wait > .zero { try await clock.sleep(for: wait, tolerance: nil) }
    }
}
