import Foundation

/// A small public API over libcurl for JSON requests to an HTTP API (the vmib CLI talking to
/// `vmib serve`): one request, its status, headers and body, whatever the status.
public enum JSONRequest {
    public enum Method: String, Sendable { case get = "GET", put = "PUT", post = "POST", patch = "PATCH", delete = "DELETE" }

    public struct Response: Sendable {
        public var status: Int
        /// Lowercased names.
        public var headers: [String: String]
        public var body: Data
        public var isSuccess: Bool { (200..<300).contains(status) }
    }

    /// - Parameters:
    ///   - bearer: sent as `Authorization: Bearer …`; never part of an error message.
    ///   - insecure: do not verify the server's TLS certificate.
    /// - Throws: `TransferError` when no HTTP answer came (refused, timeout, TLS failure).
    ///   - extraHeaders: more request headers (`If-Match: "3"`).
    public static func send(_ method: Method, _ url: String, body: Data? = nil, bearer: String?, insecure: Bool = false,
                            extraHeaders: [String] = [],
                            timeouts: TransferTimeouts = TransferTimeouts(connect: 10, lowSpeedBytesPerSecond: 1, lowSpeedWindow: 120)) async throws -> Response {
        var headers = ["Accept: application/json"] + extraHeaders
        if let bearer { headers.append("Authorization: Bearer \(bearer)") }
        if body != nil { headers.append("Content-Type: application/json") }
        // No "Expect: 100-continue" round trip for small JSON bodies.
        headers.append("Expect:")
        let target = URLComponents(string: url).map { "\($0.scheme ?? "http")://\($0.host ?? "")\($0.port.map { ":\($0)" } ?? "")\($0.path)" } ?? "server"
        var request = CurlRequest(method: CurlRequest.Method(rawValue: method.rawValue)!, url: url, headers: headers, target: target)
        request.body = body.map { .data($0) } ?? .empty
        request.insecure = insecure
        request.timeouts = timeouts
        let r = try await CurlTransfer.perform(request)
        return Response(status: r.status, headers: r.headers, body: r.body)
    }
}
