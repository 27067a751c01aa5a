import Foundation

/// One copy of a version's disk in one region: index 1…n.
public struct Replica: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        /// Wanted, nothing done yet.
        case Pending
        /// A transfer is (or was, before a crash) under way.
        case Replicating
        /// Bytes verified in the region.
        case Completed
        /// Retries exhausted or a fatal error; `lastError` says why.
        case Failed
    }

    public var region: String
    public var index: Int
    public var storageAccountType: StorageAccountType
    public var state: State
    public var bytesDone: Int64
    /// Attempts made since the replica was last (re)queued.
    public var attempts: Int
    /// Retries over the replica's whole life (throttling and errors), for status details.
    public var retries: Int
    public var lastError: String?
    /// SHA-256 read back from the region when the replica was verified.
    public var verifiedDigest: String?
    /// An unfinished multipart upload to resume after a crash.
    public var uploadID: String?
    public var updatedAt: Date
    /// The ETag of the stored object as the upload or copy that made it reported it (an S3
    /// multipart ETag is computed from the parts sent); a later check compares the object's
    /// ETag with it. nil for stores without ETags, and until the replica is made.
    public var etag: String?
    /// When the replica's bytes were last proven in its region (made, or re-checked by a
    /// scrub); nil until then, and again once the replica is re-made or retyped.
    public var lastVerifiedAt: Date?
    /// When the replica's bytes were last read back and re-hashed in its region (made, or a
    /// deep scrub); the longer scrub period counts from here.
    public var lastDeepVerifiedAt: Date?
    /// Bytes that crossed the link into the region to make this replica (a whole upload,
    /// or a delta upload's parts that differ); 0 for a copy inside the region; nil until
    /// made (and for replicas made before this was recorded).
    public var linkBytes: Int64?
    /// Bytes the region's server copied from an earlier version's object to make this
    /// replica (a delta upload's unchanged parts); nil until made.
    public var earlierVersionBytes: Int64?
    /// Where the link bytes came from when a region's agent made this replica: `origin`, or
    /// the region whose agent relayed them; nil when the controller wrote it from the origin.
    public var linkSource: String?

    public init(region: String, index: Int, storageAccountType: StorageAccountType,
                state: State = .Pending, bytesDone: Int64 = 0, attempts: Int = 0, retries: Int = 0,
                lastError: String? = nil, verifiedDigest: String? = nil, uploadID: String? = nil,
                updatedAt: Date, etag: String? = nil, lastVerifiedAt: Date? = nil, lastDeepVerifiedAt: Date? = nil) {
        self.region = region; self.index = index; self.storageAccountType = storageAccountType
        self.state = state; self.bytesDone = bytesDone; self.attempts = attempts; self.retries = retries
        self.lastError = lastError; self.verifiedDigest = verifiedDigest; self.uploadID = uploadID
        self.updatedAt = updatedAt; self.etag = etag; self.lastVerifiedAt = lastVerifiedAt
        self.lastDeepVerifiedAt = lastDeepVerifiedAt
    }
}
