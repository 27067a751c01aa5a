import Foundation
import VMIBCore
import VMIBService

/// Resources in Azure Resource Manager's JSON shape (`id`, `name`, `type`, `properties`),
/// so that scripts written for Azure's CLI read vmib's output unchanged.
struct GalleryView: Encodable {
    struct Properties: Encodable {
        var description: String?
        var provisioningState = "Succeeded"
    }
    var id: String
    var name: String
    var type = "Microsoft.Compute/galleries"
    var resourceGroup: String
    var properties: Properties

    init(_ g: Gallery) {
        id = g.ref.id; name = g.ref.gallery; resourceGroup = g.ref.resourceGroup
        properties = Properties(description: g.description)
    }
}

struct ImageView: Encodable {
    struct Properties: Encodable {
        var osType: String
        var osState: String
        var hyperVGeneration: String
        var identifier: ImageDefinition.Identifier
        var description: String?
        var provisioningState = "Succeeded"
    }
    var id: String
    var name: String
    var type = "Microsoft.Compute/galleries/images"
    var properties: Properties

    init(_ i: ImageDefinition) {
        id = i.ref.id; name = i.ref.image
        properties = Properties(osType: i.osType.rawValue, osState: i.osState.rawValue,
                                hyperVGeneration: i.hyperVGeneration.rawValue, identifier: i.identifier,
                                description: i.description)
    }
}

struct VersionView: Encodable {
    struct TargetRegionView: Encodable {
        var name: String
        var regionalReplicaCount: Int
        var storageAccountType: String
        var excludeFromLatest: Bool
        /// vmib: how the replica count was chosen.
        var replicaCountBasis: String
        init(_ t: TargetRegion) {
            name = t.name; regionalReplicaCount = t.regionalReplicaCount; storageAccountType = t.storageAccountType.rawValue
            excludeFromLatest = t.excludeFromLatest; replicaCountBasis = t.countBasis.description
        }
    }
    struct PublishingProfileView: Encodable {
        var targetRegions: [TargetRegionView]
        var replicaCount: Int
        var excludeFromLatest: Bool
        var publishedDate: Date
        var endOfLifeDate: Date?
    }
    struct StorageProfileView: Encodable {
        struct OSDiskImage: Encodable { var sizeInGB: Int; var sizeInBytes: Int64; var sha256: String }
        var osDiskImage: OSDiskImage
        var source: [String: String]
    }
    struct ReplicaView: Encodable {
        var region: String
        var index: Int
        var state: String
        var bytesDone: Int64
        var attempts: Int
        var retries: Int
        var lastError: String?
        var verifiedDigest: String?
        var etag: String?
        var lastVerifiedAt: Date?
    }
    struct Properties: Encodable {
        var publishingProfile: PublishingProfileView
        var storageProfile: StorageProfileView
        var provisioningState: String
        var safetyProfile: SafetyProfile
        /// vmib: Active, Deprecated or Obsolete, and the replacement.
        var lifecycle: Lifecycle
        var replicationStatus: ReplicationStatusView?
        var replicas: [ReplicaView]?
    }
    struct ReplicationStatusView: Encodable {
        struct Summary: Encodable {
            var region: String
            var state: String
            var details: String
            var progress: Int
            /// vmib: the oldest lastVerifiedAt of the region's Completed replicas.
            var lastVerifiedAt: Date?
        }
        var aggregatedState: String
        var summary: [Summary]
        init(_ s: ReplicationStatus) {
            aggregatedState = s.aggregatedState.rawValue
            summary = s.summary.map { Summary(region: $0.region, state: $0.state.rawValue, details: $0.details, progress: $0.progress,
                                     lastVerifiedAt: $0.lastVerifiedAt) }
        }
    }

    var id: String
    var name: String
    var type = "Microsoft.Compute/galleries/images/versions"
    /// The generation of the desired state, as the API's ETag header carries it
    /// (`--if-match` takes the number).
    var etag: String
    var properties: Properties

    /// - Parameter includeReplicas: add vmib's per-replica list (large at scale: 100 replicas
    ///   in each of 60 regions), beside Azure's replicationStatus.
    init(_ v: ImageVersion, details: VersionDetails? = nil, includeReplicas: Bool = false) {
        id = v.ref.id
        name = v.ref.version.description
        etag = "\"\(v.generation)\""
        let p = v.publishingProfile, s = v.storageProfile
        properties = Properties(
            publishingProfile: PublishingProfileView(targetRegions: p.targetRegions.map(TargetRegionView.init), replicaCount: p.replicaCount,
                                                     excludeFromLatest: p.excludeFromLatest, publishedDate: p.publishedDate,
                                                     endOfLifeDate: p.endOfLifeDate),
            storageProfile: StorageProfileView(
                osDiskImage: .init(sizeInGB: Int((s.sizeBytes + (1 << 30) - 1) >> 30), sizeInBytes: s.sizeBytes, sha256: s.sha256),
                source: ["uri": "file://" + s.sourcePath]),
            provisioningState: v.provisioningState.rawValue,
            safetyProfile: v.safetyProfile, lifecycle: v.lifecycle,
            replicationStatus: details.map { ReplicationStatusView($0.status) },
            replicas: details.flatMap { d in includeReplicas ? d : nil }.map { $0.replicas.map {
                ReplicaView(region: $0.region, index: $0.index, state: $0.state.rawValue, bytesDone: $0.bytesDone,
                            attempts: $0.attempts, retries: $0.retries, lastError: $0.lastError, verifiedDigest: $0.verifiedDigest,
                            etag: $0.etag, lastVerifiedAt: $0.lastVerifiedAt)
            } })
    }
}
