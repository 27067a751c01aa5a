import Foundation
import Synchronization
import VMIBCore
import VMIBReplication
import VMIBStore
import VMIBTransfer

/// The application's one API, by noun (`galleries`, `images`, `versions`, `templates`, `runs`):
/// every use case the CLI and the HTTP server offer. Requests are validated completely before
/// anything is changed. The root holds what every noun shares.
public final class VMIBService: Sendable {
    public let configuration: ServiceConfiguration
    public let catalog: RegionCatalog
    public let topology: DeploymentTopology
    let store: any StateStore
    let templateStore: any TemplateStore
    let usageStore: any UsageStore
    let leaseStore: any LeaseStore
    /// This process's leases on versions and template runs, when several servers share the
    /// store (nil on SQLite: one machine, where flocks and process ids tell who works on what).
    let leases: StoreLeases?
    let origin: OriginStore
    let controller = Mutex<ReplicationController?>(nil)

    /// Opens the state directory (creating it) and reads the topology.
    /// - Throws: `DomainError` for a missing or malformed topology or catalog, `StoreError`
    ///   when the database cannot be opened.
    public init(configuration: ServiceConfiguration) throws {
        self.configuration = configuration
        catalog = try TopologyFiles.catalog(configuration)
        topology = try TopologyFiles.topology(configuration, catalog: catalog)
        try FileManager.default.createDirectory(atPath: configuration.stateDirectory, withIntermediateDirectories: true)
        let sql = try SQLStateStore.open(configuration.store ?? configuration.stateDirectory + "/state.db")
        store = sql
        templateStore = sql
        usageStore = sql
        leaseStore = sql
        leases = configuration.store == nil ? nil
            : StoreLeases(store: sql, holder: StoreLeases.holderName(), duration: configuration.leaseDuration)
        origin = OriginStore(root: (configuration.originDirectory ?? configuration.stateDirectory + "/origin") + "/sha256",
                             shared: try topology.origin.map { try Self.s3Store($0, region: "origin", configuration: configuration) })
    }

    public var subscription: String { configuration.subscription }

    /// Where the origin copy of the disk with this SHA-256 lives (its chunk index beside it).
    public func originPath(sha256: String) -> String { origin.path(for: sha256) }

    /// The served subscription named so (as configured; names compare without case), or nil.
    public func served(_ subscription: String) -> String? {
        configuration.subscriptions.first { $0.lowercased() == subscription.lowercased() }
    }

    // MARK: regions

    /// The home region (`ServiceConfiguration.homeRegion`, else the topology's first region):
    /// the source region of Shallow versions.
    public var homeRegion: String {
        configuration.homeRegion.map { catalog[$0.lowercased().replacingOccurrences(of: " ", with: "")]?.name ?? $0 }
            ?? topology.regions.first?.name ?? "eastus"
    }

    public func regions() -> [RegionInfo] {
        topology.regions.map { r in
            RegionInfo(name: r.name, displayName: r.displayName, geography: catalog[r.name]?.geography ?? "",
                       buildRegion: catalog[r.name]?.buildRegion ?? false, storageAccountTypes: r.offeredTypes,
                       defaultStorageAccountType: r.defaultStorageType, limits: r.limits)
        }
    }

    /// Galleries: create, list, show, delete.
    public var galleries: Galleries { Galleries(root: self) }
    /// Image definitions, and their rollbacks.
    public var images: Images { Images(root: self) }
    /// Image versions: publish, change, replicate, verify, delete; latest and resolution.
    public var versions: Versions { Versions(root: self) }
    /// Image templates: create, change, show, plan, delete.
    public var templates: Templates { Templates(root: self) }
    /// Template runs: start (here or in a worker), carry out, cancel, logs and outputs.
    public var runs: Runs { Runs(root: self) }
    /// Triggers on templates: create, show, delete, and the check that fires them.
    public var triggers: Triggers { Triggers(root: self) }

    // MARK: envelopes

    /// A resource's Resource Manager envelope (location, tags), as its PUT recorded it.
    public func envelope(of id: String) throws -> ResourceEnvelope? { try store.envelope(of: id) }

    /// The envelopes of every resource below `parent`, by lower-cased id.
    public func envelopes(under parent: String) throws -> [String: ResourceEnvelope] { try store.envelopes(under: parent) }

    public func saveEnvelope(_ envelope: ResourceEnvelope, of id: String) throws { try store.saveEnvelope(envelope, of: id) }
}
