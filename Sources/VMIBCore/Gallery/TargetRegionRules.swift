import Foundation

/// The rules of a version's target regions under one deployment: which regions and storage
/// types it serves, replica counts, and how a `version update` (UpdateRequest) merges into
/// what a version holds. Pure: the service applies it inside its read-merge-write loop, so
/// two clients changing different regions at once both keep their change.
public struct TargetRegionRules: Sendable {
    public let catalog: RegionCatalog
    public let topology: DeploymentTopology
    /// Concurrent VM deployments one replica serves (Azure advises 20).
    public let deploymentsPerReplica: Int
    /// Where a Shallow version's one replica is: the home region (see `ReplicationMode.Shallow`).
    public let sourceRegion: String

    /// - Parameter sourceRegion: the home region; nil: the topology's first region.
    public init(catalog: RegionCatalog, topology: DeploymentTopology, deploymentsPerReplica: Int, sourceRegion: String? = nil) {
        self.catalog = catalog; self.topology = topology; self.deploymentsPerReplica = deploymentsPerReplica
        self.sourceRegion = sourceRegion ?? topology.regions.first?.name ?? ""
    }

    /// Target regions as given, checked against the catalog and this deployment.
    public func validate(_ requests: [TargetRegionRequest], defaultCount: Int, field: Field = .targetRegions,
                         allowEmpty: Bool = false) throws -> [TargetRegion] {
        guard allowEmpty || !requests.isEmpty else {
            throw DomainError.invalid(field, "at least one is required (REGION[=COUNT[:STORAGE_TYPE]]); served regions: \(topology.regions.map(\.name).joined(separator: ", "))")
        }
        var seen = Set<String>()
        return try requests.map { r in
            let known = try catalog.region(named: r.name, field: field)
            guard let served = topology[known.name] else {
                throw DomainError.invalid(field, "region '\(known.name)' is not served by this deployment (topology '\(topology.name)'); served: \(topology.regions.map(\.name).joined(separator: ", "))")
            }
            guard seen.insert(known.name).inserted else {
                throw DomainError.invalid(field, "region '\(known.name)' is given twice")
            }
            let count = r.regionalReplicaCount ?? defaultCount
            guard TargetRegion.replicaCountRange.contains(count) else {
                throw DomainError.invalid(field, "\(known.name): regionalReplicaCount \(count) is out of range; allowed: 1…100")
            }
            let type = try r.storageAccountType.map { try StorageAccountType(parsing: $0, field: field) } ?? served.defaultStorageType
            guard served.spec(for: type) != nil else {
                throw DomainError.invalid(field, "region '\(known.name)' does not offer \(type.rawValue); it offers: \(served.offeredTypes.map(\.rawValue).joined(separator: ", "))")
            }
            return TargetRegion(name: known.name, regionalReplicaCount: count, storageAccountType: type,
                                excludeFromLatest: r.excludeFromLatest,
                                countBasis: r.regionalReplicaCount == nil ? .defaultReplicaCount : .explicit)
        }
    }

    /// Target regions whose counts come from expected concurrent deployments.
    public func expected(_ items: [(region: String, deployments: Int)]) throws -> [TargetRegion] {
        let per = deploymentsPerReplica
        return try items.map { item in
            guard item.deployments >= 1 else {
                throw DomainError.invalid(.expectedDeployments, "\(item.region): \(item.deployments) is out of range; allowed: a positive number of concurrent VM deployments")
            }
            let base = try validate([TargetRegionRequest(name: item.region, regionalReplicaCount: 1)], defaultCount: 1,
                                    field: .expectedDeployments)[0]
            return TargetRegion(name: base.name, regionalReplicaCount: ReplicaCountBasis.replicas(forDeployments: item.deployments, perReplica: per),
                                storageAccountType: base.storageAccountType,
                                countBasis: .expectedDeployments(item.deployments, perReplica: per))
        }
    }

