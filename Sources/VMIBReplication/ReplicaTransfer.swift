import Foundation
import Synchronization
import VMIBCore
import VMIBStore
import VMIBTransfer
import VMIBWire

/// One attempt at one replica: an upload from the origin (`seed == nil`) or a server-side
/// copy of replica `seed` in the same region, then its verification, under the region's one
/// budget. A retryable failure records when the next attempt may start and returns: the
/// wait is the driver's, never this task's.
struct ReplicaTransfer: Sendable {
    let controller: ReplicationController
    let version: ImageVersion
    let target: TargetRegion
    let endpoint: RegionEndpoint
    let blobs: any BlobStore
    let origin: String
    let index: Int
    let seed: Int?
    /// The lease this attempt was started under: every write of it carries this token, so
    /// that once another process took the version over (even if this one got it back
    /// since, with a newer token) the attempt's late writes are refused.
    let fence: Fence?

    var id: ReplicaID { ReplicaID(version: ref, region: target.name, index: index) }
    private var store: any StateStore { controller.store }
    private var ref: VersionRef { version.ref }
    private var digest: ObjectDigest {
        ObjectDigest(size: version.storageProfile.sizeBytes, sha256: version.storageProfile.sha256, md5: version.storageProfile.md5)
    }

    func attempt(_ existing: Replica?) async {
        var replica = existing ?? Replica(region: target.name, index: index, storageAccountType: target.storageAccountType, updatedAt: Date())
        let key = ref.replicaKey(index: index)
        let recordedETag = replica.etag
        replica.attempts += 1
        replica.state = .Replicating
        // A replica being (re-)made is no longer the object its ETag and checks describe.
        replica.etag = nil
        replica.lastVerifiedAt = nil
        replica.lastDeepVerifiedAt = nil
        replica.linkBytes = nil
        replica.earlierVersionBytes = nil
        replica.linkSource = nil
        replica.updatedAt = Date()
        guard save(replica) else { return }
        do {
            let made = try await endpoint.gate.withPlace { [replica] () async throws -> Made in
                try await endpoint.requests.admit()
                var etag: String?
                // Storage operations asked of the region, for usage accounting.
                var requests = 1
                var linkBytes = seed == nil ? digest.size : 0, earlierBytes: Int64 = 0
                var source: String?
                if let seed {
                    // The seed's recorded ETag lets a copy made in parts prove itself.
                    let seedETag = try? store.replica(of: ref, region: target.name, index: seed)?.etag
                    let copy = try await blobs.copyObject(from: ref.replicaKey(index: seed), to: key,
                                                          expected: digest.expecting(etag: seedETag ?? nil))
                    // A copy that proves itself needs no verifying HEAD (on a server that
                    // hashes on HEAD, that HEAD costs as much as the copy).
                    if let proven = copy.provenSHA256 { return Made(sha256: proven, etag: copy.etag, requests: requests, linkBytes: 0) }
                    etag = copy.etag
                } else if let there = try await alreadyThere(key, etag: recordedETag) {
                    etag = there
                    requests += 1
                } else if replica.uploadID == nil, let agent = try await viaAgent(replica, to: key) {
                    // The region's agent wrote it: relayed, and from chunks it held.
                    etag = agent.etag
                    requests += 1
                    linkBytes = agent.linkBytes
                    earlierBytes = agent.localBytes
                    source = agent.mainSource
                } else if replica.uploadID == nil, let delta = try await uploadDelta(replica, to: key) {
                    etag = delta.object.etag
                    requests += delta.requests - 1
                    linkBytes = delta.sentBytes
                    earlierBytes = delta.copiedBytes
                } else {
                    etag = try await upload(replica, to: key).etag
                    requests += 1
                }
                try await endpoint.requests.admit()
                return Made(sha256: try await blobs.verify(key, expected: digest.expecting(etag: etag)), etag: etag,
                            requests: requests + 1, linkBytes: linkBytes, earlierBytes: earlierBytes, source: source)
            }
            replica = (try? store.replica(of: ref, region: target.name, index: index)) ?? replica
            replica.state = .Completed
            replica.verifiedDigest = made.sha256
            replica.etag = made.etag
            replica.lastVerifiedAt = controller.date()
            replica.lastDeepVerifiedAt = replica.lastVerifiedAt
            replica.bytesDone = digest.size
            replica.linkBytes = made.linkBytes
            replica.earlierVersionBytes = made.earlierBytes
            replica.linkSource = made.source
            replica.uploadID = nil
            replica.lastError = nil
            replica.updatedAt = Date()
            if save(replica) {
                // One replica's bytes over its link, counted once it is Completed (an upload
                // that landed before a crash and is found intact counts here, once).
                // A delta upload's bytes over the link are the parts it sent; the parts the
                // region copied from an earlier version count as in-region.
                let linkBytes = seed == nil ? made.linkBytes : digest.size
                controller.record(.transfer(at: controller.date(), version: ref,
                                            from: seed == nil ? made.source ?? UsageLink.origin : target.name,
                                            to: target.name, storageAccountType: target.storageAccountType, bytes: linkBytes,
                                            requests: made.requests))
                if made.earlierBytes > 0 {
                    controller.record(.transfer(at: controller.date(), version: ref, from: target.name, to: target.name,
                                                storageAccountType: target.storageAccountType, bytes: made.earlierBytes, requests: 0))
                }
            }
        } catch let error as TransferError {
            if Task.isCancelled { return }
            replica = (try? store.replica(of: ref, region: target.name, index: index)) ?? replica
            replica.lastError = error.description
            let retryable = error.isTransient || error.code == .verificationFailed
            if retryable, let wait = controller.retry.delay(after: replica.attempts, retryAfter: Self.duration(error.retryAfter),
                                                            unit: controller.random()) {
                replica.retries += 1
                replica.updatedAt = Date()
                guard save(replica) else { return }
                let due = controller.now() + wait
                controller.live.withLock { $0.retryAt[id] = due }
                return
            }
            fail(&replica, error.description)
        } catch is CancellationError {
            return
        } catch {
            if Task.isCancelled { return }
            fail(&replica, "\(error)")
        }
    }

