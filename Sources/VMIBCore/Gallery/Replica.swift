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

    public init(region: String, index: Int, storageAccountType: StorageAccountType,
                state: State = .Pending, bytesDone: Int64 = 0, attempts: Int = 0, retries: Int = 0,
                lastError: String? = nil, verifiedDigest: String? = nil, uploadID: String? = nil,
                updatedAt: Date) {
        self.region = region; self.index = index; self.storageAccountType = storageAccountType
        self.state = state; self.bytesDone = bytesDone; self.attempts = attempts; self.retries = retries
        self.lastError = lastError; self.verifiedDigest = verifiedDigest; self.uploadID = uploadID
        self.updatedAt = updatedAt
    }
}
