import Foundation
import Synchronization
import VMIBCore
import VMIBStore
import VMIBTransfer

/// One reconcile pass over one region: plan, run the transfers the plan allows, replan as
/// each one ends, until nothing is left to start.
struct RegionPass: Sendable {
    let controller: ReplicationController
    let version: ImageVersion
    let target: TargetRegion
    let endpoint: RegionEndpoint
    let blobs: any BlobStore
    let origin: String

    private var store: any StateStore { controller.store }
    private var ref: VersionRef { version.ref }
    private var digest: ObjectDigest {
        ObjectDigest(size: version.storageProfile.sizeBytes, sha256: version.storageProfile.sha256, md5: version.storageProfile.md5)
    }

    func run() async {
        await abortAbandonedUploads()
        await withTaskGroup(of: Int.self) { group in
            var inFlight: Set<Int> = []
            while true {
                // Cancelled (a daemon shutting down): transfers stopped at a checkpoint and
                // returned; planning again would restart them at once, in a loop.
                if Task.isCancelled {
                    while let done = await group.next() { inFlight.remove(done) }
                    return
                }
                let actions: [ReplicaAction]
                do {
                    let mine = try store.replicas(of: ref, region: target.name)
                    actions = ReplicationPlanner.next(for: target, replicas: mine, inFlight: inFlight)
                    for action in actions {
                        switch action {
                        case .record(let index):
                            try store.saveReplica(Replica(region: target.name, index: index,
                                                          storageAccountType: target.storageAccountType, updatedAt: Date()), of: ref)
                        case .delete(let index):
                            try await storeHolding(mine.first { $0.index == index }).delete(ref.replicaKey(index: index))
                            try store.deleteReplica(region: target.name, index: index, of: ref)
                        case .retype(let index):
                            let old = mine.first { $0.index == index }
                            try await storeHolding(old).delete(ref.replicaKey(index: index))
                            try store.saveReplica(Replica(region: target.name, index: index,
                                                          storageAccountType: target.storageAccountType,
                                                          retries: old?.retries ?? 0, updatedAt: Date()), of: ref)
                        case .upload(let index):
                            inFlight.insert(index)
                            let replica = mine.first { $0.index == index }
                            group.addTask { await transfer(replica: replica, index: index, from: nil); return index }
                        case .copy(let index, let seed):
                            inFlight.insert(index)
                            let replica = mine.first { $0.index == index }
                            group.addTask { await transfer(replica: replica, index: index, from: seed); return index }
                        }
                    }
                } catch {
                    // The store or a delete failed: nothing can be planned safely; the next
                    // pass (a user's reconcile, or the daemon's) starts again from the store.
                    while let done = await group.next() { inFlight.remove(done) }
                    return
                }
                let replanNow = actions.contains {
                    switch $0 { case .record, .delete, .retype: true; default: false }
                }
                if replanNow { continue }
                guard let done = await group.next() else { return }
                inFlight.remove(done)
            }
        }
    }

    /// The store a replica's object is in (its own storage account type's).
    private func storeHolding(_ replica: Replica?) -> any BlobStore {
        replica.flatMap { endpoint.stores[$0.storageAccountType] } ?? blobs
    }

    /// Aborts multipart uploads under this version's prefix that no replica record knows:
    /// leftovers of a crash between starting an upload and recording its id.
    private func abortAbandonedUploads() async {
        let known = Set((try? store.replicas(of: ref, region: target.name))?.compactMap(\.uploadID) ?? [])
        _ = try? await blobs.abortUploads(prefix: ref.storagePrefix, keeping: known)
    }

