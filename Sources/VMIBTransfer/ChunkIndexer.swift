import Crypto
import VMIBCore

/// Builds a `ChunkIndex` from a byte stream fed in pieces of any size: each chunk's SHA-256
/// is cut at the chunk boundaries, whatever the reader's buffer size.
///
/// `@unchecked Sendable`: swift-crypto's hash state has no Sendable conformance; one
/// indexer is only ever fed from one thread at a time.
public struct ChunkIndexer: @unchecked Sendable {
    public let chunkSize: Int64
    private var chunk = SHA256()
    private var inChunk: Int64 = 0
    private var size: Int64 = 0
    private var digests: [UInt8] = []

    /// - Precondition: `ChunkIndex.isAllowed(chunkSize)` (the topology checked it).
    public init(chunkSize: Int64) {
        precondition(ChunkIndex.isAllowed(chunkSize), "chunk size \(chunkSize) is not allowed")
        self.chunkSize = chunkSize
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var rest = bytes
        while !rest.isEmpty {
            let take = Int(min(Int64(rest.count), chunkSize - inChunk))
            chunk.update(bufferPointer: UnsafeRawBufferPointer(rebasing: rest[0..<take]))
            inChunk += Int64(take)
            size += Int64(take)
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
            if inChunk == chunkSize { closeChunk() }
        }
    }

    /// The index of everything fed.
    public mutating func finalize() -> ChunkIndex {
        if inChunk > 0 { closeChunk() }
        return ChunkIndex(chunkSize: chunkSize, size: size, digests: digests)
    }

    private mutating func closeChunk() {
        digests += Array(chunk.finalize())
        chunk = SHA256()
        inChunk = 0
    }
}
