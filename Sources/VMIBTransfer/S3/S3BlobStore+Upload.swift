import Foundation

extension S3BlobStore {
    /// Uploads `file` to `key`: one PUT below `multipartThreshold`, a multipart upload above.
    ///
    /// Multipart specifics:
    /// - `onCheckpoint` gets the new upload's id right after CreateMultipartUpload, before
    ///   any part is sent, and nil once the upload completed or was aborted. A resumed
    ///   upload (`resume`) keeps its id and is not reported again.
    /// - With `resume`, parts the server lists whose ETag equals the MD5 of the local part
    ///   are kept; the rest are sent. An id the server no longer knows starts a new upload.
    /// - On a `.fatal` or `.verificationFailed` error while parts are sent the upload is
    ///   aborted; on retryable errors and cancellation it is left for a resume.
    /// - A completion that fails (an error answer, S3's 200 with `<Error>`, or an ETag
    ///   other than the parts') aborts the upload and deletes `key`: no unproven object
    ///   stays behind, and a retry starts over.
    /// - `progress` counts parts found on the server as done, so it reads as the upload's
    ///   position rather than the bytes sent by this call.
    ///
    /// Verification: the server's ETag must equal the MD5 of the bytes sent (single PUT)
    /// or `md5(part MD5s)-N` (multipart), else `.verificationFailed`. That ETag, computed
    /// locally, is the result's `etag`: record it and pass it as `ObjectDigest.etag` to
    /// later `verify` calls. Bytes that do not hash to `digest.sha256` fail `.fatal`
    /// ("source changed"). `digest.etag` is not used.
    public func upload(
        file: String, to key: String, digest: ObjectDigest,
        resume: UploadCheckpoint?, pacer: (any BytePacer)?,
        onCheckpoint: @escaping @Sendable (UploadCheckpoint?) -> Void,
        progress: @escaping @Sendable (Int64) -> Void
    ) async throws -> ObjectInfo {
        try BlobKey.validate(key)
        let source = try LocalFile.openForReading(file)
        let size = try source.size()
        guard size == digest.size else {
            throw TransferError(code: .fatal, target: file,
                                message: "source changed: size \(size), expected \(digest.size)")
        }
        guard size > 0, size >= config.multipartThreshold else {
            if let resume, resume.key == key {
                // The file is now sent in one piece; the old multipart upload is useless.
                try? await client.abortMultipartUpload(resume.key, uploadID: resume.uploadID)
                onCheckpoint(nil)
            }
            return try await putObject(source, key: key, digest: digest, pacer: pacer, progress: progress)
        }
        let upload = try await MultipartUpload.start(
            client: client, key: key, sha256: digest.sha256, resume: resume, onCheckpoint: onCheckpoint)
        let plan = S3PartPlan(size: size, preferredPartSize: config.partSize)
        let partMD5s: [String]
        do {
            partMD5s = try await upload.sendParts(source, plan: plan, digest: digest, pacer: pacer, progress: progress)
        } catch let error as TransferError where error.code == .fatal || error.code == .verificationFailed {
            try? await client.abortMultipartUpload(key, uploadID: upload.uploadID)
            onCheckpoint(nil)
            throw error
        }
        do {
            let etag = try await upload.complete(plan, partMD5s: partMD5s)
            onCheckpoint(nil)
            return ObjectInfo(size: size, etag: etag, sha256: digest.sha256)
        } catch let error as TransferError {
            // The upload was aborted and the key emptied: nothing is left to resume.
            onCheckpoint(nil)
            throw error
        }
    }

    /// One PUT, streamed from the file. The payload hash header is `digest.sha256`: it is
    /// the real hash if the file is unchanged, and we hash the bytes as they go to check.
    private func putObject(
        _ source: LocalFile, key: String, digest: ObjectDigest,
        pacer: (any BytePacer)?, progress: @escaping @Sendable (Int64) -> Void
    ) async throws -> ObjectInfo {
        let response = try await client.send(
            .put, key: key, headers: ["x-amz-meta-sha256: \(digest.sha256)"],
            body: .file(source, offset: 0, length: digest.size), payloadSHA256: digest.sha256,
            pacer: pacer, progress: progress, hashesBody: true)
        let sent = response.sent ?? StreamHasher().finalize()
        guard sent.sha256 == digest.sha256.lowercased() else {
            // A server that does not check the payload hash stored the wrong bytes under
            // a SHA-256 that lies about them: remove them.
            try? await client.deleteObject(key)
            throw TransferError.sourceChanged(source.path, expected: digest.sha256, actual: sent.sha256)
        }
        guard let etag = response.etag, etag == sent.md5 else {
            throw TransferError(code: .verificationFailed, target: client.target(key),
                                message: "ETag \(response.etag ?? "none") does not match the MD5 sent, \(sent.md5)")
        }
        progress(digest.size)
        return ObjectInfo(size: digest.size, etag: etag, sha256: digest.sha256)
    }
}