    /// A server's Retry-After in seconds as a duration, range-checked before conversion
    /// (`Retry-After: 1e300` must not trap); the policy clamps it further.
    static func duration(_ seconds: Double?) -> Duration? {
        guard let seconds, seconds.isFinite, seconds >= 0 else { return nil }
        return .milliseconds(Int64(min(seconds, 86_400) * 1000))
    }

    private func fail(_ replica: inout Replica, _ message: String) {
        replica.state = .Failed
        replica.lastError = message
        replica.updatedAt = Date()
        _ = save(replica)
    }

    /// A previous attempt's upload that already landed intact (a crash between the upload
    /// and recording it): then it is verified against the ETag recorded for it, not sent
    /// again. Returns `.some` of the object's ETag (nil inside for a store without ETags);
    /// nil: not there, upload it.
    private func alreadyThere(_ key: String, etag recorded: String?) async throws -> String?? {
        guard let info = try await blobs.head(key), info.size == digest.size, info.sha256 == digest.sha256 else { return nil }
        guard (try? await blobs.verify(key, expected: digest.expecting(etag: recorded))) != nil else { return nil }
        return .some(info.etag)
    }

    /// What one attempt made: the verified SHA-256, the ETag to record, the storage
    /// operations it asked, the bytes sent over the link and those copied from an earlier
    /// version's object.
    private struct Made: Sendable {
        var sha256: String
        var etag: String?
        var requests: Int
        var linkBytes: Int64
        var earlierBytes: Int64 = 0
        /// Where the link bytes came from, when the region's agent made the replica.
        var source: String?
    }

    /// The replica made by the region's agent, relayed down the version's tree and from
    /// chunks the agent holds; nil when the region has no agent, the plan leaves it out, the
    /// disk has no chunk index, or the agent does not answer (then the controller feeds the
    /// region from the origin, as for a region without one).
    private func viaAgent(_ replica: Replica, to key: String) async throws -> AgentMade? {
        guard let agents = controller.agents, let link = agents.regions[target.name] else { return nil }
        let sources = agents.plan(for: version).sources(for: target.name)
        guard !sources.isEmpty else { return nil }
        let progress = ProgressRecorder(controller: controller, ref: ref, region: target.name, index: replica.index, fence: fence)
        return try await AgentReplication(directory: agents, agent: link, sources: sources).make(
            sha256: digest.sha256, digest: digest, origin: origin,
            write: AgentWrite(storageAccountType: target.storageAccountType.rawValue, key: key),
            bytesPerSecond: endpoint.limits.bytesPerSecond, progress: { progress.record($0) })
    }

    /// A delta upload from the best earlier object in the region (`deltaBase`), when the
    /// region's store makes objects that way; nil: upload the whole disk.
    private func uploadDelta(_ replica: Replica, to key: String) async throws -> DeltaUpload? {
        guard let delta = blobs as? any DeltaUploading, let (index, base) = deltaBase() else { return nil }
        let progress = ProgressRecorder(controller: controller, ref: ref, region: target.name, index: replica.index, fence: fence)
        return try await delta.uploadDelta(
            file: origin, to: key, digest: digest, index: index, base: base.key, baseSHA256: base.sha256,
            baseIndex: base.index, pacer: endpoint.bytes, progress: { progress.record($0) })
    }

