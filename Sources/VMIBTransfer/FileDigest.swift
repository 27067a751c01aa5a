import Foundation
import VMIBCore

/// Size, SHA-256 and MD5 of local files, read in one streaming pass (one 1 MiB buffer,
/// whatever the file size).
public enum FileDigest {
    /// The digest of the file at `path`.
    /// - Throws: `TransferError` (`.fatal`) when it cannot be read.
    public static func of(_ path: String) throws -> ObjectDigest {
        var none: ChunkIndexer?
        return try stream(path, into: nil, chunks: &none)
    }

    /// The digest of the file at `path` and its chunk index, in one pass.
    public static func indexed(_ path: String, chunkSize: Int64) throws -> (ObjectDigest, ChunkIndex) {
        var indexer: ChunkIndexer? = ChunkIndexer(chunkSize: chunkSize)
        let digest = try stream(path, into: nil, chunks: &indexer)
        return (digest, indexer!.finalize())
    }

    /// Copies `source` to `destination` (written to a temporary name, fsynced, renamed into
    /// place) and returns the digest of the bytes copied, computed in the same pass.
    public static func copy(_ source: String, to destination: String) throws -> ObjectDigest {
        var none: ChunkIndexer?
        return try copy(source, to: destination, chunks: &none)
    }

    /// `copy(_:to:)`, also cutting the bytes copied into a chunk index in the same pass.
    public static func copy(_ source: String, to destination: String, chunkSize: Int64) throws -> (ObjectDigest, ChunkIndex) {
        var indexer: ChunkIndexer? = ChunkIndexer(chunkSize: chunkSize)
        let digest = try copy(source, to: destination, chunks: &indexer)
        return (digest, indexer!.finalize())
    }

    private static func copy(_ source: String, to destination: String, chunks: inout ChunkIndexer?) throws -> ObjectDigest {
        let temp = destination + ".partial-\(UUID().uuidString)"
        let out = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard out >= 0 else { throw failure(temp, "cannot create") }
        var renamed = false
        defer { if !renamed { unlink(temp) } }
        let digest: ObjectDigest
        do {
            digest = try stream(source, into: out, chunks: &chunks)
        } catch {
            close(out)
            throw error
        }
        guard fsync(out) == 0, close(out) == 0 else { throw failure(temp, "cannot write") }
        guard rename(temp, destination) == 0 else { throw failure(destination, "cannot rename into") }
        renamed = true
        return digest
    }

    private static func stream(_ path: String, into out: Int32?, chunks: inout ChunkIndexer?) throws -> ObjectDigest {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(path, "cannot read") }
        defer { close(fd) }
        var hasher = StreamHasher()
        let size = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, size)
            if n < 0 {
                if errno == EINTR { continue }
                throw failure(path, "cannot read")
            }
            if n == 0 { break }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            hasher.update(chunk)
            chunks?.update(chunk)
            if let out {
                var written = 0
                while written < n {
                    let w = write(out, chunk.baseAddress! + written, n - written)
                    if w < 0 {
                        if errno == EINTR { continue }
                        throw failure(path, "cannot copy")
                    }
                    written += w
                }
            }
        }
        return hasher.finalize()
    }

    private static func failure(_ path: String, _ what: String) -> TransferError {
        TransferError(code: .fatal, target: path, message: "\(what) \(path): \(String(cString: strerror(errno)))")
    }
}
