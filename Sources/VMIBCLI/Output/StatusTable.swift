import Foundation
import VMIBCore

/// The per-region replication table people read.
enum StatusTable {
    static func render(_ status: ReplicationStatus) -> String {
        var t = Table("REGION", "STATE", "PROGRESS", "REPLICAS", "LAST VERIFIED", "DETAILS")
        for s in status.summary {
            t.add(s.region, s.state.rawValue, "\(s.progress)%", "\(s.replicasCompleted)/\(s.replicasDesired)",
                  s.lastVerifiedAt.map(ISO8601.format) ?? "-", s.details)
        }
        return t.rendered + "\naggregatedState: \(status.aggregatedState.rawValue)"
    }
}
