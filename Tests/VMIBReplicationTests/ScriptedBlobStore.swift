import Foundation
import Synchronization
import VMIBTransfer

/// An in-memory `BlobStore` for the controller's unit tests: objects are byte counts and
/// digests, and a script can make the next calls fail (throttle, 5xx, fatal). Integration
/// tests use real S3 servers instead.
final class ScriptedBlobStore: BlobStore {
    struct Counts: Equatable { var uploads = 0; var copies = 0; var verifies = 0; var deletes = 0 }
    private struct State {
        var objects: [String: ObjectDigest] = [:]
        var failures: [TransferError] = []
        var counts = Counts()
        var uploading = 0
        var maxUploading = 0
        var heads = 0
        /// The SHA-256 recorded with each object when it was written (S3 metadata): damage
        /// to the bytes afterwards leaves it as it was.
        var recorded: [String: String] = [:]
    }
    private let state = Mutex(State())
    /// Whether a copy proves itself (S3 answering the expected MD5 as the copy's ETag), or
    /// leaves the proof to `verify` (a multipart-form ETag).
    let copiesProveThemselves: Bool

    /// Runs inside every upload, before it lands (to change the store mid-pass, or to hold
    /// the upload open while another starts).
    let duringUpload: (@Sendable (String) async -> Void)?

    init(copiesProveThemselves: Bool = false, duringUpload: (@Sendable (String) async -> Void)? = nil) {
        self.copiesProveThemselves = copiesProveThemselves
        self.duringUpload = duringUpload
    }

    /// The most uploads that were in progress at once.
    var maxConcurrentUploads: Int { state.withLock { $0.maxUploading } }

    /// The next calls that move bytes (upload, copy) fail with these, in order.
    func failNext(_ errors: [TransferError]) { state.withLock { $0.failures += errors } }
    var counts: Counts { state.withLock { $0.counts } }
    var keys: [String] { state.withLock { $0.objects.keys.sorted() } }
    /// HEADs answered (a scrub's cheap checks, and an upload's look for a landed object).
    var heads: Int { state.withLock { $0.heads } }

    /// The object vanishes behind the controller's back (deleted in its region).
    func lose(_ key: String) { state.withLock { _ = $0.objects.removeValue(forKey: key) } }
    /// The object's bytes change behind the controller's back: with `visibleToHead`, the
    /// server's ETag (MD5) changes too; without, only a re-hash can tell.
    func damage(_ key: String, visibleToHead: Bool) {
        state.withLock { s in
            s.objects[key]?.sha256 = String(repeating: "f", count: 64)
            if visibleToHead { s.objects[key]?.md5 = String(repeating: "e", count: 32) }
        }
    }

    /// Bytes equal, and the object's ETag (here its MD5) the one expected when one is.
    private static func holds(_ d: ObjectDigest, _ expected: ObjectDigest) -> Bool {
        d.size == expected.size && d.sha256 == expected.sha256 && d.md5 == expected.md5
            && (expected.etag == nil || expected.etag == d.md5)
    }

    private func takeFailure() throws {
        if let e = state.withLock({ s -> TransferError? in s.failures.isEmpty ? nil : s.failures.removeFirst() }) { throw e }
    }

    func upload(file: String, to key: String, digest: ObjectDigest, resume: UploadCheckpoint?, pacer: (any BytePacer)?,
                onCheckpoint: @escaping @Sendable (UploadCheckpoint?) -> Void,
                progress: @escaping @Sendable (Int64) -> Void) async throws -> ObjectInfo {
        state.withLock { $0.counts.uploads += 1 }
        try takeFailure()
        state.withLock { $0.uploading += 1; $0.maxUploading = max($0.maxUploading, $0.uploading) }
        defer { state.withLock { $0.uploading -= 1 } }
        await duringUpload?(key)
        try Task.checkCancellation()
        progress(digest.size)
        state.withLock { $0.objects[key] = digest; $0.recorded[key] = digest.sha256 }
        return ObjectInfo(size: digest.size, etag: digest.md5, sha256: digest.sha256)
    }

    func copy(from sourceKey: String, to key: String, expected: ObjectDigest) async throws -> String? {
        state.withLock { $0.counts.copies += 1 }
        try takeFailure()
        guard let d = state.withLock({ $0.objects[sourceKey] }) else {
            throw TransferError(code: .fatal, status: 404, target: sourceKey, message: "NoSuchKey")
        }
        state.withLock { $0.objects[key] = d; $0.recorded[key] = $0.recorded[sourceKey] }
        guard copiesProveThemselves else { return nil }
        guard Self.holds(d, expected) else { throw TransferError(code: .verificationFailed, target: key, message: "copy digest differs") }
        return d.sha256
    }

    func head(_ key: String) async throws -> ObjectInfo? {
        state.withLock { s in
            s.heads += 1
            return s.objects[key].map { ObjectInfo(size: $0.size, etag: $0.md5, sha256: s.recorded[key]) }
        }
    }

    func verify(_ key: String, expected: ObjectDigest) async throws -> String {
        state.withLock { $0.counts.verifies += 1 }
        guard let d = state.withLock({ $0.objects[key] }), Self.holds(d, expected) else {
            throw TransferError(code: .verificationFailed, target: key, message: "digest differs")
        }
        return d.sha256
    }

    func delete(_ key: String) async throws {
        state.withLock { $0.counts.deletes += 1; $0.objects[key] = nil }
    }

    func list(prefix: String) async throws -> [String] { keys.filter { $0.hasPrefix(prefix) } }
    func abortUploads(prefix: String, keeping keep: Set<String>) async throws -> Int { 0 }
    func pendingUploads(prefix: String) async throws -> [UploadCheckpoint] { [] }
}
