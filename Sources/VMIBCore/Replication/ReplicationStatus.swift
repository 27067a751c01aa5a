import Foundation

/// Azure's per-region replication state.
public enum ReplicationState: String, Sendable, Hashable, Codable {
    case Unknown, Replicating, Completed, Failed
}

/// Azure's AggregatedReplicationState.
public enum AggregatedReplicationState: String, Sendable, Hashable, Codable {
    case Unknown, InProgress, Completed, Failed
}

/// Replication status of one region, in Azure's RegionalReplicationStatus shape, plus counts.
public struct RegionalReplicationStatus: Sendable, Hashable, Codable {
    public var region: String
    public var state: ReplicationState
    public var details: String
    /// 0…100.
    public var progress: Int
    public var replicasCompleted: Int
    public var replicasDesired: Int
    public var retries: Int
    /// When the region's replicas were last all proven: the oldest lastVerifiedAt of its
    /// Completed replicas (nil when none has been verified).
    public var lastVerifiedAt: Date?
}

/// Azure's ReplicationStatus: the aggregated state and one summary per target region.
public struct ReplicationStatus: Sendable, Hashable, Codable {
    public var aggregatedState: AggregatedReplicationState
    public var summary: [RegionalReplicationStatus]

    /// Derives the status from desired state (target regions) and actual state (replicas).
    /// Pure: the status is never stored, so it can never disagree with the replicas.
    /// - Parameter mode: a Shallow version's details say its replica is a reference.
    public init(targets: [TargetRegion], replicas: [Replica], sizeBytes: Int64, mode: ReplicationMode = .Full) {
        summary = targets.map { target in
            let mine = replicas.filter { $0.region == target.name && $0.index <= target.regionalReplicaCount }
                .sorted { $0.index < $1.index }
            let completed = mine.filter { $0.state == .Completed && $0.storageAccountType == target.storageAccountType }.count
            let surplus = replicas.filter { $0.region == target.name && $0.index > target.regionalReplicaCount }.count
            let failed = mine.filter { $0.state == .Failed }
            let retries = replicas.filter { $0.region == target.name }.reduce(0) { $0 + $1.retries }
            let total = Double(max(sizeBytes, 1)) * Double(target.regionalReplicaCount)
            let done = mine.reduce(0.0) { acc, r in
                acc + Double(r.state == .Completed ? max(sizeBytes, 1) : min(r.bytesDone, sizeBytes))
            }
            var state: ReplicationState
            var details = "\(completed)/\(target.regionalReplicaCount) replicas completed"
            if !failed.isEmpty {
                state = .Failed
                let f = failed[0]
                details += "; replica \(f.index) failed after \(f.attempts) attempt\(f.attempts == 1 ? "" : "s"): \(f.lastError ?? "unknown error")"
            } else if completed == target.regionalReplicaCount {
                state = .Completed
                if mode == .Shallow { details += "; shallow: a reference to the origin copy of the disk, no bytes copied to the region" }
            } else {
                state = .Replicating
                if let last = mine.compactMap(\.lastError).last { details += "; retrying after: \(last)" }
            }
            if surplus > 0 {
                if state == .Completed { state = .Replicating }
                details += "; removing \(surplus) surplus replica\(surplus == 1 ? "" : "s")"
            }
            if retries > 0 { details += "; \(retries) retr\(retries == 1 ? "y" : "ies")" }
            // Where the region's bytes came from, once a delta upload copied some from an
            // earlier version's object (a whole upload's figures are the disk's size).
            let made = mine.filter { $0.state == .Completed }
            let earlier = made.compactMap(\.earlierVersionBytes).reduce(0, +)
            let link = made.compactMap(\.linkBytes).reduce(0, +)
            if let source = made.compactMap(\.linkSource).first {
                // Made by the region's agent: relayed from `source`, the rest from chunks it held.
                details += "; by the region's agent: \(link) bytes over the link from \(source), \(earlier) from chunks of earlier versions"
            } else if earlier > 0 {
                details += "; \(link) bytes over the link, \(earlier) from earlier versions"
            }
            let progress = state == .Completed ? 100 : min(99, Int(done / total * 100))
            let verified = mine.filter { $0.state == .Completed }.compactMap(\.lastVerifiedAt).min()
            return RegionalReplicationStatus(region: target.name, state: state, details: details,
                                             progress: progress, replicasCompleted: completed,
                                             replicasDesired: target.regionalReplicaCount, retries: retries,
                                             lastVerifiedAt: verified)
        }
        // Regions no longer targeted whose replicas are still being removed.
        let targeted = Set(targets.map(\.name))
        for region in Set(replicas.map(\.region)).subtracting(targeted).sorted() {
            let left = replicas.filter { $0.region == region }.count
            summary.append(RegionalReplicationStatus(
                region: region, state: .Replicating,
                details: "removing \(left) replica\(left == 1 ? "" : "s"): no longer a target region",
                progress: 0, replicasCompleted: 0, replicasDesired: 0, retries: 0))
        }
        if summary.isEmpty {
            aggregatedState = .Unknown
        } else if summary.contains(where: { $0.state == .Failed }) {
            aggregatedState = .Failed
        } else if summary.allSatisfy({ $0.state == .Completed }) {
            aggregatedState = .Completed
        } else {
            aggregatedState = .InProgress
        }
    }
}
