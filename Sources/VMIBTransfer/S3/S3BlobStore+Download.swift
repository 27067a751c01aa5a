import Foundation

extension S3BlobStore {
    /// Streams the object at `key` into a file at `path` (GET). The bytes go to a temporary
    /// file beside `path`, which replaces `path` only once complete and flushed.
    ///
    /// - Parameters:
    ///   - pacer: blocks before each received chunk is written; nil = unlimited.
    ///   - progress: bytes received so far (throttled).
    /// - Returns: the size, SHA-256 and MD5 of the bytes received.
    /// - Throws: `TransferError`; `.fatal` (404) when the key does not exist,
    ///   `.verificationFailed` when a single-part ETag differs from the MD5 received.
    public func download(
        _ key: String, to path: String, pacer: (any BytePacer)? = nil,
        progress: @escaping @Sendable (Int64) -> Void = { _ in }
    ) async throws -> ObjectDigest {
        try BlobKey.validate(key)
        let staged = try StagedFile.create(for: path)
        let response: CurlResponse
        do {
            response = try await client.send(.get, key: key, sink: .file(staged.file), pacer: pacer,
                                             progress: progress, hashesSink: true)
        } catch {
            staged.discard()
            throw error
        }
        let received = response.received ?? StreamHasher().finalize()
        if let etag = response.etag, !S3ETag.isMultipartForm(etag), etag != received.md5 {
            staged.discard()
            throw TransferError(code: .verificationFailed, target: client.target(key),
                                message: "ETag \(etag) does not match the MD5 received, \(received.md5)")
        }
        try await BlockingThread.run(name: "vmib-commit") { _ in try staged.commit() }
        progress(received.size)
        return received
    }
}
