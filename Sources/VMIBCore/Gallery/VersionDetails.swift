/// A version with its replicas and the status derived from them.
public struct VersionDetails: Sendable {
    public var version: ImageVersion
    public var replicas: [Replica]
    public var status: ReplicationStatus

    public init(version: ImageVersion, replicas: [Replica], status: ReplicationStatus) {
        self.version = version; self.replicas = replicas; self.status = status
    }

    /// The status derived from the replicas, as the service derives it (a version and its
    /// replicas as another vmib, a server, reported them).
    public init(version: ImageVersion, replicas: [Replica]) {
        self.init(version: version, replicas: replicas,
                  status: ReplicationStatus(targets: version.publishingProfile.targetRegions, replicas: replicas,
                                            sizeBytes: version.storageProfile.sizeBytes, mode: version.publishingProfile.replicationMode))
    }
}
