import Foundation

/// One multipart upload in progress: started fresh or picked up from a checkpoint.
struct MultipartUpload: Sendable {
    let client: S3Client
    let key: String
    let uploadID: String
    /// Parts the server already holds (empty for a fresh upload).
    let partsOnServer: [Int: S3UploadedPart]

    /// Resumes `resume` when the server still knows it, else creates a new upload and
    /// reports it through `onCheckpoint` before anything is sent.
    static func start(
        client: S3Client, key: String, sha256: String, resume: UploadCheckpoint?,
        onCheckpoint: @Sendable (UploadCheckpoint?) -> Void
    ) async throws -> MultipartUpload {
        if let resume, resume.key == key,
           let parts = try await client.listParts(key, uploadID: resume.uploadID) {
            return MultipartUpload(client: client, key: key, uploadID: resume.uploadID, partsOnServer: parts)
        }
        let id = try await client.createMultipartUpload(key, sha256: sha256)
        onCheckpoint(UploadCheckpoint(key: key, uploadID: id))
        return MultipartUpload(client: client, key: key, uploadID: id, partsOnServer: [:])
    }

    /// Sends the parts the server lacks, in order (servers like rclone stream parts into
    /// the object and want them in sequence). `complete(_:partMD5s:)` finishes the upload.
    ///
    /// Each part's SHA-256 is computed before it is sent (it goes in the signed header; its
    /// MD5 too when the server lists that part, to decide whether it can be kept) and again
    /// while it is sent, with the MD5 the server's ETag must match; the whole-file SHA-256
    /// is checked against `digest` before the last part goes.
    /// - Returns: each part's MD5 (hex), in part order: the server holds these parts.
    func sendParts(
        _ source: LocalFile, plan: S3PartPlan, digest: ObjectDigest,
        pacer: (any BytePacer)?, progress: @escaping @Sendable (Int64) -> Void
    ) async throws -> [String] {
        if !client.config.signsPayload {
            return try await sendUnsigned(source, plan: plan, digest: digest, pacer: pacer, progress: progress)
        }
        var partMD5s: [String] = []
        var done: Int64 = 0
        // The next part is hashed while this one is on the wire: hashing in between parts
        // left the link idle for a part's hashing time each part (seconds per image when
        // several regions hash at once on a small machine).
        var hashing: Task<(ObjectDigest, StreamHasher), any Error>? = plan.parts.first.map { first in
            // Only the whole file's SHA-256 is checked; its MD5 would be wasted work.
            Task { try await Self.hash(source, part: first, continuing: StreamHasher(md5: false), md5: wantsMD5(first)) }
        }
        defer { hashing?.cancel() }
        for (position, part) in plan.parts.enumerated() {
            try Task.checkCancellation()
            guard let current = hashing else { break }
            let (local, whole) = try await withTaskCancellationHandler {
                try await current.value
            } onCancel: { current.cancel() }
            hashing = position + 1 < plan.parts.count ? Task { [next = plan.parts[position + 1], wants = wantsMD5(plan.parts[position + 1])] in
                try await Self.hash(source, part: next, continuing: whole, md5: wants)
            } : nil
            if part.number == plan.parts.count {
                let sha256 = whole.finalize().sha256
                guard sha256 == digest.sha256.lowercased() else {
                    throw TransferError.sourceChanged(source.path, expected: digest.sha256, actual: sha256)
                }
            }
            if let remote = partsOnServer[part.number], remote.etag == local.md5, remote.size == part.length {
                partMD5s.append(local.md5)
                done += part.length
                progress(done)
                continue
            }
            let base = done
            let sent = try await sendPart(source, part: part, hashed: (local, whole), continuing: whole, pacer: pacer,
                                          progress: { progress(base + $0) })
            partMD5s.append(sent.md5)
            done += part.length
            progress(done)
        }
        return partMD5s
    }

