import Foundation

/// A part the server holds for an unfinished multipart upload.
struct S3UploadedPart: Sendable, Equatable {
    var etag: String
    var size: Int64
}

/// Multipart upload operations.
///
/// Sub-resources are sent as `?uploads=` rather than `?uploads`: that is the canonical
/// form SigV4 signs, and libcurl 7.88 signs the query exactly as written.
extension S3Client {
    /// CreateMultipartUpload, recording `sha256` as object metadata.
    /// - Returns: the upload id.
    func createMultipartUpload(_ key: String, sha256: String) async throws -> String {
        let response = try await send(.post, key: key, query: [("uploads", "")],
                                      headers: ["x-amz-meta-sha256: \(sha256)"])
        guard let id = try xml(response, key: key).value("UploadId"), !id.isEmpty else {
            throw TransferError(code: .retryable, status: response.status, target: target(key),
                                message: "CreateMultipartUpload answered without an UploadId")
        }
        return id
    }

    /// UploadPart, streaming `length` bytes of `file` from `offset`.
    /// - Parameter sha256: the part's SHA-256, hashed by the caller before sending.
    /// - Returns: the part's ETag and the digest of the bytes actually sent.
    func uploadPart(
        _ key: String, uploadID: String, number: Int, file: LocalFile, offset: Int64, length: Int64,
        sha256: String, pacer: (any BytePacer)?, progress: (@Sendable (Int64) -> Void)?
    ) async throws -> (etag: String?, sent: ObjectDigest) {
        let response = try await send(
            .put, key: key, query: [("partNumber", String(number)), ("uploadId", uploadID)],
            body: .file(file, offset: offset, length: length), payloadSHA256: sha256,
            pacer: pacer, progress: progress, hashesBody: true)
        return (response.etag, response.sent ?? StreamHasher().finalize())
    }

    /// UploadPart with `UNSIGNED-PAYLOAD`: no hashing pass before it is sent. The part's MD5
    /// (for its ETag) and `whole` (the file's SHA-256 so far) are fed as the bytes go.
    /// - Returns: the part's ETag, the MD5 of the bytes sent, and `whole` fed with them.
    func uploadPartUnsigned(
        _ key: String, uploadID: String, number: Int, file: LocalFile, offset: Int64, length: Int64,
        continuing whole: StreamHasher, pacer: (any BytePacer)?, progress: (@Sendable (Int64) -> Void)?
    ) async throws -> (etag: String?, md5: String, whole: StreamHasher) {
        let response = try await send(
            .put, key: key, query: [("partNumber", String(number)), ("uploadId", uploadID)],
            body: .file(file, offset: offset, length: length), payloadSHA256: Self.unsignedPayload,
            pacer: pacer, progress: progress, hashesBody: true, hashesBodyMD5Only: true, continuing: whole)
        guard let md5 = response.sent?.md5, let fed = response.continued else {
            preconditionFailure("a hashed body always has a digest")
        }
        return (response.etag, md5, fed)
    }

    /// ListParts, all pages; nil when the server does not know the upload (any more).
    func listParts(_ key: String, uploadID: String) async throws -> [Int: S3UploadedPart]? {
        var parts: [Int: S3UploadedPart] = [:]
        var marker: String?
        repeat {
            var query = [("uploadId", uploadID)]
            if let marker { query.append(("part-number-marker", marker)) }
            let response = try await send(.get, key: key, query: query, accepting: [404])
            if response.status == 404 { return nil }
            let xml = try xml(response, key: key)
            for part in xml.all("Part") {
                guard let number = part.value("PartNumber").flatMap(Int.init),
                      let etag = part.value("ETag") else { continue }
                parts[number] = S3UploadedPart(etag: S3ETag.unquote(etag),
                                               size: part.value("Size").flatMap { Int64($0) } ?? -1)
            }
            marker = xml.value("IsTruncated") == "true" ? xml.value("NextPartNumberMarker") : nil
        } while marker != nil
        return parts
    }

