import CCurl

/// libcurl's process-wide setup. `curl_global_init` is not thread-safe and must run once
/// before any handle is made; a `static let` gives us exactly that (lazily, under a lock).
enum CurlGlobal {
    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK

    /// Call before creating an easy handle.
    static func ensureInitialized() {
        precondition(initialized, "curl_global_init failed")
    }
}
