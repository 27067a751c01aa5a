import Foundation
import VMIBCore
import VMIBService

/// An image version (Microsoft.Compute/galleries/images/versions) with, on
/// `$expand=ReplicationStatus`, its replicationStatus. `properties.vmib` carries vmib's own
/// record (and the replicas when expanded), which Azure's clients ignore.
public struct VersionResource: Codable, Sendable {
    public struct TargetRegionView: Codable, Sendable {
        public var name: String
        public var regionalReplicaCount: Int
        public var storageAccountType: String
        public var excludeFromLatest: Bool
    }
    public struct PublishingProfile: Codable, Sendable {
        public var targetRegions: [TargetRegionView]
        public var replicaCount: Int
        public var excludeFromLatest: Bool
        public var publishedDate: Date
        public var endOfLifeDate: Date?
        public var storageAccountType: String
    }
    public struct StorageProfile: Codable, Sendable {
        public struct Source: Codable, Sendable { public var uri: String }
        public struct OSDiskImage: Codable, Sendable { public var sizeInGB: Int; public var hostCaching: String }
        public var source: Source
        public var osDiskImage: OSDiskImage
    }
    public struct SafetyProfileView: Codable, Sendable {
        public var allowDeletionOfReplicatedLocations: Bool
        public var blockDeletionBeforeEndOfLife: Bool
        public var reportedForPolicyViolation: Bool
    }
    public struct ReplicationStatusView: Codable, Sendable {
        public struct Summary: Codable, Sendable { public var region: String; public var state: String; public var details: String; public var progress: Int }
        public var aggregatedState: String
        public var summary: [Summary]
    }
    public struct Extension: Codable, Sendable {
        public var version: ImageVersion
        public var replicas: [Replica]?
    }
    public struct Properties: Codable, Sendable {
        public var publishingProfile: PublishingProfile
        public var storageProfile: StorageProfile
        public var safetyProfile: SafetyProfileView
        public var provisioningState: String
        public var replicationStatus: ReplicationStatusView?
        public var vmib: Extension
    }

    public var id: String
    public var name: String
    public var type: String
    public var location: String
    public var tags: [String: String]?
    public var properties: Properties

    public init(_ v: ImageVersion, envelope: ResourceEnvelope, expanded: VersionDetails? = nil) {
        id = v.ref.id; name = v.ref.version.description; type = "Microsoft.Compute/galleries/images/versions"
        location = envelope.location; tags = envelope.tags.isEmpty ? nil : envelope.tags
        let p = v.publishingProfile, s = v.storageProfile
        properties = Properties(
            publishingProfile: PublishingProfile(
                targetRegions: p.targetRegions.map {
                    TargetRegionView(name: $0.name, regionalReplicaCount: $0.regionalReplicaCount,
                                     storageAccountType: $0.storageAccountType.rawValue, excludeFromLatest: $0.excludeFromLatest)
                },
                replicaCount: p.replicaCount, excludeFromLatest: p.excludeFromLatest, publishedDate: p.publishedDate,
                endOfLifeDate: p.endOfLifeDate,
                storageAccountType: (p.targetRegions.first?.storageAccountType ?? .Standard_LRS).rawValue),
            storageProfile: StorageProfile(source: .init(uri: "file://" + s.sourcePath),
                                           osDiskImage: .init(sizeInGB: Int((s.sizeBytes + (1 << 30) - 1) >> 30), hostCaching: "None")),
            safetyProfile: SafetyProfileView(allowDeletionOfReplicatedLocations: v.safetyProfile.allowDeletionOfReplicatedLocations,
                                             blockDeletionBeforeEndOfLife: v.safetyProfile.blockDeletionBeforeEndOfLife,
                                             reportedForPolicyViolation: false),
            provisioningState: v.provisioningState.rawValue,
            replicationStatus: expanded.map { d in
                ReplicationStatusView(aggregatedState: d.status.aggregatedState.rawValue,
                                      summary: d.status.summary.map { .init(region: $0.region, state: $0.state.rawValue, details: $0.details, progress: $0.progress) })
            },
            vmib: Extension(version: v, replicas: expanded?.replicas))
    }
}
