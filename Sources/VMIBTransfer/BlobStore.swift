/// A place that holds objects (a region's storage account): a local directory or an
/// S3-compatible bucket. Every byte that crosses to a storage endpoint goes through one.
///
/// Keys are `/`-separated relative paths (`vmib/rg/gallery/image/1.0.0/replica-1`).
/// Every call is safe to repeat: uploading or copying onto an existing key replaces it,
/// deleting a missing key succeeds.
public protocol BlobStore: Sendable {
    /// Streams a local file to `key`. Memory does not grow with the file size.
    ///
    /// - Parameters:
    ///   - file: absolute path of the local file.
    ///   - key: destination key.
    ///   - digest: what the file is expected to hold; the upload fails `.fatal` when the
    ///     bytes read differ, and the store records the SHA-256 with the object.
    ///   - resume: a multipart upload started earlier for the same key and file
    ///     (from `onCheckpoint`): parts already on the server whose ETag matches the local
    ///     part are not sent again. Ignored by stores without multipart uploads, or when
    ///     the server no longer knows it (then a new upload starts).
    ///   - pacer: blocks the sending thread to keep a region's bytes/s limit; nil = unlimited.
    ///   - onCheckpoint: called when a resumable upload starts (with its id), so the caller
    ///     can persist it before bytes flow; called with nil once it completed or was aborted.
    ///   - progress: called with the total bytes sent so far (not more than a few times per second).
    /// - Returns: what the store reports for the stored object.
    /// - Throws: `TransferError`.
    func upload(
        file: String, to key: String, digest: ObjectDigest,
        resume: UploadCheckpoint?, pacer: (any BytePacer)?,
        onCheckpoint: @escaping @Sendable (UploadCheckpoint?) -> Void,
        progress: @escaping @Sendable (Int64) -> Void
    ) async throws -> ObjectInfo

    /// Copies `sourceKey` to `key` inside the same store, without the bytes leaving it
    /// (S3 CopyObject; a file copy for a directory).
    /// - Returns: `expected.sha256` when the copy itself proves its content equal to
    ///   `expected` (the store hashed the bytes it wrote, or the server's ETag of the copy,
    ///   its MD5, is `expected.md5`); nil when only a later `verify` can tell.
    /// - Throws: `.verificationFailed` when the copy's own hash differs from `expected`.
    func copy(from sourceKey: String, to key: String, expected: ObjectDigest) async throws -> String?

    /// The object's size, ETag and recorded SHA-256, or nil when there is no such key.
    func head(_ key: String) async throws -> ObjectInfo?

    /// Proves the object at `key` holds exactly `expected`: size, and content as the store
    /// itself computed it (S3: the server's ETag against the MD5 or multipart ETag of the
    /// expected bytes, plus the recorded SHA-256; directory: the file is read back and hashed).
    /// - Returns: the verified SHA-256 (hex).
    /// - Throws: `TransferError` with code `.verificationFailed` naming what differs.
    func verify(_ key: String, expected: ObjectDigest) async throws -> String

    /// Removes `key`; succeeds when it is already gone.
    func delete(_ key: String) async throws

    /// Keys under `prefix`.
    func list(prefix: String) async throws -> [String]

    /// Aborts every unfinished multipart upload under `prefix` whose id is not in `keep`.
    /// - Returns: how many were aborted. Stores without multipart uploads return 0.
    func abortUploads(prefix: String, keeping keep: Set<String>) async throws -> Int

    /// Unfinished multipart uploads under `prefix` (ids), for checks and tests.
    func pendingUploads(prefix: String) async throws -> [UploadCheckpoint]
}

/// What a file holds: size, SHA-256 and MD5 (hex, lowercase). MD5 is only there because
/// S3 servers compute it as the ETag, so it lets us check what the server received.
public struct ObjectDigest: Sendable, Hashable, Codable {
    public var size: Int64
    public var sha256: String
    public var md5: String
    public init(size: Int64, sha256: String, md5: String) {
        self.size = size; self.sha256 = sha256; self.md5 = md5
    }
}

/// A store's answer about one object.
public struct ObjectInfo: Sendable, Hashable {
    public var size: Int64
    /// The ETag without quotes, when the store has one.
    public var etag: String?
    /// The SHA-256 recorded with the object at upload, when there is one.
    public var sha256: String?
    public init(size: Int64, etag: String?, sha256: String?) {
        self.size = size; self.etag = etag; self.sha256 = sha256
    }
}

/// An unfinished resumable (multipart) upload.
public struct UploadCheckpoint: Sendable, Hashable, Codable {
    public var key: String
    public var uploadID: String
    public init(key: String, uploadID: String) { self.key = key; self.uploadID = uploadID }
}

/// Paces bytes on the wire. Called from the transfer's own thread before each chunk is
/// handed to the network; it blocks that thread until the bytes may go.
public protocol BytePacer: Sendable {
    func pace(bytes: Int)
}
