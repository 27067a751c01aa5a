import VMIBCore

/// A store that can make an object from an earlier object it holds plus the bytes that
/// differ (S3: a multipart upload whose unchanged parts are UploadPartCopy).
public protocol DeltaUploading: Sendable {
    /// Uploads `file` to `key`, copying from `base` (an object in the same store, holding
    /// the disk `baseIndex` describes, recorded with SHA-256 `baseSHA256`) every part whose
    /// chunks are the same in `index` and `baseIndex`, and sending the others.
    ///
    /// Every copied part's ETag must equal the MD5 of the local part (read here), else that
    /// part is sent instead; the whole file's SHA-256 must equal `digest` before the upload
    /// is completed. The object is cut exactly as `upload` cuts it, so its ETag (the
    /// result's) is the one a full upload would report.
    /// - Returns: nil when nothing was made and a full upload is the way: the store copies
    ///   no parts, the base is missing or not the recorded disk, or no part can be copied.
    /// - Throws: `TransferError`; the unfinished upload is aborted (nobody resumes a delta).
    func uploadDelta(
        file: String, to key: String, digest: ObjectDigest, index: ChunkIndex,
        base: String, baseSHA256: String, baseIndex: ChunkIndex,
        pacer: (any BytePacer)?, progress: @escaping @Sendable (Int64) -> Void
    ) async throws -> DeltaUpload?
}

/// What a delta upload made and how: the bytes sent over the link and the bytes the
/// server copied from the earlier object.
public struct DeltaUpload: Sendable, Hashable {
    public var object: ObjectInfo
    public var sentBytes: Int64
    public var copiedBytes: Int64
    /// Storage operations asked of the server (for usage accounting).
    public var requests: Int
    public init(object: ObjectInfo, sentBytes: Int64, copiedBytes: Int64, requests: Int) {
        self.object = object; self.sentBytes = sentBytes; self.copiedBytes = copiedBytes; self.requests = requests
    }
}
