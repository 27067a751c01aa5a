import Foundation
import VMIBTransfer

/// Downloads kept by SHA-256 under the state directory, so an image fetched once is not
/// fetched again while its digest is known (`cache/sha256/<hex>`).
public struct DownloadCache: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    public func path(for sha256: String) -> String { "\(root)/\(sha256.lowercased())" }

    public enum Outcome: Sendable, Equatable { case hit, downloaded }

    /// The local path of `url`'s bytes, checked against `sha256` when given.
    /// - Throws: `BuildError(.source)` for a failed download (naming the URL and the HTTP
    ///   status) or a digest mismatch; nothing is cached then.
    /// - Parameter addresses: which addresses the download may connect to.
    public func fetch(_ url: String, sha256 expected: String?, what: String,
                      addresses: AddressPolicy = .any) async throws -> (path: String, digest: ObjectDigest?, outcome: Outcome) {
        if let expected, FileManager.default.fileExists(atPath: path(for: expected)) {
            return (path(for: expected), nil, .hit)
        }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let temp = "\(root)/.download-\(UUID().uuidString)"
        let digest: ObjectDigest
        do {
            digest = try await URLFetcher.download(url, to: temp, addresses: addresses)
        } catch let e as TransferError {
            unlink(temp)
            throw BuildError(.source, "\(what): cannot download \(URLFetcher.redacted(url)): \(e.status.map { "HTTP \($0)" } ?? e.message)")
        }
        if let expected, digest.sha256 != expected.lowercased() {
            unlink(temp)
            throw BuildError(.source, "\(what): SHA-256 of \(URLFetcher.redacted(url)) is \(digest.sha256), expected \(expected.lowercased())")
        }
        let final = path(for: digest.sha256)
        guard rename(temp, final) == 0 else { unlink(temp); throw BuildError(.internal, "cannot store \(final)") }
        return (final, digest, .downloaded)
    }
}
