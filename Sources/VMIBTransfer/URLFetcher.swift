import Foundation

/// Downloads a URL (http, https or file) into a local file through libcurl, hashing it on
/// the way: the build stage's way to fetch source images, scripts and files.
public enum URLFetcher {
    /// Schemes `download` accepts.
    public static let schemes = ["http", "https", "file"]

    /// Streams `url` into `path` (written under a temporary name, renamed when complete).
    /// - Returns: the size, SHA-256 and MD5 of what was received.
    /// - Throws: `TransferError`: `.fatal` with the HTTP status for 4xx answers (404 …) and
    ///   unreadable files, `.retryable` for network failures and 5xx; `CancellationError`.
    /// - Parameter addresses: which addresses the fetch may connect to.
    public static func download(_ url: String, to path: String, addresses: AddressPolicy = .any,
                                progress: (@Sendable (Int64) -> Void)? = nil) async throws -> ObjectDigest {
        let scheme = url.split(separator: ":", maxSplits: 1).first.map { $0.lowercased() } ?? ""
        guard schemes.contains(scheme) else {
            throw TransferError(code: .fatal, target: url, message: "unsupported URL scheme '\(scheme)'; allowed: \(schemes.joined(separator: ", "))")
        }
        let staged = try StagedFile.create(for: path)
        var request = CurlRequest(method: .get, url: url, target: redacted(url))
        request.sink = .file(staged.file)
        request.hashesSink = true
        request.progress = progress
        request.headers = ["User-Agent: vmib"]
        request.addresses = addresses
        let response: CurlResponse
        do {
            response = try await CurlTransfer.perform(request)
        } catch {
            staged.discard()
            throw error
        }
        guard response.isSuccess || (response.status == 0 && scheme == "file") else {
            staged.discard()
            throw TransferError.http(status: response.status, headers: response.headers, body: Data(), target: request.target)
        }
        try await BlockingThread.run(name: "vmib-commit") { _ in try staged.commit() }
        return response.received ?? StreamHasher().finalize()
    }

    /// The URL without its query (SAS tokens) or user info, for messages.
    public static func redacted(_ url: String) -> String {
        guard var c = URLComponents(string: url) else { return url }
        c.query = nil; c.user = nil; c.password = nil
        return c.string ?? url
    }
}
