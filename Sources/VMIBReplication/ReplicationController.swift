import Foundation
import VMIBCore
import VMIBStore
import VMIBTransfer

/// Closes the gap between a version's desired state (target regions × replica counts) and
/// its replicas, level-triggered: every pass reads both from the store and the regions.
///
/// Regions are served concurrently; inside a region, the first replica is uploaded from the
/// origin and the rest are server-side copies of it, each transfer under the region's
/// limiter and the retry policy. Every state change is persisted before it is reported, and
/// a replica becomes Completed only after its bytes were verified in its region.
public struct ReplicationController: Sendable {
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
    let observer: (any ReplicationObserver)?

    /// - Parameters:
    ///   - originPath: where the origin copy of a version's disk lives.
    ///   - random: uniform in 0..<1, for backoff jitter.
    public init(store: any StateStore, regions: [RegionEndpoint], clock: any Clock<Duration>,
                retry: RetryPolicy = .default, random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
                originPath: @escaping @Sendable (StorageProfile) -> String,
                observer: (any ReplicationObserver)? = nil) {
        self.store = store
        self.regions = Dictionary(regions.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        self.clock = clock; self.retry = retry; self.random = random
        self.originPath = originPath; self.observer = observer
    }

    /// Requeues the version's failed replicas (attempts reset), as a user's `reconcile` asks.
    public func requeueFailed(_ ref: VersionRef) throws -> Int { try Self.requeueFailed(ref, in: store) }

    /// The same in the store alone, for a process whose controller runs elsewhere (a server
    /// handling a request: its own controller picks the version up as Updating).
    public static func requeueFailed(_ ref: VersionRef, in store: any StateStore) throws -> Int {
        var n = 0
        for var r in try store.replicas(of: ref) where r.state == .Failed {
            r.state = .Pending; r.attempts = 0; r.updatedAt = Date()
            try store.saveReplica(r, of: ref)
            n += 1
        }
        if n > 0 { try store.setProvisioningState(.Updating, of: ref) }
        return n
    }

    /// Deletes every object of the version in every served region and storage type (a
    /// listing under its prefix, so nothing is left behind even from an interrupted attempt),
    /// aborts its unfinished uploads, then removes the record. Safe to run again after a crash.
    public func purge(_ ref: VersionRef) async throws {
        for endpoint in regions.values.sorted(by: { $0.name < $1.name }) {
            for blobs in endpoint.stores.values {
                _ = try await blobs.abortUploads(prefix: ref.storagePrefix, keeping: [])
                for key in try await blobs.list(prefix: ref.storagePrefix) {
                    try await endpoint.requests.admit()
                    try await blobs.delete(key)
                }
            }
            for r in try store.replicas(of: ref, region: endpoint.name) {
                try store.deleteReplica(region: r.region, index: r.index, of: ref)
            }
        }
        try store.deleteVersionRecord(ref)
    }

    /// Runs transfers until every region is Completed or Failed, then records the version's
    /// provisioning state: Succeeded when every desired replica is Completed, else Failed.
    public func reconcile(_ ref: VersionRef) async throws -> Outcome {
        guard let version = try store.version(ref) else {
            throw ReplicationError(.versionNotFound, "version \(ref) does not exist")
        }
        let origin = originPath(version.storageProfile)
        guard FileManager.default.isReadableFile(atPath: origin) else {
            throw ReplicationError(.originMissing, "the origin copy of \(ref) is missing at \(origin)")
        }
        var work: [(TargetRegion, RegionEndpoint, any BlobStore)] = []
        let replicas = try store.replicas(of: ref)
        // Regions no longer targeted still hold replicas: a pass with a count of 0 removes them.
        let removed = Set(replicas.map(\.region)).subtracting(version.publishingProfile.targetRegions.map(\.name)).sorted()
        let passes = version.publishingProfile.targetRegions + removed.map { region in
            TargetRegion(name: region, regionalReplicaCount: 0,
                         storageAccountType: replicas.first { $0.region == region }!.storageAccountType)
        }
        for target in passes {
            guard let endpoint = regions[target.name] else {
                throw ReplicationError(.regionNotServed, "region '\(target.name)' is not served by this deployment's topology")
            }
            guard let blobs = endpoint.stores[target.storageAccountType] else {
                throw ReplicationError(.regionNotServed, "region '\(target.name)' offers no \(target.storageAccountType.rawValue) storage")
            }
            work.append((target, endpoint, blobs))
        }
        await withTaskGroup(of: Void.self) { group in
            for (target, endpoint, blobs) in work {
                let pass = RegionPass(controller: self, version: version, target: target, endpoint: endpoint,
                                      blobs: blobs, origin: origin)
                group.addTask { await pass.run() }
            }
        }
        let status = ReplicationStatus(targets: version.publishingProfile.targetRegions,
                                       replicas: try store.replicas(of: ref), sizeBytes: version.storageProfile.sizeBytes)
        let state: ProvisioningState = switch status.aggregatedState {
        case .Completed, .Unknown: .Succeeded
        case .Failed: .Failed
        case .InProgress: version.provisioningState
        }
        try store.setProvisioningState(state, of: ref)
        return Outcome(state: state, status: status)
    }
}
