import Synchronization

/// A value read again only once it is older than `maxAge`: /metrics is scraped by every
/// Prometheus replica and dashboard, and the census it shows may be a second old. Time
/// comes from `now`, so a test moves it instead of sleeping.
final class ExpiringValue<Value: Sendable>: Sendable {
    private struct Reading { var value: Value; var at: ContinuousClock.Instant }
    let maxAge: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private let last = Mutex<Reading?>(nil)

    init(maxAge: Duration, now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.maxAge = maxAge; self.now = now
    }

    /// The value read less than `maxAge` ago, or `read()`'s (kept when it succeeds).
    func value(reading read: () throws -> Value) rethrows -> Value {
        let t = now()
        if let r = last.withLock({ $0 }), t - r.at < maxAge { return r.value }
        let value = try read()
        last.withLock { $0 = Reading(value: value, at: t) }
        return value
    }
}