    /// Unsigned parts (`S3Config.signsPayload` false): each byte is read once, as it is sent,
    /// and hashed then: the part's MD5 (its ETag must match) and the file's SHA-256 across
    /// parts. Parts the server already holds are read and hashed to compare. The file's
    /// SHA-256 must equal `digest` before the upload is completed, so bytes that changed
    /// never become an object.
    private func sendUnsigned(
        _ source: LocalFile, plan: S3PartPlan, digest: ObjectDigest,
        pacer: (any BytePacer)?, progress: @escaping @Sendable (Int64) -> Void
    ) async throws -> [String] {
        var partMD5s: [String] = []
        var done: Int64 = 0
        var whole = StreamHasher(md5: false)
        for part in plan.parts {
            try Task.checkCancellation()
            let before = whole
            if let remote = partsOnServer[part.number], remote.size == part.length {
                let (local, fed) = try await Self.hash(source, part: part, continuing: before, md5: true)
                if remote.etag == local.md5 {
                    whole = fed
                    partMD5s.append(local.md5)
                    done += part.length
                    progress(done)
                    continue
                }
            }
            let base = done
            let sent = try await sendPart(source, part: part, hashed: nil, continuing: before, pacer: pacer,
                                          progress: { progress(base + $0) })
            whole = sent.whole
            partMD5s.append(sent.md5)
            done += part.length
            progress(done)
        }
        let sha256 = whole.finalize().sha256
        guard sha256 == digest.sha256.lowercased() else {
            throw TransferError.sourceChanged(source.path, expected: digest.sha256, actual: sha256)
        }
        return partMD5s
    }

    /// Sends one part and checks what the server got: the bytes sent must be the bytes
    /// hashed, and the part's ETag their MD5. Signed (`S3Config.signsPayload`), the part's
    /// SHA-256 goes in the header: `hashed` is the part's digest with `whole` fed by it, or
    /// nil to hash it first. Unsigned, the part is hashed as it is sent.
    /// - Returns: the part's MD5 (hex), and `whole` fed with the part.
    func sendPart(
        _ source: LocalFile, part: S3PartPlan.Part, hashed: (ObjectDigest, StreamHasher)?, continuing whole: StreamHasher,
        pacer: (any BytePacer)?, progress: @escaping @Sendable (Int64) -> Void
    ) async throws -> (md5: String, whole: StreamHasher) {
        guard client.config.signsPayload else {
            let (etag, md5, fed) = try await client.uploadPartUnsigned(
                key, uploadID: uploadID, number: part.number, file: source, offset: part.offset, length: part.length,
                continuing: whole, pacer: pacer, progress: progress)
            try checkETag(etag, of: part, md5: md5)
            return (md5, fed)
        }
        let local: ObjectDigest, fed: StreamHasher
        if let hashed { (local, fed) = hashed } else { (local, fed) = try await Self.hash(source, part: part, continuing: whole, md5: false) }
        let (etag, sent) = try await client.uploadPart(
            key, uploadID: uploadID, number: part.number, file: source, offset: part.offset,
            length: part.length, sha256: local.sha256, pacer: pacer, progress: progress)
        guard sent.sha256 == local.sha256 else {
            throw TransferError.sourceChanged(source.path, expected: local.sha256, actual: sent.sha256)
        }
        try checkETag(etag, of: part, md5: sent.md5)
        return (sent.md5, fed)
    }

    private func checkETag(_ etag: String?, of part: S3PartPlan.Part, md5: String) throws {
        guard etag == md5 else {
            throw TransferError(code: .verificationFailed, target: client.target(key),
                                message: "part \(part.number): ETag \(etag ?? "none"), sent MD5 \(md5)")
        }
    }

    /// CompleteMultipartUpload of the parts `sendParts` reported. The answer's ETag must be
    /// `md5(part MD5s)-N`; a completion that fails or answers another ETag leaves neither
    /// the upload nor an object at `key` (`S3Client.completeOrDiscard`).
    /// - Returns: the object's multipart ETag, computed from the MD5s of the bytes sent.
    func complete(_ plan: S3PartPlan, partMD5s: [String]) async throws -> String {
        let numbered = zip(plan.parts.map(\.number), partMD5s).map { ($0, $1) }
        return try await client.completeOrDiscard(key, uploadID: uploadID, parts: numbered)
    }

    /// Whether a part's MD5 is needed before it is sent: only to compare it with a part the
    /// server already holds (resume). Otherwise the MD5 comes from the bytes as they are
    /// sent, saving a pass of the costlier hash.
    private func wantsMD5(_ part: S3PartPlan.Part) -> Bool {
        partsOnServer[part.number]?.size == part.length
    }

    /// Hashes one part of the file on a blocking thread, feeding the whole-file hasher too.
    /// - Parameter md5: whether the part's MD5 is wanted (else its digest's `md5` is empty).
    static func hash(
        _ source: LocalFile, part: S3PartPlan.Part, continuing whole: StreamHasher, md5: Bool
    ) async throws -> (ObjectDigest, StreamHasher) {
        try await BlockingThread.run(name: "vmib-hash") { cancellation in
            var whole = whole
            var partHasher = StreamHasher(md5: md5)
            try FileChunks.read(source, offset: part.offset, length: part.length, cancellation: cancellation) { chunk in
                partHasher.update(chunk)
                whole.update(chunk)
            }
            return (partHasher.finalize(), whole)
        }
    }
}