    /// Makes one replica: upload from the origin (`from == nil`) or copy from replica `from`
    /// in this region, then verify; retried under the policy.
    private func transfer(replica existing: Replica?, index: Int, from seed: Int?) async {
        var replica = existing ?? Replica(region: target.name, index: index, storageAccountType: target.storageAccountType, updatedAt: Date())
        let key = ref.replicaKey(index: index)
        while true {
            replica.attempts += 1
            replica.state = .Replicating
            replica.updatedAt = Date()
            guard save(replica) else { return }
            do {
                let verified = try await endpoint.gate.withPlace { [replica] in
                    try await endpoint.requests.admit()
                    if let seed {
                        // A copy that proves itself needs no verifying HEAD (on a server that
                        // hashes on HEAD, that HEAD costs as much as the copy).
                        if let proven = try await blobs.copy(from: ref.replicaKey(index: seed), to: key, expected: digest) { return proven }
                    } else if try await !alreadyThere(key) {
                        try await upload(replica, to: key)
                    }
                    try await endpoint.requests.admit()
                    return try await blobs.verify(key, expected: digest)
                }
                replica = (try? store.replica(of: ref, region: target.name, index: index)) ?? replica
                replica.state = .Completed
                replica.verifiedDigest = verified
                replica.bytesDone = digest.size
                replica.uploadID = nil
                replica.lastError = nil
                replica.updatedAt = Date()
                _ = save(replica)
                return
            } catch let error as TransferError {
                replica = (try? store.replica(of: ref, region: target.name, index: index)) ?? replica
                replica.lastError = error.description
                let retryable = error.isTransient || error.code == .verificationFailed
                let retryAfter = error.retryAfter.map { Duration.milliseconds(Int64($0 * 1000)) }
                if retryable, let wait = controller.retry.delay(after: replica.attempts, retryAfter: retryAfter, unit: controller.random()) {
                    replica.retries += 1
                    replica.updatedAt = Date()
                    guard save(replica) else { return }
                    do { try await controller.clock.sleep(for: wait, tolerance: nil) } catch { return }
                    continue
                }
                fail(&replica, error.description)
                return
            } catch is CancellationError {
                return
            } catch {
                fail(&replica, "\(error)")
                return
            }
        }
    }

    private func fail(_ replica: inout Replica, _ message: String) {
        replica.state = .Failed
        replica.lastError = message
        replica.updatedAt = Date()
        _ = save(replica)
    }

    /// True when a previous attempt's upload already landed intact (a crash between the
    /// upload and recording it): then it is verified, not sent again.
    private func alreadyThere(_ key: String) async throws -> Bool {
        guard let info = try await blobs.head(key), info.size == digest.size, info.sha256 == digest.sha256 else { return false }
        return (try? await blobs.verify(key, expected: digest)) != nil
    }

    private func upload(_ replica: Replica, to key: String) async throws {
        let checkpoint = replica.uploadID.map { UploadCheckpoint(key: key, uploadID: $0) }
        let progress = ProgressRecorder(controller: controller, ref: ref, region: target.name, index: replica.index)
        let store = self.store, ref = self.ref
        _ = try await blobs.upload(
            file: origin, to: key, digest: digest, resume: checkpoint, pacer: endpoint.bytes,
            onCheckpoint: { cp in
                // Persisted before any part is sent, so a crash can resume this upload.
                if var r = try? store.replica(of: ref, region: replica.region, index: replica.index) {
                    r.uploadID = cp?.uploadID
                    try? store.saveReplica(r, of: ref)
                }
            },
            progress: { progress.record($0) })
    }

    @discardableResult
    private func save(_ replica: Replica) -> Bool {
        do {
            try store.saveReplica(replica, of: ref)
            controller.observer?.changed(replica)
            return true
        } catch {
            return false
        }
    }
}

/// Reports upload progress to the observer at once and to the store at most once a second,
/// so a status read from another process moves without a write per chunk.
final class ProgressRecorder: Sendable {
    private let controller: ReplicationController
    private let ref: VersionRef
    private let region: String
    private let index: Int
    private let lastWrite = Mutex<Date>(.distantPast)

    init(controller: ReplicationController, ref: VersionRef, region: String, index: Int) {
        self.controller = controller; self.ref = ref; self.region = region; self.index = index
    }

    func record(_ bytes: Int64) {
        controller.observer?.progressed(region: region, index: index, bytes: bytes)
        let due = lastWrite.withLock { last in
            if Date().timeIntervalSince(last) < 1 { return false }
            last = Date()
            return true
        }
        guard due, var r = try? controller.store.replica(of: ref, region: region, index: index),
              r.state == .Replicating else { return }
        r.bytesDone = bytes
        try? controller.store.saveReplica(r, of: ref)
    }
}
