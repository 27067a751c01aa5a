import VMIBCore

extension S3BlobStore: DeltaUploading {
    public func uploadDelta(
        file: String, to key: String, digest: ObjectDigest, index: ChunkIndex,
        base: String, baseSHA256: String, baseIndex: ChunkIndex,
        pacer: (any BytePacer)?, progress: @escaping @Sendable (Int64) -> Void
    ) async throws -> DeltaUpload? {
        try BlobKey.validate(key)
        try BlobKey.validate(base)
        let source = try LocalFile.openForReading(file)
        let size = try source.size()
        guard size == digest.size, index.size == size else {
            throw TransferError(code: .fatal, target: file, message: "source changed: size \(size), expected \(digest.size)")
        }
        // Below the threshold the object is one PUT: there are no parts to copy.
        guard size >= config.multipartThreshold else { return nil }
        let plan = S3PartPlan(size: size, preferredPartSize: config.partSize)
        let delta = S3DeltaPlan(plan: plan, index: index, base: baseIndex)
        guard delta.copiedBytes > 0 else { return nil }
        // Ranges are cut only from the object the base index describes.
        guard let held = try await client.headObject(base), held.size == baseIndex.size,
              held.sha256?.lowercased() == baseSHA256.lowercased() else { return nil }
        var requests = 2
        let uploadID: String
        do {
            uploadID = try await client.createMultipartUpload(key, sha256: digest.sha256)
        } catch let error as TransferError where error.isNotImplemented {
            return nil
        }
        // Sent parts go through the same checks as a full upload's.
        let upload = MultipartUpload(client: client, key: key, uploadID: uploadID, partsOnServer: [:])
        var partMD5s: [(Int, String)] = []
        var whole = StreamHasher(md5: false)
        var sent: Int64 = 0, copied: Int64 = 0
        do {
            for (part, copy) in zip(plan.parts, delta.copies) {
                try Task.checkCancellation()
                var hashed: (ObjectDigest, StreamHasher)?
                if copy {
                    let local = try await MultipartUpload.hash(source, part: part, continuing: whole, md5: true)
                    hashed = local
                    requests += 1
                    guard let etag = try await client.uploadPartCopy(key, uploadID: uploadID, part: part, from: base) else {
                        // The server ignored the copy source (rclone): nothing usable was made.
                        try? await client.abortMultipartUpload(key, uploadID: uploadID)
                        return nil
                    }
                    if etag == local.0.md5 {
                        whole = local.1
                        partMD5s.append((part.number, etag))
                        copied += part.length
                        progress(sent + copied)
                        continue
                    }
                    // The base's bytes there are not what its index says: send the part.
                }
                requests += 1
                let before = sent + copied
                let went = try await upload.sendPart(source, part: part, hashed: hashed, continuing: whole, pacer: pacer,
                                                     progress: { progress(before + $0) })
                whole = went.whole
                partMD5s.append((part.number, went.md5))
                sent += part.length
                progress(sent + copied)
            }
            let sha256 = whole.finalize().sha256
            guard sha256 == digest.sha256.lowercased() else {
                throw TransferError.sourceChanged(source.path, expected: digest.sha256, actual: sha256)
            }
        } catch let error as TransferError where error.isNotImplemented {
            try? await client.abortMultipartUpload(key, uploadID: uploadID)
            return nil
        } catch {
            try? await client.abortMultipartUpload(key, uploadID: uploadID)
            throw error
        }
        let etag = try await client.completeOrDiscard(key, uploadID: uploadID, parts: partMD5s)
        return DeltaUpload(object: ObjectInfo(size: size, etag: etag, sha256: digest.sha256),
                           sentBytes: sent, copiedBytes: copied, requests: requests)
    }
}
