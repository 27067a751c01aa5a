import CCurl

extension TransferError {
    /// libcurl failures where the network or the server is at fault, so a later attempt
    /// may succeed. Everything else (a malformed URL, an unsupported option) is fatal.
    private static let retryableCurlCodes: Set<UInt32> = [
        CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT,
        CURLE_WEIRD_SERVER_REPLY, CURLE_HTTP2, CURLE_PARTIAL_FILE, CURLE_OPERATION_TIMEDOUT,
        CURLE_SSL_CONNECT_ERROR, CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR,
        CURLE_SEND_FAIL_REWIND, CURLE_HTTP2_STREAM, CURLE_HTTP3, CURLE_QUIC_CONNECT_ERROR,
    ].reduce(into: []) { $0.insert($1.rawValue) }

    /// A transfer that libcurl could not complete.
    /// - Parameter detail: libcurl's error buffer (may be empty); it never holds credentials
    ///   because they are passed as options, not in the URL.
    static func curl(_ code: CURLcode, detail: String, target: String) -> TransferError {
        let text = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        return TransferError(code: retryableCurlCodes.contains(code.rawValue) ? .retryable : .fatal,
                             target: target, message: "curl error \(code.rawValue): \(text)")
    }
}
