/// An in-bucket copy made of UploadPartCopy parts: how objects CopyObject refuses (over
/// 5 GiB on S3) are copied without their bytes leaving the server.
///
/// The copy is cut by the plan an upload of the same size uses (`S3PartPlan` with
/// `S3Config.partSize`), so when the source was uploaded with this configuration each
/// copied part is the same byte range as an uploaded part, and the copy's multipart ETag
/// equals the ETag the upload computed from the bytes it sent.
struct MultipartCopy: Sendable {
    let client: S3Client
    let sourceKey: String
    let key: String

    enum Outcome: Equatable {
        /// The copy is complete; its multipart ETag, computed from the parts' ETags and
        /// confirmed by the server's completion.
        case copied(etag: String)
        /// The server does not copy parts (it answered NotImplemented, or ignored the copy
        /// source): nothing was written, and one CopyObject is the way left.
        case unsupported
    }

    /// Copies `sourceKey` to `key` in parts.
    ///
    /// The source is looked at first (one HEAD): a missing one fails `.fatal`, and one
    /// whose size or recorded SHA-256 is not `expected`'s fails `.verificationFailed`, so
    /// ranges are never cut from a different object. The copy records `expected.sha256`
    /// as its `x-amz-meta-sha256` (parts carry no metadata). On any failure the upload is
    /// aborted; a failed completion also deletes `key` (`S3Client.completeOrDiscard`).
    func run(expected: ObjectDigest) async throws -> Outcome {
        guard let source = try await client.headObject(sourceKey) else {
            throw TransferError(code: .fatal, status: 404, target: client.target(sourceKey),
                                message: "copy source does not exist")
        }
        guard source.size == expected.size else {
            throw TransferError(code: .verificationFailed, target: client.target(sourceKey),
                                message: "copy source holds \(source.size) bytes, expected \(expected.size)")
        }
        if let recorded = source.sha256, recorded.lowercased() != expected.sha256.lowercased() {
            throw TransferError(code: .verificationFailed, target: client.target(sourceKey),
                                message: "copy source records sha256 \(recorded), expected \(expected.sha256)")
        }
        let plan = S3PartPlan(size: expected.size, preferredPartSize: client.config.partSize)
        let uploadID: String
        do {
            uploadID = try await client.createMultipartUpload(key, sha256: expected.sha256)
        } catch let error as TransferError where error.isNotImplemented {
            return .unsupported
        }
        var parts: [(Int, String)] = []
        do {
            // In order, one at a time: servers that assemble parts as a stream want them so.
            for part in plan.parts {
                try Task.checkCancellation()
                guard let etag = try await client.uploadPartCopy(key, uploadID: uploadID, part: part, from: sourceKey) else {
                    try? await client.abortMultipartUpload(key, uploadID: uploadID)
                    return .unsupported
                }
                guard S3ETag.isMD5(etag) else {
                    throw TransferError(code: .verificationFailed, target: client.target(key),
                                        message: "copied part \(part.number): ETag \(etag) is not an MD5")
                }
                parts.append((part.number, etag))
            }
        } catch let error as TransferError where error.isNotImplemented {
            try? await client.abortMultipartUpload(key, uploadID: uploadID)
            return .unsupported
        } catch {
            // Nobody resumes a copy: its upload is only a cost on the server. (Under
            // cancellation the abort may not go out; RegionPass aborts uploads no replica
            // knows on its next pass.)
            try? await client.abortMultipartUpload(key, uploadID: uploadID)
            throw error
        }
        return .copied(etag: try await client.completeOrDiscard(key, uploadID: uploadID, parts: parts))
    }
}