    /// The earlier object a delta upload copies unchanged parts from: a verified Completed
    /// replica, in this region and storage type, of another Full version (of any image of
    /// the subscription; the newest `deltaCandidates` versions) whose disk's chunk index
    /// (same chunk size) shares the most chunks with this disk's. nil when this disk has no
    /// index or no such replica shares a chunk.
    private func deltaBase() -> (ChunkIndex, (key: String, sha256: String, index: ChunkIndex))? {
        guard let index = ChunkIndexFile.read(forOrigin: origin), index.size == digest.size,
              let versions = try? candidateVersions() else { return nil }
        var best: (key: String, sha256: String, index: ChunkIndex)?
        var bestShared = 0
        for other in versions where other.ref != ref && other.publishingProfile.replicationMode == .Full {
            let sha256 = other.storageProfile.sha256
            guard let baseIndex = ChunkIndexFile.read(forOrigin: controller.originPath(other.storageProfile)),
                  baseIndex.size == other.storageProfile.sizeBytes else { continue }
            let shared = index.sharedChunks(with: baseIndex)
            guard shared > bestShared,
                  let held = (try? store.replicas(of: other.ref, region: target.name))?.first(where: {
                      $0.state == .Completed && $0.storageAccountType == target.storageAccountType
                          && $0.lastVerifiedAt != nil && $0.verifiedDigest?.lowercased() == sha256.lowercased()
                  }) else { continue }
            best = (other.ref.replicaKey(index: held.index), sha256, baseIndex)
            bestShared = shared
        }
        return best.map { (index, $0) }
    }

    /// How many versions a delta upload looks at for its base, newest first: each costs a
    /// read of its chunk index and of its replicas in the region.
    static let deltaCandidates = 200

    /// The subscription's other versions, newest published first, at most `deltaCandidates`.
    private func candidateVersions() throws -> [ImageVersion] {
        let subscription = ref.image.gallery.subscription
        var versions: [ImageVersion] = []
        for gallery in try store.galleries(subscription: subscription, resourceGroup: nil) {
            for image in try store.images(in: gallery.ref) { versions += try store.versions(of: image.ref) }
        }
        return Array(versions.filter { $0.ref != ref }
            .sorted { $0.publishingProfile.publishedDate > $1.publishingProfile.publishedDate }
            .prefix(Self.deltaCandidates))
    }

    private func upload(_ replica: Replica, to key: String) async throws -> ObjectInfo {
        let checkpoint = replica.uploadID.map { UploadCheckpoint(key: key, uploadID: $0) }
        let progress = ProgressRecorder(controller: controller, ref: ref, region: target.name, index: replica.index, fence: fence)
        let store = self.store, ref = self.ref, fence = self.fence
        return try await blobs.upload(
            file: origin, to: key, digest: digest, resume: checkpoint, pacer: endpoint.bytes,
            onCheckpoint: { cp in
                // Persisted before any part is sent, so a crash can resume this upload.
                if var r = try? store.replica(of: ref, region: replica.region, index: replica.index) {
                    r.uploadID = cp?.uploadID
                    try? store.saveReplica(r, of: ref, fence: fence)
                }
            },
            progress: { progress.record($0) })
    }

    @discardableResult
    private func save(_ replica: Replica) -> Bool {
        do {
            try store.saveReplica(replica, of: ref, fence: fence)
            controller.observers.changed(replica)
            return true
        } catch let e as StoreError where e.code == .fenced {
            // Another server took the version over while this attempt ran (this one was
            // paused past its lease): its record stands; this attempt stops here.
            FileHandle.standardError.write(Data("vmib: \(ref) replica \(replica.region)#\(replica.index): late write refused: \(e.message)\n".utf8))
            return false
        } catch {
            return false
        }
    }
}

/// Reports upload progress to the observers at once and to the store at most once a
/// second, so a status read from another process moves without a write per chunk.
final class ProgressRecorder: Sendable {
    private let controller: ReplicationController
    private let ref: VersionRef
    private let region: String
    private let index: Int
    private let fence: Fence?
    private let lastWrite = Mutex<Date>(.distantPast)

    init(controller: ReplicationController, ref: VersionRef, region: String, index: Int, fence: Fence?) {
        self.controller = controller; self.ref = ref; self.region = region; self.index = index; self.fence = fence
    }

    func record(_ bytes: Int64) {
        controller.observers.progressed(region: region, index: index, bytes: bytes)
        let due = lastWrite.withLock { last in
            if Date().timeIntervalSince(last) < 1 { return false }
            last = Date()
            return true
        }
        guard due, var r = try? controller.store.replica(of: ref, region: region, index: index),
              r.state == .Replicating else { return }
        r.bytesDone = bytes
        try? controller.store.saveReplica(r, of: ref, fence: fence)
    }
}
