import Foundation

/// What makes a version eligible as `latest`. Pure: the caller supplies the counts of
/// Completed replicas per region, so a store can answer with one cheap query per candidate.
public enum LatestPolicy {
    /// Why `version` cannot be latest in `region` (or in every target region when nil), or
    /// nil when it can.
    /// - Parameter completed: Completed replicas per region, counting only wanted indices.
    public static func disqualification(of version: ImageVersion, completed: [String: Int], region: String?, now: Date) -> String? {
        let name = "version \(version.ref.version)"
        if version.provisioningState == .Deleting { return "\(name) is being deleted" }
        if version.lifecycle.state != .Active { return "\(name) is \(version.lifecycle.state.rawValue)" }
        if version.publishingProfile.excludeFromLatest { return "\(name) is excluded from latest" }
        if let eol = version.publishingProfile.endOfLifeDate, eol <= now {
            return "\(name) is past its end of life (\(ISO8601.format(eol)))"
        }
        let regions: [TargetRegion]
        if let region {
            guard let t = version.target(region) else { return "\(name) is not replicated to \(region)" }
            regions = [t]
        } else {
            regions = version.publishingProfile.targetRegions
        }
        for t in regions {
            if t.excludeFromLatest { return "\(name) is excluded from latest in \(t.name)" }
            let done = completed[t.name] ?? 0
            if done < t.regionalReplicaCount {
                return "\(name) is not Completed in \(t.name) (\(done)/\(t.regionalReplicaCount) replicas)"
            }
        }
        return nil
    }
}
