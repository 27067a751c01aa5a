import Crypto
import Foundation

/// Builds, signs and sends the HTTP requests of the S3 API for one bucket.
///
/// Every request carries `x-amz-content-sha256` — the payload's real SHA-256 — because
/// SigV4 for S3 requires it and it lets a server reject a body damaged in flight.
struct S3Client: Sendable {
    let config: S3Config

    /// SHA-256 of the empty string, the payload hash of bodiless requests.
    static let emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// The payload hash of a request whose body is not signed (SigV4's literal).
    static let unsignedPayload = "UNSIGNED-PAYLOAD"

    init(config: S3Config) {
        self.config = config
    }

    /// `scheme://host[:port]` without user info or path: safe to show in errors.
    var endpointOrigin: String {
        var components = URLComponents()
        components.scheme = config.endpoint.scheme ?? "http"
        components.host = config.endpoint.host
        components.port = config.endpoint.port
        return components.string ?? config.endpoint.absoluteString
    }

    /// How errors name an object (or the bucket, for `key == nil`).
    func target(_ key: String?) -> String {
        "\(endpointOrigin)/\(config.bucket)" + (key.map { "/\($0)" } ?? "")
    }

    func url(key: String?, query: [(String, String)]) -> String {
        var base: String
        if config.pathStyle {
            base = "\(endpointOrigin)/\(AWSURIEncoding.encode(config.bucket))"
        } else {
            var components = URLComponents()
            components.scheme = config.endpoint.scheme ?? "http"
            components.host = "\(config.bucket).\(config.endpoint.host ?? "")"
            components.port = config.endpoint.port
            base = components.string ?? ""
        }
        if let key { base += "/" + AWSURIEncoding.encodePath(key) }
        if !query.isEmpty { base += "?" + AWSURIEncoding.query(query) }
        return base
    }

    /// Sends one request and returns its response.
    ///
    /// - Parameters:
    ///   - payloadSHA256: hex SHA-256 of `body`; computed here for in-memory bodies and
    ///     the empty body, required for file bodies (the caller hashed them already).
    ///   - accepting: non-2xx statuses returned as responses instead of thrown (e.g. 404
    ///     for `head`).
    /// - Throws: `TransferError` classified by `TransferError.http` or `TransferError.curl`.
    func send(
        _ method: CurlRequest.Method, key: String?, query: [(String, String)] = [],
        headers: [String] = [], body: CurlRequest.Body = .empty, payloadSHA256: String? = nil,
        sink: CurlRequest.Sink = .memory, pacer: (any BytePacer)? = nil,
        progress: (@Sendable (Int64) -> Void)? = nil,
        hashesBody: Bool = false, hashesBodyMD5Only: Bool = false, continuing: StreamHasher? = nil,
        hashesSink: Bool = false, accepting: Set<Int> = []
    ) async throws -> CurlResponse {
        let payloadHash: String
        switch body {
        case .empty: payloadHash = Self.emptySHA256
        case .data(let data): payloadHash = payloadSHA256 ?? Hex.encode(SHA256.hash(data: data))
        case .file:
            guard let payloadSHA256 else { preconditionFailure("file bodies need their SHA-256") }
            payloadHash = payloadSHA256
        }
        var request = CurlRequest(method: method, url: url(key: key, query: query), target: target(key))
        request.headers = headers + ["x-amz-content-sha256: \(payloadHash)"]
        request.body = body
        request.sink = sink
        if SigV4.curlMisorders(request.headers) {
            // UploadPartCopy's x-amz-copy-source-range: libcurl 7.88 would sign it out of order.
            let signer = SigV4(accessKey: config.accessKey, secretKey: config.secretKey, region: config.signingRegion)
            request.headers += signer.signingHeaders(method: method.rawValue, url: request.url,
                                                     headers: request.headers, date: Date())
        } else {
            request.signing = CurlRequest.Signing(provider: "aws:amz:\(config.signingRegion):s3",
                                                  accessKey: config.accessKey, secretKey: config.secretKey)
        }
        request.timeouts = config.timeouts
        request.pacer = pacer
        request.progress = progress
        request.hashesBody = hashesBody
        request.hashesBodyMD5Only = hashesBodyMD5Only
        request.continuing = continuing
        request.hashesSink = hashesSink

        let response = try await CurlTransfer.perform(request)
        guard response.isSuccess || accepting.contains(response.status) else {
            throw TransferError.http(status: response.status, headers: response.headers, body: response.body,
                                     target: request.target, secrets: [config.secretKey])
        }
        return response
    }

    /// Parses a 2xx XML body. CompleteMultipartUpload and CopyObject may answer 200 and
    /// still fail, with an `<Error>` document; AWS documents those as worth a retry.
    func xml(_ response: CurlResponse, key: String?) throws -> S3XML {
        guard let xml = S3XML.parse(response.body) else {
            throw TransferError(code: .retryable, status: response.status, target: target(key),
                                message: "unreadable XML response")
        }
        if xml.name == "Error" {
            let message = [xml.value("Code"), xml.value("Message")].compactMap { $0 }.joined(separator: ": ")
            throw TransferError(code: .retryable, status: response.status, target: target(key), message: message)
        }
        return xml
    }
}
