import Foundation

/// One step towards a region's desired state.
public enum ReplicaAction: Sendable, Hashable {
    /// Record a wanted replica that has no record yet (state Pending).
    case record(index: Int)
    /// Upload the origin's bytes: the region's first replica.
    case upload(index: Int)
    /// Copy server-side from a verified replica in the same region.
    case copy(index: Int, from: Int)
    /// Remove a replica that is no longer wanted (its object, then its record).
    case delete(index: Int)
    /// The region's storage account type changed: remove the object from the old store and
    /// requeue the record, Pending, in the new type.
    case retype(index: Int)
}

/// Decides what to do next in one region, from desired and actual state alone. Pure.
///
/// The first replica in a region is uploaded from the origin; every later one is a
/// server-side copy of the first verified replica there, so each region's link carries
/// the image once. A failed replica is left alone (the region is Failed) until a user
/// asks for a reconcile, which requeues it.
public enum ReplicationPlanner {
    /// - Parameters:
    ///   - target: the desired state of the region.
    ///   - replicas: the region's replica records.
    ///   - inFlight: indices whose transfer is running now.
    ///   A region no longer targeted is passed with `regionalReplicaCount` 0: every replica goes.
    public static func next(for target: TargetRegion, replicas: [Replica], inFlight: Set<Int> = []) -> [ReplicaAction] {
        let wanted = 1..<(target.regionalReplicaCount + 1)
        let byIndex = Dictionary(replicas.map { ($0.index, $0) }, uniquingKeysWith: { a, _ in a })
        var actions: [ReplicaAction] = wanted.filter { byIndex[$0] == nil }.map { .record(index: $0) }
        actions += replicas.filter { !wanted.contains($0.index) && !inFlight.contains($0.index) }
            .map(\.index).sorted().map { .delete(index: $0) }
        actions += replicas.filter { wanted.contains($0.index) && !inFlight.contains($0.index)
            && $0.storageAccountType != target.storageAccountType }
            .map(\.index).sorted().map { .retype(index: $0) }
        if actions.contains(where: { if case .retype = $0 { true } else { false } }) { return actions }
        // Records first: transfers are planned from persisted records only.
        if actions.contains(where: { if case .record = $0 { true } else { false } }) { return actions }

        let present = wanted.map { byIndex[$0] ?? Replica(region: target.name, index: $0, storageAccountType: target.storageAccountType, updatedAt: .distantPast) }
        let open = present.filter { ($0.state == .Pending || $0.state == .Replicating) && !inFlight.contains($0.index) }
            .map(\.index)
        if let seed = present.first(where: { $0.state == .Completed }) {
            actions += open.map { .copy(index: $0, from: seed.index) }
        } else if inFlight.isEmpty, !present.contains(where: { $0.state == .Failed }), let first = open.first {
            actions.append(.upload(index: first))
        }
        return actions
    }
}
