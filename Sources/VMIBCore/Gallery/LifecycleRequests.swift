import VMIBCore

/// `version update`: changes to a version's desired state, applied together or not at all.
public struct UpdateRequest: Sendable {
    public var ref: VersionRef
    /// Regions to add, or to change (count, storage type) when already targeted.
    public var setRegions: [TargetRegionRequest] = []
    public var removeRegions: [String] = []
    /// Replica counts from expected concurrent deployments, per region (added when new).
    public var expectedDeployments: [(region: String, deployments: Int)] = []
    public var excludeFromLatest: Bool?
    public var excludeRegionsFromLatest: [String] = []
    public var includeRegionsInLatest: [String] = []
    /// ISO 8601, or "none" to clear.
    public var endOfLifeDate: String?
    public var allowDeletionOfReplicatedLocations: Bool?
    public var blockDeletionBeforeEndOfLife: Bool?
    /// Apply only if the version is still at this generation (its ETag); nil: apply to the
    /// latest state, merging as a retry would.
    public var ifMatch: Int64?

    public init(ref: VersionRef) { self.ref = ref }
}

/// A version picked for use: what a VM deployment in `region` would run.
public struct Resolution: Sendable {
    public var version: ImageVersion
    /// Set when the version is Deprecated (still usable, with a warning).
    public var warning: String?

    public init(version: ImageVersion, warning: String? = nil) { self.version = version; self.warning = warning }
}
