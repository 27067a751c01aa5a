import Foundation

/// Azure's storage account types for replicas.
public enum StorageAccountType: String, Sendable, Hashable, Codable, CaseIterable {
    case Standard_LRS, Standard_ZRS, Premium_LRS

    /// Parses a type name, naming the allowed ones when it is not one.
    public init(parsing text: String, field: Field) throws {
        guard let value = StorageAccountType(rawValue: text) else {
            throw DomainError.invalid(field, "'\(text)' is not a storage account type; allowed: \(Self.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = value
    }
}

/// Desired state of a version in one region.
public struct TargetRegion: Sendable, Hashable, Codable {
    public static let replicaCountRange = 1...100

    public var name: String
    public var regionalReplicaCount: Int
    public var storageAccountType: StorageAccountType
    public var excludeFromLatest: Bool
    /// How the replica count was chosen, for `version show`.
    public var countBasis: ReplicaCountBasis

    public init(name: String, regionalReplicaCount: Int, storageAccountType: StorageAccountType,
                excludeFromLatest: Bool = false, countBasis: ReplicaCountBasis = .explicit) {
        self.name = name; self.regionalReplicaCount = regionalReplicaCount
        self.storageAccountType = storageAccountType; self.excludeFromLatest = excludeFromLatest
        self.countBasis = countBasis
    }
}

/// Why a region has the replica count it has.
public enum ReplicaCountBasis: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A user gave the count for this region.
    case explicit
    /// The version's replicaCount applied (no count for the region).
    case defaultReplicaCount
    /// From expected concurrent VM deployments: ceil(deployments / perReplica), bounded 1…100.
    case expectedDeployments(Int, perReplica: Int)

    /// Replicas for `deployments` concurrent deployments at `perReplica` each, bounded to 1…100.
    public static func replicas(forDeployments deployments: Int, perReplica: Int) -> Int {
        let needed = (deployments + perReplica - 1) / max(perReplica, 1)
        return min(max(needed, TargetRegion.replicaCountRange.lowerBound), TargetRegion.replicaCountRange.upperBound)
    }

    public var description: String {
        switch self {
        case .explicit: "set explicitly"
        case .defaultReplicaCount: "the version's default replicaCount"
        case .expectedDeployments(let n, let per): "\(n) expected deployments at 1 replica per \(per), bounded to 1…100"
        }
    }
}

/// Where a version goes and how it is treated by `latest`.
public struct PublishingProfile: Sendable, Hashable, Codable {
    public var targetRegions: [TargetRegion]
    /// Replicas per region where a target region names no count.
    public var replicaCount: Int
    public var excludeFromLatest: Bool
    public var endOfLifeDate: Date?
    public var publishedDate: Date
    /// Fixed at creation (Azure: not updatable).
    public var replicationMode: ReplicationMode

    public init(targetRegions: [TargetRegion], replicaCount: Int, excludeFromLatest: Bool,
                endOfLifeDate: Date?, publishedDate: Date, replicationMode: ReplicationMode = .Full) {
        self.targetRegions = targetRegions; self.replicaCount = replicaCount
        self.excludeFromLatest = excludeFromLatest; self.endOfLifeDate = endOfLifeDate
        self.publishedDate = publishedDate; self.replicationMode = replicationMode
    }

    private enum CodingKeys: String, CodingKey {
        case targetRegions, replicaCount, excludeFromLatest, endOfLifeDate, publishedDate, replicationMode
    }

    /// A profile written before replication modes (a server of an earlier vmib) reads as Full.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        targetRegions = try c.decode([TargetRegion].self, forKey: .targetRegions)
        replicaCount = try c.decode(Int.self, forKey: .replicaCount)
        excludeFromLatest = try c.decode(Bool.self, forKey: .excludeFromLatest)
        endOfLifeDate = try c.decodeIfPresent(Date.self, forKey: .endOfLifeDate)
        publishedDate = try c.decode(Date.self, forKey: .publishedDate)
        replicationMode = try c.decodeIfPresent(ReplicationMode.self, forKey: .replicationMode) ?? .Full
    }
}

/// The version's source disk, as stored in the origin (content-addressed by SHA-256).
public struct StorageProfile: Sendable, Hashable, Codable {
    /// Path of the disk the user published, as given.
    public var sourcePath: String
    public var sizeBytes: Int64
    public var sha256: String
    /// Kept because S3 servers report MD5 as the ETag: it lets us check what they received.
    public var md5: String

    public init(sourcePath: String, sizeBytes: Int64, sha256: String, md5: String) {
        self.sourcePath = sourcePath; self.sizeBytes = sizeBytes; self.sha256 = sha256; self.md5 = md5
    }
}

/// Azure's GalleryProvisioningState.
public enum ProvisioningState: String, Sendable, Hashable, Codable, CaseIterable {
    case Creating, Updating, Succeeded, Failed, Deleting
}

/// Azure's safety profile: what deletions a version allows.
public struct SafetyProfile: Sendable, Hashable, Codable {
    /// Removing a target region (and deleting its replicas) is allowed only when true.
    public var allowDeletionOfReplicatedLocations: Bool
    /// Deleting the version before its endOfLifeDate is refused when true.
    public var blockDeletionBeforeEndOfLife: Bool

    public init(allowDeletionOfReplicatedLocations: Bool = false, blockDeletionBeforeEndOfLife: Bool = false) {
        self.allowDeletionOfReplicatedLocations = allowDeletionOfReplicatedLocations
        self.blockDeletionBeforeEndOfLife = blockDeletionBeforeEndOfLife
    }
}

/// Lifecycle beyond Azure, in the manner of Google's image families.
public struct Lifecycle: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        /// Usable and eligible for latest.
        case Active
        /// Still usable by name (with a warning) but never latest.
        case Deprecated
        /// Refused for new resolutions.
        case Obsolete
    }
    public var state: State
    /// The version to use instead.
    public var replacement: VersionNumber?

    public init(state: State = .Active, replacement: VersionNumber? = nil) {
        self.state = state; self.replacement = replacement
    }
}

/// One published build of an image definition.
public struct ImageVersion: Sendable, Hashable, Codable {
    public var ref: VersionRef
    public var publishingProfile: PublishingProfile
    public var storageProfile: StorageProfile
    public var provisioningState: ProvisioningState
    public var safetyProfile = SafetyProfile()
    public var lifecycle = Lifecycle()
    /// Bumped by every change of the desired state (publishing and safety profile,
    /// lifecycle, tags, a delete): the ETag of the API and the token of the controller's
    /// compare-and-set. The controller's own writes (replicas, the outcome's
    /// provisioningState) do not bump it.
    public var generation: Int64 = 1

    public init(ref: VersionRef, publishingProfile: PublishingProfile, storageProfile: StorageProfile,
                provisioningState: ProvisioningState, safetyProfile: SafetyProfile = SafetyProfile(),
                lifecycle: Lifecycle = Lifecycle(), generation: Int64 = 1) {
        self.ref = ref; self.publishingProfile = publishingProfile
        self.storageProfile = storageProfile; self.provisioningState = provisioningState
        self.safetyProfile = safetyProfile; self.lifecycle = lifecycle; self.generation = generation
    }

    public func target(_ region: String) -> TargetRegion? {
        publishingProfile.targetRegions.first { $0.name == region }
    }
}
