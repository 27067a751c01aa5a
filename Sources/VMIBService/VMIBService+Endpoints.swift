import Foundation
import VMIBCore
import VMIBReplication
import VMIBTransfer

extension VMIBService {
    /// The process's one replication controller, made on first use: it owns every region's
    /// endpoint, so each region's limits are one budget for every version and delete that
    /// this process works on.
    public func replication() throws -> ReplicationController {
        try controller.withLock { cached in
            if let cached { return cached }
            let clock = ContinuousClock()
            let made = ReplicationController(
                store: store, regions: try endpoints(clock: clock), clock: clock, retry: topology.retry,
                originPath: { [origin] in origin.path(for: $0.sha256) },
                locks: workLocks(), resync: .seconds(1),
                releaseOrigin: { [origin] in origin.release($0) }, usage: usageStore, agents: try agentDirectory(),
                fetchOrigin: { [origin] in try await origin.fetch($0) })
            cached = made
            return made
        }
    }

    /// What keeps other processes off a version this one works on: on a shared store
    /// (PostgreSQL), leases in it with fencing tokens; on SQLite, flocks in the state
    /// directory (the processes share one machine, and the kernel drops a dead one's).
    func workLocks() -> any WorkLock {
        leases ?? VersionLocks(stateDirectory: configuration.stateDirectory)
    }

    /// The topology's agents with the deployment key (read now, kept in memory only); nil
    /// when the topology has none.
    public func agentDirectory() throws -> AgentDirectory? {
        guard let settings = topology.agents, let relay = TransferPlan.RelayInput(topology: topology) else { return nil }
        return AgentDirectory(key: try AgentKey.resolve(settings, config: configuration), relay: relay)
    }

    /// Opens every served region's stores (credentials read now, kept in memory only) with
    /// the limiter and scrub schedule its topology entry asks for.
    /// - Parameter wrap: stands between the controller and each store (benchmarks count requests).
    public func endpoints(clock: any Clock<Duration>,
                          wrap: (any BlobStore) -> any BlobStore = { $0 }) throws -> [RegionEndpoint] {
        let now = elapsedTime(on: clock)
        return try topology.regions.map { region in
            RegionEndpoint(name: region.name, stores: try stores(of: region).mapValues(wrap), limits: region.limits,
                           scrub: region.scrub, clock: clock, now: now)
        }
    }

    /// Opens one region's stores only (credentials read now): what a region's agent writes to.
    public func stores(of region: DeploymentTopology.Region) throws -> [StorageAccountType: any BlobStore] {
        var stores: [StorageAccountType: any BlobStore] = [:]
        for (type, spec) in region.storage { stores[type] = try blobStore(spec, region: region.name) }
        return stores
    }

    /// Opens one storage of a region as the controller does.
    func blobStore(_ spec: StorageSpec, region: String) throws -> any BlobStore {
        switch spec {
        case .directory(let path):
            let root = path.hasPrefix("/") ? path : configuration.stateDirectory + "/" + path
            return DirectoryBlobStore(root: root)
        case .s3(let s3):
            return try Self.s3Store(s3, region: region, configuration: configuration)
        }
    }

    static func s3Store(_ s3: S3StorageSpec, region: String, configuration: ServiceConfiguration) throws -> S3BlobStore {
        let keys = try Credentials.resolve(s3, region: region, config: configuration)
        guard let url = URL(string: s3.endpoint) else {
            throw DomainError.invalid(.named("topology: \(region).storage.endpoint"), "'\(s3.endpoint)' is not a URL")
        }
        return S3BlobStore(config: S3Config(endpoint: url, bucket: s3.bucket, signingRegion: s3.signingRegion,
                                            accessKey: keys.access, secretKey: keys.secret,
                                            payloadSigning: S3Config.PayloadSigning(rawValue: s3.payloadSigning) ?? .auto))
    }
}
