import Foundation
import VMIBCore
import VMIBStore
import VMIBTransfer

/// One check of one Completed replica, under its region's one budget (a place in the
/// concurrency gate, each request admitted by the request pacer, a re-hash's bytes paced):
/// a HEAD (the object exists, its size and ETag are the ones recorded), and for a deep
/// check a full read-back and re-hash. A replica that holds gets its lastVerifiedAt
/// moved; a missing or corrupt one goes back to Pending (and its version to Updating), so
/// the next pass re-makes it. Runs as a task the pass started; never waits on a clock.
struct ReplicaScrub: Sendable {
    let controller: ReplicationController
    let version: ImageVersion
    let replica: Replica
    let endpoint: RegionEndpoint
    let blobs: any BlobStore
    let deep: Bool
    /// The lease the check was started under (see `ReplicaTransfer.fence`).
    let fence: Fence?

    var id: ReplicaID { ReplicaID(version: version.ref, region: replica.region, index: replica.index) }
    private var digest: ObjectDigest {
        ObjectDigest(size: version.storageProfile.sizeBytes, sha256: version.storageProfile.sha256,
                     md5: version.storageProfile.md5).expecting(etag: replica.etag)
    }

    func run() async {
        let result: ScrubFinding.Result
        do {
            let problem = try await endpoint.gate.withPlace { try await check() }
            let store = controller.store, ref = version.ref, at = controller.date()
            if let problem {
                result = try store.requeueDamagedReplica(region: replica.region, index: replica.index, of: ref,
                                                         reason: problem, at: at, fence: fence)
                    ? .requeued(problem) : .unchecked("the replica changed while it was checked")
                if let changed = try? store.replica(of: ref, region: replica.region, index: replica.index) {
                    controller.observers.changed(changed)
                }
            } else {
                try store.recordVerification(region: replica.region, index: replica.index, of: ref, at: at, deep: deep,
                                             fence: fence)
                result = .verified
            }
        } catch is CancellationError {
            return
        } catch {
            if Task.isCancelled { return }
            result = .unchecked("\(error)")
        }
        let finding = ScrubFinding(region: replica.region, index: replica.index, deep: deep, result: result)
        let retryAt = controller.now() + Self.uncheckedWait
        controller.live.withLock { l in
            l.findings[version.ref, default: []].append(finding)
            if case .unchecked = result { l.checkAfter[id] = retryAt } else { l.checkAfter.removeValue(forKey: id) }
        }
    }

    /// How long a replica whose check failed (the endpoint, not the replica) waits before
    /// its next scheduled check, so a failing endpoint is not hammered.
    static let uncheckedWait: Duration = .seconds(60)

    /// What is wrong with the object, or nil when it holds. Throws when it could not tell.
    func check() async throws -> String? {
        let key = version.ref.replicaKey(index: replica.index)
        let region = replica.region
        try await endpoint.requests.admit()
        guard let info = try await blobs.head(key) else { return "missing in \(region)" }
        if let problem = Self.headProblem(info, replica: replica, digest: digest) { return problem }
        guard deep else { return nil }
        try await endpoint.requests.admit()
        do {
            let sha256 = try await rehash(key)
            guard sha256.lowercased() == digest.sha256.lowercased() else {
                return "SHA-256 differs in \(region): \(sha256), expected \(digest.sha256)"
            }
            return nil
        } catch let e as TransferError where e.code == .verificationFailed {
            return "SHA-256 differs in \(region): \(e.message)"
        } catch let e as TransferError where e.status == 404 {
            return "missing in \(region)"
        }
    }

    /// The cheap check's verdict on a HEAD: size equal, a recorded SHA-256 equal, and an
    /// ETag equal to the one recorded when the replica was made or to the content's MD5
    /// (a single PUT, or a server such as rclone that reports the MD5 of every object).
    static func headProblem(_ info: ObjectInfo, replica: Replica, digest: ObjectDigest) -> String? {
        let region = replica.region
        guard info.size == digest.size else {
            return "size/ETag differs in \(region): size \(info.size), expected \(digest.size)"
        }
        if let recorded = info.sha256, recorded.lowercased() != digest.sha256.lowercased() {
            return "SHA-256 differs in \(region): recorded \(recorded), expected \(digest.sha256)"
        }
        guard let etag = info.etag.map(Self.unquote) else { return nil }
        // An empty ETag: the server still lists the object (rclone's directory cache) but
        // could not hash its file, which is gone.
        if etag.isEmpty { return "missing in \(region) (listed, but the server cannot read it)" }
        var accepted = [Self.unquote(digest.md5)]
        if let recorded = replica.etag.map(Self.unquote), recorded != accepted[0] { accepted.append(recorded) }
        if accepted.contains(etag) { return nil }
        // A multipart ETag with nothing recorded to compare it with (a replica made before
        // ETags were recorded) cannot be judged by a HEAD: the deep check can.
        if replica.etag == nil, etag.contains("-") { return nil }
        return "size/ETag differs in \(region): ETag \(etag), expected \(accepted.joined(separator: " or "))"
    }

    private static func unquote(_ etag: String) -> String {
        etag.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")).lowercased()
    }

    /// Reads the object back and hashes it: a directory store's `verify` does exactly that;
    /// an S3 object is downloaded (paced like any transfer into the region) and hashed.
    private func rehash(_ key: String) async throws -> String {
        guard let readBack = blobs as? any ReadBackHashing else { return try await blobs.verify(key, expected: digest) }
        return try await readBack.rehash(key, expected: digest, pacer: endpoint.bytes)
    }
}
