import Crypto
import Foundation
import Testing
import VMIBCore
@testable import VMIBTransfer

@Suite struct ChunkIndexerTests {
    /// Each chunk's SHA-256 is cut at the chunk boundaries whatever pieces the bytes come in,
    /// and the ingest's copy computes the same index and digest in its one pass.
    @Test func cutsChunksAtTheirBoundariesWhateverTheReadsAre() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let size = 3 * (1 << 20) + 12_345
        let digest = try TestFiles.random(at: dir.path("disk"), size: size)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.path("disk"))))
        let chunkSize = 1 << 16
        let expected = stride(from: 0, to: size, by: chunkSize).flatMap {
            Array(SHA256.hash(data: bytes[$0..<min($0 + chunkSize, size)]))
        }
        var indexer = ChunkIndexer(chunkSize: Int64(chunkSize))
        var at = 0, step = 1
        while at < size {
            let n = min(step, size - at)
            bytes[at..<at + n].withUnsafeBytes { indexer.update($0) }
            at += n
            step = step * 3 + 7
        }
        let index = indexer.finalize()
        #expect(index.size == Int64(size) && index.chunkCount == (size + chunkSize - 1) / chunkSize)
        #expect(index.digests == expected)

        let (copied, copyIndex) = try FileDigest.copy(dir.path("disk"), to: dir.path("copy"), chunkSize: Int64(chunkSize))
        #expect(copied == digest)
        #expect(copyIndex == index)
        #expect(try FileDigest.indexed(dir.path("copy"), chunkSize: Int64(chunkSize)) == (digest, index))
    }
}
