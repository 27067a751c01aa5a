import Foundation
import VMIBCore
import VMIBTransfer

/// The origin: content-addressed copies of published disks in the state directory, so a
/// version can be replicated (or a failed region redone) after the user's file is gone.
struct OriginStore: Sendable {
    let root: String

    init(root: String) { self.root = root }

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
