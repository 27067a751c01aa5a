/// Per-key exponential backoff for a work queue: each failure of a key doubles its wait
/// (base, 2 × base, … up to max); a success forgets it. Pure: the driver owns time.
public struct KeyedBackoff<Key: Hashable & Sendable>: Sendable {
    public var base: Duration
    public var max: Duration
    private var failures: [Key: Int] = [:]

    public init(base: Duration = .milliseconds(500), max: Duration = .seconds(60)) {
        self.base = base; self.max = max
    }

    /// Records a failure of `key` and returns how long to wait before trying it again.
    public mutating func failed(_ key: Key) -> Duration {
        let n = failures[key, default: 0]
        failures[key] = n + 1
        return Swift.min(self.max, base * Double(1 << Swift.min(n, 30)))
    }

    /// A success: the next failure starts from `base` again.
    public mutating func forget(_ key: Key) { failures[key] = nil }

    /// Failures recorded for `key` since its last success.
    public func failures(of key: Key) -> Int { failures[key, default: 0] }
}
