import Foundation
import Synchronization
import VMIBCore
import VMIBReplication

/// Feeds what the controller does on one version into the metrics: bytes by region,
/// retries by region and cause, transfer durations.
final class MetricsObserver: ReplicationObserver {
    private struct Key: Hashable { var region: String; var index: Int }
    private struct Seen { var bytes: Int64 = 0; var retries = 0; var started: Date? }
    private let metrics: ServerMetrics
    private let seen = Mutex<[Key: Seen]>([:])

    init(metrics: ServerMetrics) { self.metrics = metrics }

    func progressed(region: String, index: Int, bytes: Int64) {
        let delta = seen.withLock { s -> Int64 in
            let key = Key(region: region, index: index)
            let before = s[key]?.bytes ?? 0
            s[key, default: Seen()].bytes = bytes
            return max(bytes - before, 0)
        }
        metrics.transferred(bytes: delta, region: region)
    }

    func changed(_ replica: Replica) {
        let (newRetries, started) = seen.withLock { s -> (Int, Date?) in
            let key = Key(region: replica.region, index: replica.index)
            var entry = s[key, default: Seen()]
            let added = max(replica.retries - entry.retries, 0)
            entry.retries = max(entry.retries, replica.retries)
            if replica.state == .Replicating, entry.started == nil { entry.started = Date() }
            let started = entry.started
            if replica.state == .Completed || replica.state == .Failed { entry.started = nil }
            s[key] = entry
            return (added, started)
        }
        for _ in 0..<newRetries { metrics.retried(region: replica.region, cause: Self.cause(replica.lastError)) }
        if replica.state == .Completed || replica.state == .Failed, let started {
            metrics.transferFinished(region: replica.region, state: replica.state.rawValue, seconds: Date().timeIntervalSince(started))
        }
    }

    /// A small fixed set of causes, so labels stay bounded.
    static func cause(_ error: String?) -> String {
        guard let e = error?.lowercased() else { return "unknown" }
        if e.contains("429") || e.contains("503") || e.contains("throttl") || e.contains("slow down") { return "throttled" }
        if e.contains("timeout") || e.contains("timed out") { return "timeout" }
        if e.contains("connect") || e.contains("reset") || e.contains("refused") { return "connection" }
        if e.contains("digest") || e.contains("sha-256") || e.contains("checksum") || e.contains("etag") { return "verification" }
        return "other"
    }
}
