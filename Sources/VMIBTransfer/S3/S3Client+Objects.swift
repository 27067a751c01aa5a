import Foundation

/// Object operations: HEAD, DELETE, ListObjectsV2, CopyObject.
extension S3Client {
    /// HEAD; nil when the key does not exist.
    func headObject(_ key: String) async throws -> ObjectInfo? {
        let response = try await send(.head, key: key, accepting: [404])
        guard response.status != 404 else { return nil }
        let size = response.headers["content-length"].flatMap { Int64($0) } ?? 0
        return ObjectInfo(size: size, etag: response.etag, sha256: response.headers["x-amz-meta-sha256"])
    }

    /// DELETE; a missing key is not an error.
    func deleteObject(_ key: String) async throws {
        _ = try await send(.delete, key: key, accepting: [404])
    }

    /// ListObjectsV2, following continuation tokens until the listing is complete.
    func listObjects(prefix: String) async throws -> [String] {
        var keys: [String] = []
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("prefix", prefix)]
            if let token { query.append(("continuation-token", token)) }
            let xml = try xml(try await send(.get, key: nil, query: query), key: nil)
            keys += xml.all("Contents").compactMap { $0.value("Key") }
            token = xml.value("IsTruncated") == "true" ? xml.value("NextContinuationToken") : nil
        } while token != nil
        return keys
    }

    /// CopyObject inside the bucket; the metadata (our recorded SHA-256) goes along.
    /// - Returns: the new object's ETag.
    func copyObject(from sourceKey: String, to key: String) async throws -> String? {
        let response = try await send(.put, key: key, headers: [
            "x-amz-copy-source: \(copySource(sourceKey))",
            "x-amz-metadata-directive: COPY",
        ])
        return try xml(response, key: key).value("ETag").map(S3ETag.unquote)
    }
}
