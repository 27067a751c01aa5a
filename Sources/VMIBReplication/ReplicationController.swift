import Foundation
import Synchronization
import VMIBCore
import VMIBStore
import VMIBTransfer

/// Closes the gap between a version's desired state (target regions × replica counts) and
/// its replicas, level-triggered and shaped like controller-runtime: a pass is handed only
/// a version's key, reads desired state and replicas from the store, starts the transfers
/// the planner asks for and returns at once with an outcome (`ReconcileResult`); it never
/// sleeps. A `ReconcileDriver` owns time: it runs the passes, the transfers, the retries'
/// waits and the backoff.
///
/// One controller lives as long as its process and owns every region's endpoint, so a
/// region's budget (concurrent transfers, bytes/s, requests/s) is one budget, shared by
/// every version, copy, verify and delete that touches the region.
///
/// Every state change is persisted before it is reported; a replica becomes Completed only
/// after its bytes were verified in its region; the outcome (provisioningState) is written
/// only if the version's generation is still the one the pass read (compare-and-set), so a
/// user's change made meanwhile is never overwritten: the key is requeued instead.
public final class ReplicationController: Sendable {
    public struct Outcome: Sendable, Equatable {
        public var state: ProvisioningState
        public var status: ReplicationStatus
    }

    let store: any StateStore
    let regions: [String: RegionEndpoint]
    let clock: any Clock<Duration>
    let retry: RetryPolicy
    let random: @Sendable () -> Double
    let originPath: @Sendable (StorageProfile) -> String
    let locks: any WorkLock
    let releaseOrigin: @Sendable (String) throws -> Void
    /// Where replicas made are counted (nil: not counted).
    let usage: (any UsageStore)?
    /// Time on `clock`, as an offset from the controller's start.
    let now: @Sendable () -> Duration
    /// Wall time when the controller started: with `now`, the dates scrub records and
    /// compares (`lastVerifiedAt`) follow the injected clock.
    let started = Date()
    let observers = ObserverHub()
    let live = Mutex(LiveState())
    /// How often a version whose transfers run is looked at again anyway (nil: only when a
    /// transfer ends).
    let resync: Duration?
    /// Region agents that make replicas by relay and delta (nil: the controller writes every
    /// region from the origin).
    let agents: AgentDirectory?
    /// Brings a version's origin copy to this process before it is replicated (from the
    /// deployment's shared origin); a no-op when it is here.
    let fetchOrigin: @Sendable (StorageProfile) async throws -> Void
    private let daemon = Mutex<ReconcileDriver<VersionRef>?>(nil)

