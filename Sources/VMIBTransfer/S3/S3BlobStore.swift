import Foundation

/// A `BlobStore` over one bucket of an S3-compatible server, spoken through libcurl with
/// AWS Signature V4.
///
/// Files below `S3Config.multipartThreshold` go up in one PUT; larger ones as resumable
/// multipart uploads. The SHA-256 of every object is stored as `x-amz-meta-sha256`.
public struct S3BlobStore: BlobStore {
    public let config: S3Config
    let client: S3Client

    public init(config: S3Config) {
        self.config = config
        self.client = S3Client(config: config)
    }

    /// One CopyObject request (a missing source is the server's 404, `.fatal`). The server
    /// computes the copy's ETag from the bytes it wrote: equal to the expected MD5, it proves
    /// the copy without a HEAD. A multipart-form ETag (some servers keep the source's) proves
    /// nothing: the caller verifies then.
    public func copy(from sourceKey: String, to key: String, expected: ObjectDigest) async throws -> String? {
        try BlobKey.validate(sourceKey)
        try BlobKey.validate(key)
        let etag = try await client.copyObject(from: sourceKey, to: key)
        return etag?.lowercased() == expected.md5.lowercased() ? expected.sha256 : nil
    }

    public func head(_ key: String) async throws -> ObjectInfo? {
        try BlobKey.validate(key)
        return try await client.headObject(key)
    }

    /// Checks the object with one HEAD, without reading it back:
    /// - the size must equal `expected.size`;
    /// - a recorded `x-amz-meta-sha256` must equal `expected.sha256`;
    /// - the ETag must equal `expected.md5` (single PUT, and servers like rclone that
    ///   report the whole-content MD5 for every object), or have the multipart form
    ///   `<hex>-N`. The multipart ETag depends on the part size and cannot be computed
    ///   from `expected` alone, so that form is accepted only when the recorded SHA-256
    ///   is present and equal to `expected.sha256` (and the size matches). The multipart
    ///   ETag itself was checked against the parts' MD5s when the upload completed.
    public func verify(_ key: String, expected: ObjectDigest) async throws -> String {
        try BlobKey.validate(key)
        let target = client.target(key)
        func fail(_ why: String) -> TransferError {
            TransferError(code: .verificationFailed, target: target, message: why)
        }
        guard let info = try await client.headObject(key) else { throw fail("object is missing") }
        guard info.size == expected.size else {
            throw fail("size \(info.size), expected \(expected.size)")
        }
        if let recorded = info.sha256, recorded.lowercased() != expected.sha256.lowercased() {
            throw fail("recorded sha256 \(recorded), expected \(expected.sha256)")
        }
        guard let etag = info.etag else { throw fail("server sent no ETag") }
        if etag == expected.md5.lowercased() { return expected.sha256 }
        if S3ETag.isMultipartForm(etag), info.sha256 != nil { return expected.sha256 }
        throw fail("ETag \(etag) does not match MD5 \(expected.md5)")
    }

    public func delete(_ key: String) async throws {
        try BlobKey.validate(key)
        try await client.deleteObject(key)
    }

    public func list(prefix: String) async throws -> [String] {
        try BlobKey.validatePrefix(prefix)
        return try await client.listObjects(prefix: prefix)
    }

    public func abortUploads(prefix: String, keeping keep: Set<String>) async throws -> Int {
        var aborted = 0
        for upload in try await pendingUploads(prefix: prefix) where !keep.contains(upload.uploadID) {
            try await client.abortMultipartUpload(upload.key, uploadID: upload.uploadID)
            aborted += 1
        }
        return aborted
    }

    public func pendingUploads(prefix: String) async throws -> [UploadCheckpoint] {
        try BlobKey.validatePrefix(prefix)
        return try await client.listMultipartUploads(prefix: prefix)
    }
}
