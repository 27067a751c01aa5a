/// The regions one installation serves: for each, its storage per account type and its limits.
public struct DeploymentTopology: Sendable {
    /// One served region.
    public struct Region: Sendable {
        public var name: String
        public var displayName: String
        /// In the order the topology lists them; the first is the region's default.
        public var storage: [(type: StorageAccountType, spec: StorageSpec)]
        public var limits: RegionLimits
        /// When the region's Completed replicas are re-verified.
        public var scrub: ScrubSchedule
        /// The region's `vmib agent`, when it has one: then versions reach it by relay and
        /// delta; without one, the controller writes its storage from the origin.
        public var agent: AgentLink?

        public init(name: String, displayName: String, storage: [(type: StorageAccountType, spec: StorageSpec)], limits: RegionLimits,
                    scrub: ScrubSchedule = .default) {
            self.name = name; self.displayName = displayName; self.storage = storage; self.limits = limits
            self.scrub = scrub
        }

        public var defaultStorageType: StorageAccountType { storage[0].type }
        public var offeredTypes: [StorageAccountType] { storage.map(\.type) }
        public func spec(for type: StorageAccountType) -> StorageSpec? {
            storage.first { $0.type == type }?.spec
        }
    }

    public var name: String
    public var regions: [Region]
    /// How transfers into every region are retried.
    public var retry: RetryPolicy
    /// Whether a server may fetch a template's scriptUri and File sourceUri from loopback,
    /// link-local and private addresses (`"templates": {"fetchFromPrivateNetworks": true}`;
    /// default false: only public addresses).
    public var fetchFromPrivateNetworks = false
    /// How build VMs run: acceleration, sizes, networks (`"builds"`).
    public var builds = BuildHost()
    /// The chunk size of disks' chunk indexes (`"chunkSizeBytes"`; default 1 MiB): what delta
    /// replication compares and copies by.
    public var chunkSize: Int64 = ChunkIndex.defaultChunkSize
    /// What storage, transfers and run minutes cost (`"prices"`), for estimates; nil: none given.
    public var prices: PriceSheet?
    /// The origin's agent, the deployment key and the relay shape (`"agents"`); nil: no agents.
    public var agents: AgentSettings?
    /// Where every server of the deployment keeps origin copies of published disks (an S3
    /// bucket), so that any server can replicate any version; nil: each server's own origin
    /// directory.
    public var origin: S3StorageSpec?

    public init(name: String, regions: [Region], retry: RetryPolicy = .default) {
        self.name = name; self.regions = regions; self.retry = retry
    }

    public subscript(name: String) -> Region? { regions.first { $0.name == name } }
}