    /// - Parameters:
    ///   - originPath: where the origin copy of a version's disk lives.
    ///   - random: uniform in 0..<1, for backoff jitter.
    ///   - locks: keeps other processes off a version this one works on.
    ///   - releaseOrigin: removes the origin copy of a disk (by SHA-256) when a purged version
    ///     held its last reference; runs inside the store's transaction that drops it.
    ///   - usage: where each replica made is counted (bytes over its link, storage operations).
    ///   - agents: region agents that make the first replica of their region (relay and delta).
    ///   - fetchOrigin: fetches the origin copy of a disk this process does not have.
    public init(store: any StateStore, regions: [RegionEndpoint], clock: any Clock<Duration>,
                retry: RetryPolicy = .default, random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
                originPath: @escaping @Sendable (StorageProfile) -> String,
                observer: (any ReplicationObserver)? = nil, locks: any WorkLock = InProcessOnly(),
                resync: Duration? = nil,
                releaseOrigin: @escaping @Sendable (String) throws -> Void = { _ in },
                usage: (any UsageStore)? = nil, agents: AgentDirectory? = nil,
                fetchOrigin: @escaping @Sendable (StorageProfile) async throws -> Void = { _ in }) {
        self.resync = resync
        self.fetchOrigin = fetchOrigin
        self.agents = agents
        self.usage = usage
        self.store = store
        self.regions = Dictionary(regions.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        self.clock = clock; self.retry = retry; self.random = random
        self.originPath = originPath; self.locks = locks; self.releaseOrigin = releaseOrigin
        self.now = elapsedTime(on: clock)
        if let observer { _ = observers.add(observer) }
    }

    /// Appends a usage event. Accounting never fails the work it counts: an event the store
    /// cannot take is dropped.
    func record(_ event: UsageEvent) {
        try? usage?.recordUsage(event)
    }

    /// What this process's writes on the version carry (nil: unfenced; see `WorkLock.fence`).
    func fence(_ ref: VersionRef) -> Fence? { locks.fence(ref.id.lowercased()) }

    /// Wall-clock time as the controller's clock tells it (virtual in tests).
    func date() -> Date {
        let offset = now().components
        return started.addingTimeInterval(Double(offset.seconds) + Double(offset.attoseconds) / 1e18)
    }

    /// The version's key as the store spells it, so `RG1` and `rg1` are one key, one lock
    /// and one storage prefix.
    public func canonical(_ ref: VersionRef) throws -> VersionRef {
        guard let v = try store.version(ref) else {
            throw ReplicationError(.versionNotFound, "version \(ref) does not exist")
        }
        return v.ref
    }

    // MARK: driving

    /// Reconciles one version until a pass finds it settled (every region Completed or
    /// Failed, or nothing left to do), running its transfers, retries and waits through a
    /// driver; `version wait`, `version reconcile` and a waiting publish use this.
    /// - Parameter observer: hears progress while this call runs.
    public func reconcile(_ ref: VersionRef, observer: (any ReplicationObserver)? = nil) async throws -> Outcome {
        let key = try await settle(ref, observer: observer)
        guard let v = try store.version(key) else {
            throw ReplicationError(.versionNotFound, "version \(ref) was deleted")
        }
        return Outcome(state: v.provisioningState, status: try status(of: v))
    }

    /// Runs passes over one version until one finds it settled: replicated (or failed), or,
    /// for a version being deleted, gone. Returns its canonical key.
    @discardableResult
    public func settle(_ ref: VersionRef, observer: (any ReplicationObserver)? = nil) async throws -> VersionRef {
        let key = try canonical(ref)
        let token = observer.map { observers.add($0) }
        defer { token.map { observers.remove($0) } }
        let driver = ReconcileDriver<VersionRef>(clock: clock, resync: resync)
        await driver.enqueue(key)
        try await driver.run(workers: 1, until: key, reconcile: { [self] in try await pass($0, driver: driver, scheduled: false) },
                             isTransient: Self.isTransient)
        return key
    }

    /// Runs the controller as a daemon until the calling task is cancelled: `workers`
    /// passes at once over the keys `enqueue` adds.
    public func run(workers: Int, report: @escaping @Sendable (VersionRef, any Error) -> Void) async throws {
        let driver = ReconcileDriver<VersionRef>(clock: clock, resync: resync)
        daemon.withLock { $0 = driver }
        defer { daemon.withLock { $0 = nil } }
        try await driver.run(workers: workers, reconcile: { [self] in try await pass($0, driver: driver, scheduled: true) },
                             isTransient: Self.isTransient, report: report)
    }

    /// Queues a version for the daemon started by `run` (ignored when none runs).
    public func enqueue(_ ref: VersionRef) async {
        guard let driver = daemon.withLock({ $0 }), let key = try? canonical(ref) else { return }
        await driver.enqueue(key)
    }

    /// Whether a pass that threw is tried again with backoff by a waiting caller. A store
    /// that is busy is; a region that refused a delete, a missing origin or an unserved
    /// region is reported at once (a daemon backs off from every failed key regardless).
    static func isTransient(_ error: any Error) -> Bool {
        switch error {
        case let e as StoreError: e.isTransient || e.code == .conflict || e.code == .fenced
        default: false
        }
    }

    /// Adds an observer until the returned token is removed.
    public func observe(_ observer: any ReplicationObserver) -> UInt64 { observers.add(observer) }
    public func stopObserving(_ token: UInt64) { observers.remove(token) }

    // MARK: user requests

    /// Requeues the version's failed replicas (attempts reset), as a user's `reconcile` asks.
    public func requeueFailed(_ ref: VersionRef) throws -> Int { try Self.requeueFailed(ref, in: store) }

    /// The same in the store alone, for a process whose controller runs elsewhere (a server
    /// handling a request: its own controller picks the version up as Updating).
    public static func requeueFailed(_ ref: VersionRef, in store: any StateStore) throws -> Int {
        try store.requeueFailedReplicas(of: ref, at: Date())
    }

    func status(of v: ImageVersion) throws -> ReplicationStatus {
        ReplicationStatus(targets: v.publishingProfile.targetRegions, replicas: try store.replicas(of: v.ref),
                          sizeBytes: v.storageProfile.sizeBytes, mode: v.publishingProfile.replicationMode)
    }
}

/// What a controller keeps in memory between passes: the transfers it runs and the
/// replicas waiting for their next attempt. Lost with the process, which is safe: the
/// store says Replicating, and the next process starts those transfers again.
struct LiveState {
    var running: [ReplicaID: Task<Void, Never>] = [:]
    /// Replicas whose last attempt failed retryably, and when (on the controller's clock)
    /// the next may start.
    var retryAt: [ReplicaID: Duration] = [:]
    /// Replica checks (scrub) running; also in `running`, so a delete cancels them and the
    /// planner leaves their replicas alone.
    var scrubbing: Set<ReplicaID> = []
    /// Checks a user asked for (version → deep), started at the version's next settled pass.
    var scrubRequests: [VersionRef: Bool] = [:]
    /// Replicas whose last scheduled check could not be made, and when the next may start.
    var checkAfter: [ReplicaID: Duration] = [:]
    /// What the checks asked for found, for the caller that asked.
    var findings: [VersionRef: [ScrubFinding]] = [:]
    /// Regions whose abandoned multipart uploads were cleaned up for a version.
    var cleaned: Set<ReplicaID> = []
    /// Keys a pass is working on now (one pass per key per process).
    var passing: Set<VersionRef> = []
    /// Transfers ended so far (any version): a pass that saw one end while it planned
    /// looks again rather than judging from what it read before.
    var ended = 0

    func inFlight(_ key: VersionRef, region: String, now: Duration) -> Set<Int> {
        Set(running.keys.filter { $0.version == key && $0.region == region }.map(\.index))
            .union(retryAt.filter { $0.key.version == key && $0.key.region == region && $0.value > now }.map(\.key.index))
    }
}

/// One replica of one version, as the controller's in-memory maps key it.
struct ReplicaID: Hashable, Sendable {
    var version: VersionRef
    var region: String
    var index: Int
}

/// Fans observations out to the observers registered now.
final class ObserverHub: ReplicationObserver {
    private let entries = Mutex<(next: UInt64, all: [UInt64: any ReplicationObserver])>((0, [:]))

    func add(_ o: any ReplicationObserver) -> UInt64 {
        entries.withLock { e in e.next += 1; e.all[e.next] = o; return e.next }
    }
    func remove(_ token: UInt64) { entries.withLock { _ = $0.all.removeValue(forKey: token) } }
    private var all: [any ReplicationObserver] { entries.withLock { Array($0.all.values) } }

    func progressed(region: String, index: Int, bytes: Int64) {
        for o in all { o.progressed(region: region, index: index, bytes: bytes) }
    }
    func changed(_ replica: Replica) { for o in all { o.changed(replica) } }
}
