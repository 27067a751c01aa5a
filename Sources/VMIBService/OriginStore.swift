import Foundation
import VMIBCore
import VMIBTransfer

/// The origin: content-addressed copies of published disks in the state directory, so a
/// version can be replicated (or a failed region redone) after the user's file is gone.
struct OriginStore: Sendable {
    let root: String
    /// The topology's `origin` bucket, which every server reaches: a publish stores the disk
    /// and its chunk index there before recording the version, and a server without its own
    /// copy fetches it from there before replicating. nil: this directory alone.
    let shared: S3BlobStore?

    init(root: String, shared: S3BlobStore? = nil) { self.root = root; self.shared = shared }

    /// The shared origin's key of a disk, and of its chunk index (named as beside a local copy).
    static func sharedKey(_ sha256: String) -> String { "sha256/\(sha256)" }
    static func sharedIndexKey(_ sha256: String) -> String { ChunkIndexFile.path(forOrigin: sharedKey(sha256)) }

    /// Stores the origin copy of `disk` (and its chunk index) in the shared origin, unless an
    /// object of its size is there already (content-addressed: same key, same bytes).
    func share(_ disk: StorageProfile) async throws {
        guard let shared else { return }
        let key = Self.sharedKey(disk.sha256), indexKey = Self.sharedIndexKey(disk.sha256), file = path(for: disk.sha256)
        if try await shared.head(key)?.size != disk.sizeBytes {
            _ = try await shared.upload(file: file, to: key,
                                        digest: ObjectDigest(size: disk.sizeBytes, sha256: disk.sha256, md5: disk.md5),
                                        resume: nil, pacer: nil, onCheckpoint: { _ in }, progress: { _ in })
        }
        let index = ChunkIndexFile.path(forOrigin: file)
        if FileManager.default.fileExists(atPath: index), try await shared.head(indexKey) == nil {
            let digest = try FileDigest.of(index)
            _ = try await shared.upload(file: index, to: indexKey, digest: digest, resume: nil, pacer: nil,
                                        onCheckpoint: { _ in }, progress: { _ in })
        }
    }

    /// Makes sure this server has the origin copy of `disk`: fetched from the shared origin
    /// when it is not here (checked against the disk's SHA-256 before it is kept), with its
    /// chunk index when the shared origin has one.
    func fetch(_ disk: StorageProfile) async throws {
        let file = path(for: disk.sha256)
        guard let shared, !FileManager.default.fileExists(atPath: file) else { return }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let key = Self.sharedKey(disk.sha256), indexKey = Self.sharedIndexKey(disk.sha256)
        let index = ChunkIndexFile.path(forOrigin: file)
        if try await shared.head(indexKey) != nil {
            _ = try await shared.download(indexKey, to: index)
        }
        let staging = "\(root)/.fetch-\(UUID().uuidString)"
        let got = try await shared.download(key, to: staging)
        guard got.sha256 == disk.sha256 else {
            unlink(staging)
            throw TransferError(code: .verificationFailed, target: key,
                                message: "the shared origin's copy of \(disk.sha256) hashes to \(got.sha256)")
        }
        guard rename(staging, file) == 0 else {
            unlink(staging)
            throw TransferError(code: .fatal, target: file, message: "cannot keep the fetched origin copy: \(String(cString: strerror(errno)))")
        }
    }

    func path(for sha256: String) -> String { "\(root)/\(sha256)" }

    /// Removes the origin copy of a disk and its chunk index.
    func release(_ sha256: String) {
        _ = unlink(path(for: sha256))
        ChunkIndexFile.remove(forOrigin: path(for: sha256))
    }

    /// Copies `file` into the origin in one streaming pass that also hashes it and cuts it
    /// into a chunk index of `chunkSize` (stored beside the copy, for delta replication).
    /// - Throws: `DomainError` naming `--disk` when the file cannot be read or is empty.
    func ingest(_ file: String, chunkSize: Int64 = ChunkIndex.defaultChunkSize) throws -> StorageProfile {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let staging = "\(root)/.ingest-\(UUID().uuidString)"
        let digest: ObjectDigest, index: ChunkIndex
        do { (digest, index) = try FileDigest.copy(file, to: staging, chunkSize: chunkSize) } catch let e as TransferError {
            throw DomainError.invalid(.disk, e.message)
        }
        guard digest.size > 0 else {
            unlink(staging)
            throw DomainError.invalid(.disk, "'\(file)' is empty")
        }
        // The index first: an origin copy is never there without the index of its bytes.
        do { try ChunkIndexFile.write(index, forOrigin: path(for: digest.sha256)) } catch let e as TransferError {
            unlink(staging)
            throw DomainError(.refused, "cannot store the chunk index of the origin copy: \(e.message)")
        }
        guard rename(staging, path(for: digest.sha256)) == 0 else {
            unlink(staging)
            throw DomainError(.refused, "cannot store the origin copy: \(String(cString: strerror(errno)))")
        }
        return StorageProfile(sourcePath: file, sizeBytes: digest.size, sha256: digest.sha256, md5: digest.md5)
    }
}
