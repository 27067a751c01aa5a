import Foundation

/// One HTTP exchange for `CurlTransfer`: what to send, where the answer goes, how to sign.
struct CurlRequest: Sendable {
    enum Method: String, Sendable {
        case get = "GET", head = "HEAD", put = "PUT", post = "POST", delete = "DELETE", patch = "PATCH"
    }

    /// The request body. Files are streamed in libcurl's own fixed-size chunks.
    enum Body: Sendable {
        case empty
        case data(Data)
        case file(LocalFile, offset: Int64, length: Int64)

        var length: Int64 {
            switch self {
            case .empty: 0
            case .data(let d): Int64(d.count)
            case .file(_, _, let length): length
            }
        }
    }

    /// Where a successful (2xx) response body goes. Error bodies always go to memory, so a
    /// failed download never writes an XML error document into the destination file.
    enum Sink: Sendable {
        case memory
        case file(LocalFile)
    }

    /// AWS Signature V4, computed by libcurl itself (`CURLOPT_AWS_SIGV4`).
    struct Signing: Sendable {
        /// "aws:amz:REGION:SERVICE".
        var provider: String
        var accessKey: String
        var secretKey: String
    }

    var method: Method
    var url: String
    /// Extra request headers as "name: value" lines.
    var headers: [String] = []
    var body: Body = .empty
    var sink: Sink = .memory
    var signing: Signing?
    var timeouts = TransferTimeouts()
    /// Blocks the transfer thread before each chunk goes out (or, downloading, is written).
    var pacer: (any BytePacer)?
    /// Bytes of this request's body handed to the network so far (throttled).
    var progress: (@Sendable (Int64) -> Void)?
    /// Hash the body as it is sent (`CurlResponse.sent`).
    var hashesBody = false
    /// With `hashesBody`: only its MD5 (`sent.sha256` is then empty).
    var hashesBodyMD5Only = false
    /// A hasher of what came before this body (a file's SHA-256 across multipart parts),
    /// fed the body as it is sent too; returned in `CurlResponse.continued`.
    var continuing: StreamHasher?
    /// Hash a file sink as it is written (`CurlResponse.received`).
    var hashesSink = false
    /// What errors name: a key or an endpoint, never a URL with credentials.
    var target: String
    /// Skip verifying the server's TLS certificate (a self-signed test certificate; `vmib --insecure`).
    var insecure = false
    /// Refuses addresses before a socket is opened to them (checked on the address libcurl
    /// actually connects to, so DNS cannot point past it).
    var addresses: AddressPolicy = .any
    /// Largest response body kept in memory; a listing of 1000 keys is a few hundred KB.
    var maxMemoryBody = 16 << 20
}
