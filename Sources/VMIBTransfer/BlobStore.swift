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
    /// - Returns: what the store reports for the stored object. Its `etag` is the one to
    ///   record with the replica and pass back as `ObjectDigest.etag` to later `verify`
    ///   calls: for an S3 multipart upload it is `md5(part MD5s)-N`, computed here from the
    ///   MD5s of the bytes sent for each part of the plan (and equal to the server's answer).
    /// - Throws: `TransferError`. A multipart upload whose completion failed leaves no
    ///   object at `key` and no unfinished upload (`onCheckpoint(nil)` is called).
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

    /// `copy(from:to:expected:)`, also saying which ETag the copy carries, so the caller can
    /// record it with the replica and hand it to later `verify` calls (`ObjectDigest.etag`).
    ///
    /// `expected.etag`, when given, is the ETag the copy must come out with: for an S3 copy
    /// made in parts it is compared with the copy's multipart ETag (see
    /// `S3BlobStore.copyObject`). A store without ETags ignores it.
    /// - Throws: `.verificationFailed` when the copy's own hash or ETag differs from
    ///   `expected`; the copy is removed then.
    func copyObject(from sourceKey: String, to key: String, expected: ObjectDigest) async throws -> ObjectCopy

    /// The object's size, ETag and recorded SHA-256, or nil when there is no such key.
    func head(_ key: String) async throws -> ObjectInfo?

    /// Proves the object at `key` holds exactly `expected`: size, and content as the store
    /// itself computed it (S3: the server's ETag against the MD5 or multipart ETag of the
    /// expected bytes, plus the recorded SHA-256; directory: the file is read back and hashed).
    /// A multipart-form ETag is compared with `expected.etag` when one is given.
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
    /// The ETag one stored object is expected to carry, when it is more than `md5` can
    /// say: an S3 multipart ETag (`md5(part MD5s)-N`) depends on how the object was cut
    /// into parts, so it is known only from the upload or copy that made it
    /// (`ObjectInfo.etag` of `upload`, `ObjectCopy.etag` of `copyObject`). nil: no such
    /// expectation (a file's digest never has one). Unlike the rest of the digest it
    /// describes an object, not bytes: set it per replica (`expecting(etag:)`).
    public var etag: String?
    public init(size: Int64, sha256: String, md5: String, etag: String? = nil) {
        self.size = size; self.sha256 = sha256; self.md5 = md5; self.etag = etag
    }

    /// The same digest, expecting the stored object to carry `etag` (nil: no expectation).
    public func expecting(etag: String?) -> ObjectDigest {
        var digest = self
        digest.etag = etag
        return digest
    }
}

/// What an in-store copy made.
public struct ObjectCopy: Sendable, Hashable {
    /// `expected.sha256` when the copy proved its content equal to the expected bytes by
    /// itself (the store hashed what it wrote, or the server's ETag of the copy is the
    /// expected MD5 or multipart ETag); nil when only `verify` can tell.
    public var provenSHA256: String?
    /// The copy's ETag as the store reported it (for a copy made in parts, checked against
    /// the parts' ETags); nil for stores without ETags.
    public var etag: String?
    public init(provenSHA256: String?, etag: String?) {
        self.provenSHA256 = provenSHA256; self.etag = etag
    }
}

extension BlobStore {
    /// For stores that only implement `copy(from:to:expected:)`: no ETag to report.
    public func copyObject(from sourceKey: String, to key: String, expected: ObjectDigest) async throws -> ObjectCopy {
        ObjectCopy(provenSHA256: try await copy(from: sourceKey, to: key, expected: expected), etag: nil)
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
