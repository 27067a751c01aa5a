import Foundation

/// A `BlobStore` over one bucket of an S3-compatible server, spoken through libcurl with
/// AWS Signature V4.
///
/// Files below `S3Config.multipartThreshold` go up in one PUT; larger ones as resumable
/// multipart uploads. Copies above `S3Config.multipartCopyThreshold` are made in parts.
/// The SHA-256 of every object is stored as `x-amz-meta-sha256`.
public struct S3BlobStore: BlobStore {
    public let config: S3Config
    let client: S3Client

    public init(config: S3Config) {
        self.config = config
        self.client = S3Client(config: config)
    }

    /// `copyObject(from:to:expected:)`'s proof, without the ETag.
    public func copy(from sourceKey: String, to key: String, expected: ObjectDigest) async throws -> String? {
        try await copyObject(from: sourceKey, to: key, expected: expected).provenSHA256
    }

    /// Copies inside the bucket: one CopyObject up to `S3Config.multipartCopyThreshold`,
    /// UploadPartCopy parts above it (`MultipartCopy`), or one CopyObject anyway when the
    /// server does not copy parts (rclone 1.75 ignores the copy source of a part).
    ///
    /// What proves the copy without a HEAD:
    /// - one CopyObject: the server computes the copy's ETag from the bytes it wrote; equal
    ///   to `expected.md5`, it proves the copy. A multipart-form ETag (some servers keep
    ///   the source's, without hashing what they wrote) proves nothing: the caller
    ///   verifies then.
    /// - parts: each part's ETag is the MD5 of its range as the server copied it, and the
    ///   completion must answer `md5(part ETags)-N`. Equal to `expected.etag` — the upload's
    ///   ETag, computed from the bytes sent, when the source was uploaded by the same plan —
    ///   it proves the copy. An `expected.etag` of the same part count that differs fails
    ///   `.verificationFailed` and the copy is deleted; one of another part count (the
    ///   source was cut differently: another `partSize`) cannot be compared, and the
    ///   caller verifies.
    /// - Throws: `.fatal` for a missing source (404); `.verificationFailed` as above.
    public func copyObject(from sourceKey: String, to key: String, expected: ObjectDigest) async throws -> ObjectCopy {
        try BlobKey.validate(sourceKey)
        try BlobKey.validate(key)
        if expected.size > config.multipartCopyThreshold {
            let want = expected.etag.map(S3ETag.unquote)
            let copy = MultipartCopy(client: client, sourceKey: sourceKey, key: key)
            if case .copied(let etag) = try await copy.run(expected: expected) {
                guard let want, S3ETag.partCount(want) == S3ETag.partCount(etag) else {
                    return ObjectCopy(provenSHA256: nil, etag: etag)
                }
                guard etag == want else {
                    try? await client.deleteObject(key)
                    throw TransferError(code: .verificationFailed, target: client.target(key),
                                        message: "copy's multipart ETag \(etag), expected \(want)")
                }
                return ObjectCopy(provenSHA256: expected.sha256, etag: etag)
            }
        }
        let etag = try await client.copyObject(from: sourceKey, to: key)
        return ObjectCopy(provenSHA256: etag == expected.md5.lowercased() ? expected.sha256 : nil, etag: etag)
    }

    public func head(_ key: String) async throws -> ObjectInfo? {
        try BlobKey.validate(key)
        return try await client.headObject(key)
    }

    /// Checks the object with one HEAD, without reading it back:
    /// - the size must equal `expected.size`;
    /// - a recorded `x-amz-meta-sha256` must equal `expected.sha256`;
    /// - the ETag must equal `expected.md5` (single PUT, and servers like rclone that
    ///   report the whole-content MD5 for every object: that proves the content whatever
    ///   `expected.etag` says), or have the multipart form `<hex>-N`. A multipart ETag
    ///   depends on the part size and cannot be computed from the bytes' digest alone:
    ///   - with `expected.etag` (the ETag recorded from the upload or copy that made the
    ///     object) it must equal it, else `.verificationFailed`: the object was replaced
    ///     or damaged since;
    ///   - without, it is accepted only when the recorded SHA-256 is present and equal to
    ///     `expected.sha256` (and the size matches). The multipart ETag itself was checked
    ///     against the parts' MD5s when the upload completed.
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
        if S3ETag.isMultipartForm(etag) {
            if let want = expected.etag.map(S3ETag.unquote) {
                guard etag == want else { throw fail("ETag \(etag), expected \(want)") }
                return expected.sha256
            }
            if info.sha256 != nil { return expected.sha256 }
        }
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
