import Foundation
import VMIBCore

/// A target region as a user wrote it, before validation.
public struct TargetRegionRequest: Sendable, Hashable {
    public var name: String
    public var regionalReplicaCount: Int?
    public var storageAccountType: String?
    public var excludeFromLatest: Bool
    public init(name: String, regionalReplicaCount: Int? = nil, storageAccountType: String? = nil, excludeFromLatest: Bool = false) {
        self.name = name; self.regionalReplicaCount = regionalReplicaCount
        self.storageAccountType = storageAccountType; self.excludeFromLatest = excludeFromLatest
    }
}

/// `version publish`: a disk file to publish as a new version.
public struct PublishRequest: Sendable {
    public var image: ImageRef
    public var version: String
    public var disk: String
    public var targetRegions: [TargetRegionRequest]
    public var replicaCount: Int?
    public var excludeFromLatest: Bool
    public var endOfLifeDate: String?
    /// Without `endOfLifeDate`: an end of life this many calendar months (UTC) after the
    /// published date; nil: none. The API sets it by api-version (GalleryRP 2026-03-03: 6).
    public var endOfLifeMonthsAfterPublishing: Int?
    /// Regions whose replica count comes from expected concurrent VM deployments.
    public var expectedDeployments: [(region: String, deployments: Int)]
    public var safetyProfile: SafetyProfile
    /// Shallow: one replica in the source region, a reference to the origin copy; with no
    /// target regions given, that region.
    public var replicationMode: ReplicationMode

    public init(image: ImageRef, version: String, disk: String, targetRegions: [TargetRegionRequest],
                replicaCount: Int? = nil, excludeFromLatest: Bool = false, endOfLifeDate: String? = nil,
                endOfLifeMonthsAfterPublishing: Int? = nil,
                expectedDeployments: [(region: String, deployments: Int)] = [], safetyProfile: SafetyProfile = SafetyProfile(),
                replicationMode: ReplicationMode = .Full) {
        self.image = image; self.version = version; self.disk = disk; self.targetRegions = targetRegions
        self.replicaCount = replicaCount; self.excludeFromLatest = excludeFromLatest; self.endOfLifeDate = endOfLifeDate
        self.endOfLifeMonthsAfterPublishing = endOfLifeMonthsAfterPublishing
        self.expectedDeployments = expectedDeployments; self.safetyProfile = safetyProfile
        self.replicationMode = replicationMode
    }
}

/// `image create`.
public struct ImageRequest: Sendable {
    public var ref: ImageRef
    public var osType: String
    public var osState: String
    public var hyperVGeneration: String
    public var publisher: String
    public var offer: String
    public var sku: String
    public var description: String?

    public init(ref: ImageRef, osType: String, osState: String, hyperVGeneration: String = "V2",
                publisher: String, offer: String, sku: String, description: String? = nil) {
        self.ref = ref; self.osType = osType; self.osState = osState; self.hyperVGeneration = hyperVGeneration
        self.publisher = publisher; self.offer = offer; self.sku = sku; self.description = description
    }
}

/// A served region as `regions list` shows it.
public struct RegionInfo: Sendable, Codable, Hashable {
    public var name: String
    public var displayName: String
    public var geography: String
    public var buildRegion: Bool
    public var storageAccountTypes: [StorageAccountType]
    public var defaultStorageAccountType: StorageAccountType
    public var limits: RegionLimits

    public init(name: String, displayName: String, geography: String, buildRegion: Bool, storageAccountTypes: [StorageAccountType],
                defaultStorageAccountType: StorageAccountType, limits: RegionLimits) {
        self.name = name; self.displayName = displayName; self.geography = geography; self.buildRegion = buildRegion
        self.storageAccountTypes = storageAccountTypes; self.defaultStorageAccountType = defaultStorageAccountType; self.limits = limits
    }
}