    /// A new version's target regions: those given, then those counted from expected
    /// deployments (a region in both is refused).
    public func targets(of request: PublishRequest, replicaCount: Int) throws -> [TargetRegion] {
        if request.replicationMode == .Shallow { return try shallowTargets(of: request) }
        var targets = try validate(request.targetRegions, defaultCount: replicaCount, allowEmpty: !request.expectedDeployments.isEmpty)
        for d in try expected(request.expectedDeployments) {
            guard !targets.contains(where: { $0.name == d.name }) else {
                throw DomainError.invalid(.expectedDeployments, "region '\(d.name)' also has a --target-region count; give one or the other")
            }
            targets.append(d)
        }
        return targets
    }

    /// Merges a change into a version as it is now (its safety profile and publishing
    /// profile); the caller writes the result with a compare-and-set.
    /// - Returns: whether the replicas change (a region, count or storage type), so that the
    ///   version goes to Updating.
    /// - Throws: `DomainError` naming the field; `v` is then unchanged.
    public func merge(_ r: UpdateRequest, into v: inout ImageVersion) throws -> Bool {
        var safety = v.safetyProfile
        var p = v.publishingProfile
        if let allow = r.allowDeletionOfReplicatedLocations { safety.allowDeletionOfReplicatedLocations = allow }
        if let block = r.blockDeletionBeforeEndOfLife { safety.blockDeletionBeforeEndOfLife = block }

        for name in r.removeRegions {
            let region = try catalog.region(named: name, field: .removeRegions).name
            guard p.targetRegions.contains(where: { $0.name == region }) else {
                throw DomainError.invalid(.removeRegions, "region '\(region)' is not a target region of \(r.ref.version); targets: \(p.targetRegions.map(\.name).joined(separator: ", "))")
            }
            guard safety.allowDeletionOfReplicatedLocations else {
                throw DomainError(.refused, field: .removeRegions, "removing '\(region)' would delete its replicas, and version \(r.ref.version) has safetyProfile.allowDeletionOfReplicatedLocations false; set it with --allow-deletion-of-replicated-locations true")
            }
            p.targetRegions.removeAll { $0.name == region }
        }
        let set = try validate(r.setRegions, defaultCount: p.replicaCount, field: .targetRegions, allowEmpty: true)
        for (t, given) in zip(set, r.setRegions) {
            if let i = p.targetRegions.firstIndex(where: { $0.name == t.name }) {
                if given.regionalReplicaCount != nil { p.targetRegions[i].regionalReplicaCount = t.regionalReplicaCount; p.targetRegions[i].countBasis = .explicit }
                if given.storageAccountType != nil { p.targetRegions[i].storageAccountType = t.storageAccountType }
            } else {
                p.targetRegions.append(t)
            }
        }
        for d in try expected(r.expectedDeployments) {
            if let j = p.targetRegions.firstIndex(where: { $0.name == d.name }) {
                p.targetRegions[j].regionalReplicaCount = d.regionalReplicaCount
                p.targetRegions[j].countBasis = d.countBasis
            } else {
                p.targetRegions.append(d)
            }
        }
        for (names, value, field) in [(r.excludeRegionsFromLatest, true, Field.excludeRegionsFromLatest),
                                      (r.includeRegionsInLatest, false, Field.includeRegionsInLatest)] {
            for name in names {
                let region = try catalog.region(named: name, field: field).name
                guard let i = p.targetRegions.firstIndex(where: { $0.name == region }) else {
                    throw DomainError.invalid(field, "region '\(region)' is not a target region of \(r.ref.version)")
                }
                p.targetRegions[i].excludeFromLatest = value
            }
        }
        if let exclude = r.excludeFromLatest { p.excludeFromLatest = exclude }
        if let eol = r.endOfLifeDate {
            p.endOfLifeDate = eol.lowercased() == "none" ? nil : try ISO8601.parse(eol, field: .endOfLife)
        }
        guard !p.targetRegions.isEmpty else {
            throw DomainError.invalid(.removeRegions, "a version needs at least one target region")
        }
        if p.replicationMode == .Shallow { try checkShallow(r, merged: p.targetRegions, was: v.publishingProfile.targetRegions) }
        let replicasChange = p.targetRegions.map { [$0.name, "\($0.regionalReplicaCount)", $0.storageAccountType.rawValue] }
            != v.publishingProfile.targetRegions.map { [$0.name, "\($0.regionalReplicaCount)", $0.storageAccountType.rawValue] }
        v.safetyProfile = safety
        v.publishingProfile = p
        return replicasChange
    }
}
