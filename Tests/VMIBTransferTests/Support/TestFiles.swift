import Foundation
import VMIBTestSupport
@testable import VMIBTransfer

/// A temporary directory for one test, removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("vmib-transfer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Test files with known digests.
enum TestFiles {
    /// Writes `size` random bytes (from /dev/urandom, in 1 MiB chunks) and returns the digest.
    static func random(at path: String, size: Int) throws -> ObjectDigest {
        let random = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/dev/urandom"))
        defer { try? random.close() }
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? out.close() }
        var hasher = StreamHasher()
        var left = size
        while left > 0 {
            let chunk = try random.read(upToCount: min(left, 1 << 20)) ?? Data()
            chunk.withUnsafeBytes { hasher.update($0) }
            try out.write(contentsOf: chunk)
            left -= chunk.count
        }
        return hasher.finalize()
    }

    /// The digest of a file's current content.
    static func digest(of path: String) throws -> ObjectDigest {
        var hasher = StreamHasher()
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        data.withUnsafeBytes { hasher.update($0) }
        return hasher.finalize()
    }

    /// Flips one byte of a file in place.
    static func corrupt(_ path: String, at offset: UInt64) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: offset)
        let byte = try handle.read(upToCount: 1) ?? Data([0])
        try handle.seek(toOffset: offset)
        try handle.write(contentsOf: Data([byte[0] ^ 0xff]))
    }
}

extension ObjectDigest {
    /// The same digest with another SHA-256: a caller that described different bytes.
    func withSHA256(_ sha256: String) -> ObjectDigest {
        ObjectDigest(size: size, sha256: sha256, md5: md5)
    }
}
