/// How often a region's Completed replicas are re-verified (scrubbed). `0` turns a check off.
///
/// The cheap check is one HEAD per replica (exists, size, ETag against the one recorded);
/// the deep check reads the object back and re-hashes it, so it runs on a longer period.
public struct ScrubSchedule: Sendable, Hashable, Codable {
    /// Seconds between cheap checks of one replica (0: never on a schedule).
    public var intervalSeconds: Int
    /// Seconds between deep checks (full re-hash) of one replica (0: never on a schedule).
    public var deepIntervalSeconds: Int

    /// Hourly HEADs, a daily re-hash: a lost object is noticed within the hour, while
    /// reading every byte back costs one region's full size once a day.
    public static let `default` = ScrubSchedule(intervalSeconds: 3600, deepIntervalSeconds: 86_400)
    public static let off = ScrubSchedule(intervalSeconds: 0, deepIntervalSeconds: 0)

    public init(intervalSeconds: Int, deepIntervalSeconds: Int) {
        self.intervalSeconds = intervalSeconds
        self.deepIntervalSeconds = deepIntervalSeconds
    }

    /// The shorter of the two periods that is on, in seconds; nil when both are off.
    public var shortestPeriod: Int? {
        [intervalSeconds, deepIntervalSeconds].filter { $0 > 0 }.min()
    }
}
