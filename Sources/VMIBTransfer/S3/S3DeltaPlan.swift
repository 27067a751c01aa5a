import VMIBCore

/// Which parts of a multipart upload can be copied from an earlier object in the bucket
/// (UploadPartCopy, same offsets) and which must be sent: a part is copied when every chunk
/// its byte range touches is the same in the new disk's index and the earlier one's.
/// Pure: the parts are the upload's own `S3PartPlan`, so a delta upload's object is cut
/// (and its multipart ETag computed) exactly as a full upload's.
struct S3DeltaPlan: Sendable, Equatable {
    /// One per part of the plan, in order: true = copy from the base.
    let copies: [Bool]
    /// Bytes of the parts copied, and of the parts sent.
    let copiedBytes: Int64
    let sentBytes: Int64

    init(plan: S3PartPlan, index: ChunkIndex, base: ChunkIndex) {
        copies = plan.parts.map { index.sameBytes(offset: $0.offset, length: $0.length, as: base) }
        copiedBytes = zip(plan.parts, copies).reduce(0) { $0 + ($1.1 ? $1.0.length : 0) }
        sentBytes = plan.parts.reduce(0) { $0 + $1.length } - copiedBytes
    }
}
