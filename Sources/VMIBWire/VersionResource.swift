import Foundation
import VMIBCore

/// An image version (Microsoft.Compute/galleries/images/versions), with its
/// replicationStatus when asked for (`$expand=ReplicationStatus`, `version show`).
public struct VersionResource: Codable, Sendable {
    public struct TargetRegionView: Codable, Sendable {
        public var name: String
        public var regionalReplicaCount: Int
        public var storageAccountType: String
        public var excludeFromLatest: Bool
        /// vmib: how the replica count was chosen.
        public var replicaCountBasis: String
    }
    public struct PublishingProfile: Codable, Sendable {
        public var targetRegions: [TargetRegionView]
        public var replicaCount: Int
        public var excludeFromLatest: Bool
        public var publishedDate: Date
        public var endOfLifeDate: Date?
        public var storageAccountType: String
        /// Full or Shallow, as recorded when the version was created.
        public var replicationMode: String
    }
    public struct StorageProfile: Codable, Sendable {
        public struct Source: Codable, Sendable { public var uri: String }
        public struct OSDiskImage: Codable, Sendable {
            public var sizeInGB: Int
            public var hostCaching: String
            /// vmib: the exact size and digest of the disk.
            public var sizeInBytes: Int64
            public var sha256: String
        }
        public var source: Source
        public var osDiskImage: OSDiskImage
    }
    public struct SafetyProfileView: Codable, Sendable {
        public var allowDeletionOfReplicatedLocations: Bool
        public var blockDeletionBeforeEndOfLife: Bool
        public var reportedForPolicyViolation: Bool
    }
    public struct ReplicationStatusView: Codable, Sendable {
        public struct Summary: Codable, Sendable {
            public var region: String
            public var state: String
            public var details: String
            public var progress: Int
            /// vmib: the oldest lastVerifiedAt of the region's Completed replicas.
            public var lastVerifiedAt: Date?
        }
        public var aggregatedState: String
        public var summary: [Summary]
    }
    /// vmib: one replica as the controller tracks it.
    public struct ReplicaView: Codable, Sendable {
        public var region: String
        public var index: Int
        public var state: String
        public var bytesDone: Int64
        public var attempts: Int
        public var retries: Int
        public var lastError: String?
        public var verifiedDigest: String?
        public var etag: String?
        public var lastVerifiedAt: Date?
    }
    /// The API's audience: vmib's record, and the replicas when expanded.
    public struct Extension: Codable, Sendable {
        public var version: ImageVersion
        public var replicas: [Replica]?
    }
    public struct Properties: Codable, Sendable {
        public var publishingProfile: PublishingProfile
        public var storageProfile: StorageProfile
        public var safetyProfile: SafetyProfileView
        public var provisioningState: String
        /// vmib: Active, Deprecated or Obsolete, and the replacement.
        public var lifecycle: Lifecycle
        public var replicationStatus: ReplicationStatusView?
        /// The CLI's `version show --replicas`.
        public var replicas: [ReplicaView]?
        public var vmib: Extension?
    }

    public var id: String
    public var name: String
    public var type: String
    /// The generation of the desired state, as the API's ETag header carries it
    /// (`--if-match` takes the number).
    public var etag: String
    public var location: String?
    public var tags: [String: String]?
    public var properties: Properties

    /// - Parameters:
    ///   - details: add the replicationStatus (and, for the API, the replicas in vmib's record).
    ///   - includeReplicas: the CLI: add the per-replica list (large at scale: 100 replicas in
    ///     each of 60 regions).
    public init(_ v: ImageVersion, for audience: Audience, details: VersionDetails? = nil, includeReplicas: Bool = false) {
        id = v.ref.id; name = v.ref.version.description; type = "Microsoft.Compute/galleries/images/versions"
        etag = "\"\(v.generation)\""
        location = audience.envelope?.location; tags = audience.envelope.flatMap { $0.tags.isEmpty ? nil : $0.tags }
        let p = v.publishingProfile, s = v.storageProfile
        properties = Properties(
            publishingProfile: PublishingProfile(
                targetRegions: p.targetRegions.map {
                    TargetRegionView(name: $0.name, regionalReplicaCount: $0.regionalReplicaCount,
                                     storageAccountType: $0.storageAccountType.rawValue, excludeFromLatest: $0.excludeFromLatest,
                                     replicaCountBasis: $0.countBasis.description)
                },
                replicaCount: p.replicaCount, excludeFromLatest: p.excludeFromLatest, publishedDate: p.publishedDate,
                endOfLifeDate: p.endOfLifeDate,
                storageAccountType: (p.targetRegions.first?.storageAccountType ?? .Standard_LRS).rawValue,
                replicationMode: p.replicationMode.rawValue),
            storageProfile: StorageProfile(source: .init(uri: "file://" + s.sourcePath),
                                           osDiskImage: .init(sizeInGB: Int((s.sizeBytes + (1 << 30) - 1) >> 30), hostCaching: "None",
                                                              sizeInBytes: s.sizeBytes, sha256: s.sha256)),
            safetyProfile: SafetyProfileView(allowDeletionOfReplicatedLocations: v.safetyProfile.allowDeletionOfReplicatedLocations,
                                             blockDeletionBeforeEndOfLife: v.safetyProfile.blockDeletionBeforeEndOfLife,
                                             reportedForPolicyViolation: false),
            provisioningState: v.provisioningState.rawValue,
            lifecycle: v.lifecycle,
            replicationStatus: details.map { d in
                ReplicationStatusView(aggregatedState: d.status.aggregatedState.rawValue,
                                      summary: d.status.summary.map {
                                          .init(region: $0.region, state: $0.state.rawValue, details: $0.details, progress: $0.progress,
                                                lastVerifiedAt: $0.lastVerifiedAt)
                                      })
            },
            replicas: includeReplicas ? details?.replicas.map {
                ReplicaView(region: $0.region, index: $0.index, state: $0.state.rawValue, bytesDone: $0.bytesDone,
                            attempts: $0.attempts, retries: $0.retries, lastError: $0.lastError, verifiedDigest: $0.verifiedDigest,
                            etag: $0.etag, lastVerifiedAt: $0.lastVerifiedAt)
            } : nil,
            vmib: audience.envelope == nil ? nil : Extension(version: v, replicas: details?.replicas))
    }

    /// The version and replicas as a server reported them (vmib's record).
    public var details: VersionDetails? {
        properties.vmib.map { VersionDetails(version: $0.version, replicas: $0.replicas ?? []) }
    }
}
