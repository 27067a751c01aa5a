import Foundation
import Testing
import VMIBCore
import VMIBStore
import VMIBTransfer
@testable import VMIBReplication

/// A pass must not drop a retry's wait that runs out while it plans: the replica was seen in
/// flight (not restarted) and would be left undone with the version InProgress.
@Suite struct RetryWaitDuringPassTests {
    /// A region's store whose start-of-pass clean-up takes `cost` of the clock's time.
    struct SlowCleanup: BlobStore {
        let inner = ScriptedBlobStore()
        let clock: VirtualClock
        let cost: Duration
        func upload(file: String, to key: String, digest: ObjectDigest, resume: UploadCheckpoint?, pacer: (any BytePacer)?,
                    onCheckpoint: @escaping @Sendable (UploadCheckpoint?) -> Void,
                    progress: @escaping @Sendable (Int64) -> Void) async throws -> ObjectInfo {
            try await inner.upload(file: file, to: key, digest: digest, resume: resume, pacer: pacer,
                                   onCheckpoint: onCheckpoint, progress: progress)
        }
        func copy(from sourceKey: String, to key: String, expected: ObjectDigest) async throws -> String? {
            try await inner.copy(from: sourceKey, to: key, expected: expected)
        }
        func head(_ key: String) async throws -> ObjectInfo? { try await inner.head(key) }
        func verify(_ key: String, expected: ObjectDigest) async throws -> String { try await inner.verify(key, expected: expected) }
        func delete(_ key: String) async throws { try await inner.delete(key) }
        func list(prefix: String) async throws -> [String] { try await inner.list(prefix: prefix) }
        func abortUploads(prefix: String, keeping keep: Set<String>) async throws -> Int {
            try await clock.sleep(for: cost)
            return 0
        }
        func pendingUploads(prefix: String) async throws -> [UploadCheckpoint] { [] }
    }

    @Test func aRetryWaitThatRunsOutWhileThePassPlansRequeuesTheKeyAtOnce() async throws {
        let s = try ScrubTests()
        try s.publish([("eastus", 1), ("westus", 1)])
        let clock = VirtualClock()
        let endpoints = [("eastus", ScriptedBlobStore() as any BlobStore),
                         ("westus", SlowCleanup(clock: clock, cost: .seconds(2)) as any BlobStore)].map { name, blobs in
            RegionEndpoint(name: name, stores: [.Standard_LRS: blobs],
                           limits: RegionLimits(concurrentTransfers: 2, bytesPerSecond: 0, requestsPerSecond: 0),
                           clock: clock, now: { clock.elapsed })
        }
        let ctl = ReplicationController(store: s.store, regions: endpoints, clock: clock, random: { 0.5 },
                                        originPath: { [origin = s.origin] _ in origin })
        // westus done; eastus's replica failed once and waits 1 s for its next attempt.
        try s.store.saveReplica(Replica(region: "westus", index: 1, storageAccountType: .Standard_LRS, state: .Completed,
                                        updatedAt: Date()), of: s.ref)
        try s.store.saveReplica(Replica(region: "eastus", index: 1, storageAccountType: .Standard_LRS, state: .Replicating,
                                        attempts: 1, retries: 1, lastError: "HTTP 429", updatedAt: Date()), of: s.ref)
        let id = ReplicaID(version: s.ref, region: "eastus", index: 1)
        ctl.live.withLock { $0.retryAt[id] = ctl.now() + .seconds(1) }

        let result = try await ctl.pass(s.ref, driver: ReconcileDriver<VersionRef>(clock: clock), scheduled: false)
        #expect(result == .requeueAfter(.zero), "the wait ran out while westus was cleaned up: \(result)")
        #expect(try s.store.version(s.ref)?.provisioningState == .Creating)
    }
}
