import Foundation

/// Copies inside the bucket: UploadPartCopy, one part of a copy made in parts.
extension S3Client {
    /// `x-amz-copy-source` for `key` in this bucket: `/bucket/key`, encoded as a path.
    func copySource(_ key: String) -> String {
        "/" + AWSURIEncoding.encode(config.bucket) + "/" + AWSURIEncoding.encodePath(key)
    }

    /// UploadPartCopy: part `part.number` of upload `uploadID` becomes the bytes
    /// `part.copySourceRange` of `sourceKey`, copied by the server.
    /// - Returns: the part's ETag (the MD5 of the copied range); nil when the server
    ///   answered 2xx with an empty body instead of a `<CopyPartResult>`: it ignored
    ///   `x-amz-copy-source` and stored the (empty) request body as the part, which is
    ///   what rclone 1.75 does.
    /// - Throws: `TransferError`; S3's 200 with `<Error>` is `.retryable`.
    func uploadPartCopy(_ key: String, uploadID: String, part: S3PartPlan.Part, from sourceKey: String) async throws -> String? {
        let response = try await send(
            .put, key: key, query: [("partNumber", String(part.number)), ("uploadId", uploadID)],
            headers: ["x-amz-copy-source: \(copySource(sourceKey))",
                      "x-amz-copy-source-range: \(part.copySourceRange)"])
        if response.body.isEmpty { return nil }
        let result = try xml(response, key: key)
        guard result.name == "CopyPartResult" else { return nil }
        return result.value("ETag").map(S3ETag.unquote)
    }
}

extension TransferError {
    /// True when the server said it does not implement the request (501, or S3's
    /// `NotImplemented` code under another status).
    var isNotImplemented: Bool {
        status == 501 || message.hasPrefix("NotImplemented")
    }
}
