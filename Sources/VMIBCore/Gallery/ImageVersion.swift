import Foundation

/// Azure's storage account types for replicas.
public enum StorageAccountType: String, Sendable, Hashable, Codable, CaseIterable {
    case Standard_LRS, Standard_ZRS, Premium_LRS

    /// Parses a type name, naming the allowed ones when it is not one.
    public init(parsing text: String, field: String) throws {
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

    public init(name: String, regionalReplicaCount: Int, storageAccountType: StorageAccountType,
                excludeFromLatest: Bool = false) {
        self.name = name; self.regionalReplicaCount = regionalReplicaCount
        self.storageAccountType = storageAccountType; self.excludeFromLatest = excludeFromLatest
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

    public init(targetRegions: [TargetRegion], replicaCount: Int, excludeFromLatest: Bool,
                endOfLifeDate: Date?, publishedDate: Date) {
        self.targetRegions = targetRegions; self.replicaCount = replicaCount
        self.excludeFromLatest = excludeFromLatest; self.endOfLifeDate = endOfLifeDate
        self.publishedDate = publishedDate
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

/// One published build of an image definition.
public struct ImageVersion: Sendable, Hashable, Codable {
    public var ref: VersionRef
    public var publishingProfile: PublishingProfile
    public var storageProfile: StorageProfile
    public var provisioningState: ProvisioningState

    public init(ref: VersionRef, publishingProfile: PublishingProfile, storageProfile: StorageProfile,
                provisioningState: ProvisioningState) {
        self.ref = ref; self.publishingProfile = publishingProfile
        self.storageProfile = storageProfile; self.provisioningState = provisioningState
    }
}
