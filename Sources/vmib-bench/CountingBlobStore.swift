import Synchronization
import VMIBReplication
import VMIBTransfer

/// A `BlobStore` that counts the calls made through it (each is one request to an S3
/// endpoint, or one file operation on a directory region), by kind.
final class CountingBlobStore: ReadBackHashing {
    let inner: any BlobStore
    private let counts = Mutex<[String: Int]>([:])

    init(_ inner: any BlobStore) { self.inner = inner }

    var snapshot: [String: Int] { counts.withLock { $0 } }
    private func count(_ kind: String) { counts.withLock { $0[kind, default: 0] += 1 } }

    func upload(file: String, to key: String, digest: ObjectDigest, resume: UploadCheckpoint?, pacer: (any BytePacer)?,
                onCheckpoint: @escaping @Sendable (UploadCheckpoint?) -> Void,
                progress: @escaping @Sendable (Int64) -> Void) async throws -> ObjectInfo {
        count("upload")
        return try await inner.upload(file: file, to: key, digest: digest, resume: resume, pacer: pacer,
                                      onCheckpoint: onCheckpoint, progress: progress)
    }
    func copy(from sourceKey: String, to key: String, expected: ObjectDigest) async throws -> String? {
        count("copy"); return try await inner.copy(from: sourceKey, to: key, expected: expected)
    }
    func copyObject(from sourceKey: String, to key: String, expected: ObjectDigest) async throws -> ObjectCopy {
        count("copy"); return try await inner.copyObject(from: sourceKey, to: key, expected: expected)
    }
    func head(_ key: String) async throws -> ObjectInfo? { count("head"); return try await inner.head(key) }
    func verify(_ key: String, expected: ObjectDigest) async throws -> String {
        count("verify"); return try await inner.verify(key, expected: expected)
    }
    /// A GET when the store reads back (S3), else its re-hashing `verify` (a directory).
    func rehash(_ key: String, expected: ObjectDigest, pacer: (any BytePacer)?) async throws -> String {
        guard let readBack = inner as? any ReadBackHashing else { return try await verify(key, expected: expected) }
        count("get")
        return try await readBack.rehash(key, expected: expected, pacer: pacer)
    }
    func delete(_ key: String) async throws { count("delete"); try await inner.delete(key) }
    func list(prefix: String) async throws -> [String] { count("list"); return try await inner.list(prefix: prefix) }
    func abortUploads(prefix: String, keeping keep: Set<String>) async throws -> Int {
        count("abortUploads"); return try await inner.abortUploads(prefix: prefix, keeping: keep)
    }
    func pendingUploads(prefix: String) async throws -> [UploadCheckpoint] {
        count("pendingUploads"); return try await inner.pendingUploads(prefix: prefix)
    }
}
