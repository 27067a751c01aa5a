import CCurl
import Foundation

/// Runs one `CurlRequest` with a libcurl easy handle on a thread of its own.
///
/// `curl_easy_perform` blocks for the whole transfer (and a pacer blocks inside it), so it
/// must never run on the Swift concurrency pool; `BlockingThread` bridges it back to async.
enum CurlTransfer {
    /// Performs `request` and returns the response, whatever its HTTP status.
    ///
    /// - Throws: `TransferError` for transport failures (retryable when the network or the
    ///   server is at fault: refused connections, timeouts, resets, short bodies) and for
    ///   local read/write failures; `CancellationError` when the calling task is cancelled.
    static func perform(_ request: CurlRequest) async throws -> CurlResponse {
        CurlGlobal.ensureInitialized()
        return try await BlockingThread.run(name: "vmib-curl") { flag in
            try performBlocking(request, cancellation: flag)
        }
    }

    private static func performBlocking(_ request: CurlRequest, cancellation: CancellationFlag) throws -> CurlResponse {
        guard let handle = curl_easy_init() else {
            throw TransferError(code: .retryable, target: request.target, message: "curl_easy_init failed")
        }
        defer { curl_easy_cleanup(handle) }
        if cancellation.isCancelled { throw CancellationError() }

        let context = CurlCallContext(request: request, cancellation: cancellation, handle: handle)
        var headerList: UnsafeMutablePointer<curl_slist>?
        for line in request.headers { headerList = curl_slist_append(headerList, line) }
        defer { curl_slist_free_all(headerList) }

        try withExtendedLifetime(context) {
            let setup = CurlOptions(handle: handle, target: request.target)
            try setup.apply(request, context: context, headers: headerList)
        }
        let code = withExtendedLifetime(context) { curl_easy_perform(handle) }

        if code != CURLE_OK {
            if let failure = context.failure { throw failure }
            if cancellation.isCancelled { throw CancellationError() }
            throw TransferError.curl(code, detail: String(cString: context.errorBuffer), target: request.target)
        }
        var status = 0
        _ = vmib_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return CurlResponse(status: status, headers: context.headers, body: context.body,
                            sent: context.sent, received: context.received, continued: context.continuing)
    }
}
