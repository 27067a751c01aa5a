import Foundation

/// A `BlobStore` over a local directory: the default region storage of an embedded vmib.
///
/// Object `a/b/c` is the file `root/a/b/c`. Writes go to a temporary file in the same
/// directory, are fsynced and renamed into place, so a key never holds a partial object.
/// The SHA-256 computed while writing is recorded in a sidecar file `a/b/.vmib.c.sha256`
/// (names starting with `.vmib.` are reserved and never listed), because extended
/// attributes are not available on every file system the state directory may live on.
///
/// All file work runs on dedicated threads, never on the Swift concurrency pool.
public struct DirectoryBlobStore: BlobStore {
    /// Absolute path of the store's root directory (created on first write).
    public let root: String

    public init(root: String) {
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    /// Streams `file` into the store. The bytes are hashed as they are copied; when they do
    /// not hash to `digest.sha256` the copy is discarded and the call fails `.fatal`
    /// ("source changed"). `resume` is ignored (a directory has no multipart uploads) and
    /// `onCheckpoint` is never called.
    public func upload(
        file: String, to key: String, digest: ObjectDigest,
        resume: UploadCheckpoint?, pacer: (any BytePacer)?,
        onCheckpoint: @escaping @Sendable (UploadCheckpoint?) -> Void,
        progress: @escaping @Sendable (Int64) -> Void
    ) async throws -> ObjectInfo {
        let destination = try path(for: key)
        return try await BlockingThread.run(name: "vmib-dir-upload") { cancellation in
            let source = try LocalFile.openForReading(file)
            let size = try source.size()
            guard size == digest.size else {
                throw TransferError(code: .fatal, target: file,
                                    message: "source changed: size \(size), expected \(digest.size)")
            }
            let written = try Self.write(source, size: size, to: destination, pacer: pacer,
                                         cancellation: cancellation, progress: progress) { written in
                guard written.sha256 == digest.sha256.lowercased() else {
                    throw TransferError.sourceChanged(file, expected: digest.sha256, actual: written.sha256)
                }
            }
            progress(size)
            return ObjectInfo(size: size, etag: nil, sha256: written.sha256)
        }
    }

    /// Copies the file inside the store (read, hash, write, rename). Fails
    /// `.verificationFailed` when the source no longer matches its recorded SHA-256, so a
    /// damaged object is not spread further.
    /// Hashes the bytes as it writes them: the copy proves itself.
    public func copy(from sourceKey: String, to key: String, expected: ObjectDigest) async throws -> String? {
        let sourcePath = try path(for: sourceKey)
        let destination = try path(for: key)
        return try await BlockingThread.run(name: "vmib-dir-copy") { cancellation in
            guard FileManager.default.fileExists(atPath: sourcePath) else {
                throw TransferError(code: .fatal, target: sourceKey, message: "copy source does not exist")
            }
            let source = try LocalFile.openForReading(sourcePath)
            let recorded = Self.recordedSHA256(of: sourcePath)
            let written = try Self.write(source, size: try source.size(), to: destination, pacer: nil,
                                         cancellation: cancellation, progress: nil) { written in
                if let recorded, recorded != written.sha256 {
                    throw TransferError(code: .verificationFailed, target: sourceKey,
                                        message: "source holds sha256 \(written.sha256), recorded \(recorded)")
                }
                guard written.sha256 == expected.sha256.lowercased(), written.size == expected.size else {
                    throw TransferError(code: .verificationFailed, target: key,
                                        message: "copy holds sha256 \(written.sha256) (\(written.size) bytes), expected \(expected.sha256) (\(expected.size) bytes)")
                }
            }
            return written.sha256
        }
    }

    public func head(_ key: String) async throws -> ObjectInfo? {
        let path = try path(for: key)
        return try await BlockingThread.run(name: "vmib-dir-head") { _ in
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  attributes[.type] as? FileAttributeType == .typeRegular,
                  let size = attributes[.size] as? NSNumber else { return nil }
            return ObjectInfo(size: size.int64Value, etag: nil, sha256: Self.recordedSHA256(of: path))
        }
    }

    /// Reads the whole file back and hashes it: the size and SHA-256 must equal `expected`.
    public func verify(_ key: String, expected: ObjectDigest) async throws -> String {
        let path = try path(for: key)
        return try await BlockingThread.run(name: "vmib-dir-verify") { cancellation in
            func fail(_ why: String) -> TransferError {
                TransferError(code: .verificationFailed, target: key, message: why)
            }
            guard FileManager.default.fileExists(atPath: path) else { throw fail("object is missing") }
            let file = try LocalFile.openForReading(path)
            let size = try file.size()
            guard size == expected.size else { throw fail("size \(size), expected \(expected.size)") }
            var hasher = StreamHasher()
            try FileChunks.read(file, offset: 0, length: size, cancellation: cancellation) { hasher.update($0) }
            let actual = hasher.finalize().sha256
            guard actual == expected.sha256.lowercased() else {
                throw fail("sha256 \(actual), expected \(expected.sha256)")
            }
            return actual
        }
    }

    /// Removes the file and its sidecar, then any directories the removal left empty.
    public func delete(_ key: String) async throws {
        let path = try path(for: key)
        let root = self.root
        try await BlockingThread.run(name: "vmib-dir-delete") { _ in
            try LocalFile.removeIfPresent(Self.sidecarPath(of: path))
            try LocalFile.removeIfPresent(path)
            var directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            while directory.count > root.count, directory.hasPrefix(root + "/"),
                  rmdir(directory) == 0 {
                directory = URL(fileURLWithPath: directory).deletingLastPathComponent().path
            }
        }
    }

    public func list(prefix: String) async throws -> [String] {
        try BlobKey.validatePrefix(prefix)
        let root = self.root
        return try await BlockingThread.run(name: "vmib-dir-list") { _ in
            DirectoryListing(root: root).keys(prefix: prefix)
        }
    }

    /// Always 0: a directory store has no multipart uploads.
    public func abortUploads(prefix: String, keeping keep: Set<String>) async throws -> Int { 0 }

    /// Always empty: a directory store has no multipart uploads.
    public func pendingUploads(prefix: String) async throws -> [UploadCheckpoint] { [] }
}
