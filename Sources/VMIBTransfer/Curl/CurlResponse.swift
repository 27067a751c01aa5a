import Foundation

/// What came back from one `CurlRequest`.
struct CurlResponse: Sendable {
    var status: Int
    /// Header names are lowercased; a repeated header's values are joined with ", ".
    var headers: [String: String]
    /// The body when it went to memory (always, for non-2xx answers).
    var body: Data
    /// Digest of the request body as it was sent, when `hashesBody` was set.
    var sent: ObjectDigest?
    /// Digest of what was written to a file sink, when `hashesSink` was set.
    var received: ObjectDigest?
    /// `CurlRequest.continuing`, fed this request's body as it was sent.
    var continued: StreamHasher?

    /// The ETag header without its quotes.
    var etag: String? { headers["etag"].map(S3ETag.unquote) }

    var isSuccess: Bool { (200..<300).contains(status) }
}