    /// CompleteMultipartUpload with `parts` (number, ETag) in ascending order.
    /// - Returns: the object's ETag.
    func completeMultipartUpload(_ key: String, uploadID: String, parts: [(Int, String)]) async throws -> String? {
        var body = "<CompleteMultipartUpload>"
        for (number, etag) in parts {
            body += "<Part><PartNumber>\(number)</PartNumber><ETag>\"\(etag)\"</ETag></Part>"
        }
        body += "</CompleteMultipartUpload>"
        let response = try await send(.post, key: key, query: [("uploadId", uploadID)],
                                      headers: ["content-type: application/xml"], body: .data(Data(body.utf8)))
        return try xml(response, key: key).value("ETag").map(S3ETag.unquote)
    }

    /// Completes an upload whose parts have these MD5s (number, hex MD5, ascending) and
    /// checks the answer: the object's ETag must be `md5(part MD5s)-N`, computed here.
    ///
    /// A completion that fails leaves nothing behind: on an error answer (including S3's
    /// 200 with an `<Error>` document, which may follow a half-done assembly) or a wrong
    /// ETag, the upload is aborted and `key` deleted, so no object that was never proven
    /// can be read there, and a retry starts a new upload. Cancellation is not a failure:
    /// whether the server completed is unknown then, and the next attempt looks.
    /// - Returns: the multipart ETag, computed from `parts` and confirmed by the server.
    /// - Throws: the completion's `TransferError`; `.verificationFailed` for a wrong ETag.
    func completeOrDiscard(_ key: String, uploadID: String, parts: [(Int, String)]) async throws -> String {
        let expected = S3ETag.multipart(partMD5s: parts.map(\.1))
        let etag: String?
        do {
            etag = try await completeMultipartUpload(key, uploadID: uploadID, parts: parts)
        } catch let error as TransferError {
            await discard(key, uploadID: uploadID)
            throw error
        }
        guard etag == expected else {
            await discard(key, uploadID: uploadID)
            throw TransferError(code: .verificationFailed, target: target(key),
                                message: "multipart ETag \(etag ?? "none"), expected \(expected)")
        }
        return expected
    }

    /// Aborts the upload and deletes `key`, each at best effort: the error that led here
    /// is the one worth reporting, and a server that is down keeps neither request.
    func discard(_ key: String, uploadID: String) async {
        try? await abortMultipartUpload(key, uploadID: uploadID)
        try? await deleteObject(key)
    }

    /// AbortMultipartUpload; an upload the server no longer knows counts as aborted.
    func abortMultipartUpload(_ key: String, uploadID: String) async throws {
        _ = try await send(.delete, key: key, query: [("uploadId", uploadID)], accepting: [404])
    }

    /// ListMultipartUploads under `prefix`, all pages.
    func listMultipartUploads(prefix: String) async throws -> [UploadCheckpoint] {
        var uploads: [UploadCheckpoint] = []
        var markers: (key: String, id: String)?
        repeat {
            var query = [("uploads", ""), ("prefix", prefix)]
            if let markers { query += [("key-marker", markers.key), ("upload-id-marker", markers.id)] }
            // rclone answers 404 NoSuchUpload when no upload was ever started under the
            // prefix; an empty list is what that means.
            let response = try await send(.get, key: nil, query: query, accepting: [404])
            if response.status == 404 {
                guard String(decoding: response.body, as: UTF8.self).contains("NoSuchUpload") else {
                    throw TransferError.http(status: 404, headers: response.headers, body: response.body,
                                             target: "\(config.endpoint)/\(config.bucket)", secrets: [config.secretKey])
                }
                return uploads
            }
            let xml = try xml(response, key: nil)
            for upload in xml.all("Upload") {
                guard let key = upload.value("Key"), let id = upload.value("UploadId") else { continue }
                uploads.append(UploadCheckpoint(key: key, uploadID: id))
            }
            if xml.value("IsTruncated") == "true", let key = xml.value("NextKeyMarker") {
                markers = (key, xml.value("NextUploadIdMarker") ?? "")
            } else {
                markers = nil
            }
        } while markers != nil
        return uploads
    }
}
