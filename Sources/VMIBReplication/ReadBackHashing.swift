import Foundation
import VMIBTransfer

/// A store whose `verify` does not read the bytes (S3: one HEAD), but which can read an
/// object back and hash it: what a deep scrub needs. A directory store's `verify` already
/// re-hashes the file, so it needs no conformance.
public protocol ReadBackHashing: BlobStore {
    /// Reads the object at `key` back, paced by `pacer`, and returns the SHA-256 (hex) of
    /// the bytes received. Throws `.verificationFailed` when the size differs from `expected`.
    func rehash(_ key: String, expected: ObjectDigest, pacer: (any BytePacer)?) async throws -> String
}

extension S3BlobStore: ReadBackHashing {
    /// GET into a scratch file beside the temporary directory, hashed as it arrives, then removed.
    public func rehash(_ key: String, expected: ObjectDigest, pacer: (any BytePacer)?) async throws -> String {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vmib-scrub-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let received = try await download(key, to: scratch, pacer: pacer)
        guard received.size == expected.size else {
            throw TransferError(code: .verificationFailed, target: key, message: "read back \(received.size) bytes, expected \(expected.size)")
        }
        return received.sha256
    }
}
