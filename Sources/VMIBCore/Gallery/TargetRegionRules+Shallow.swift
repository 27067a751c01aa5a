import Foundation

/// The target regions of a Shallow version: exactly the source region, with one replica.
extension TargetRegionRules {
    /// A new Shallow version's one target region: the one given (checked), else the source
    /// region.
    /// - Throws: `DomainError` naming the offending member (`targetRegions[i].name` or
    ///   `.regionalReplicaCount`), `replicaCount` or `expectedDeployments`.
    func shallowTargets(of request: PublishRequest) throws -> [TargetRegion] {
        guard request.expectedDeployments.isEmpty else {
            throw DomainError.invalid(.expectedDeployments, "a Shallow version has one replica, in the source region '\(sourceRegion)'; replica counts from expected deployments need Full replication")
        }
        if let count = request.replicaCount, count != 1 {
            throw DomainError.invalid(.replicaCount, "\(count) is not allowed: a Shallow version has one replica, in the source region '\(sourceRegion)'; allowed: 1")
        }
        let requests = request.targetRegions.isEmpty ? [TargetRegionRequest(name: sourceRegion, regionalReplicaCount: 1)] : request.targetRegions
        let targets = try validate(requests, defaultCount: 1)
        if let v = ReplicationMode.shallowViolation(regions: targets.map { ($0.name, $0.regionalReplicaCount) }, sourceRegion: sourceRegion) {
            throw DomainError.invalid(.targetRegion(v.index, v.member), v.message)
        }
        return targets
    }

    /// A change to a Shallow version must leave its one replica as it is: in the source
    /// region, one, of the same storage type (the replica is a reference, never copied).
    /// An offending region is named by its index among the change's `setRegions`.
    func checkShallow(_ r: UpdateRequest, merged: [TargetRegion], was: [TargetRegion]) throws {
        guard r.expectedDeployments.isEmpty else {
            throw DomainError.invalid(.expectedDeployments, "version \(r.ref.version) is Shallow: one replica, in the source region '\(sourceRegion)'; replica counts from expected deployments need Full replication")
        }
        func field(_ region: String, _ member: TargetRegionMember) -> Field {
            r.setRegions.firstIndex { (try? catalog.region(named: $0.name, field: .targetRegions).name) == region }
                .map { .targetRegion($0, member) } ?? .targetRegions
        }
        if let v = ReplicationMode.shallowViolation(regions: merged.map { ($0.name, $0.regionalReplicaCount) }, sourceRegion: sourceRegion) {
            throw DomainError.invalid(field(merged[v.index].name, v.member), "version \(r.ref.version): " + v.message)
        }
        if let old = was.first, let new = merged.first, old.name == new.name, old.storageAccountType != new.storageAccountType {
            throw DomainError.invalid(field(new.name, .storageAccountType), "version \(r.ref.version) is Shallow: its one replica is a reference to the origin copy, whose storage type (\(old.storageAccountType.rawValue)) cannot change; publish a Full version to choose one")
        }
    }
}
