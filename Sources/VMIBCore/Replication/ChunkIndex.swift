import Foundation

/// A disk cut into fixed, disk-aligned chunks (the last may be shorter), each with its
/// SHA-256: what lets a region that holds an earlier disk receive only the chunks that
/// differ. Pure: built by the ingest's hashing pass, stored beside the origin copy.
public struct ChunkIndex: Sendable, Hashable {
    /// 1 MiB, when the topology names no `chunkSizeBytes`.
    public static let defaultChunkSize: Int64 = 1 << 20
    /// The chunk sizes a topology may choose: powers of two from 64 KiB to 64 MiB.
    public static let allowedChunkSizes: ClosedRange<Int64> = (1 << 16)...(1 << 26)

    public let chunkSize: Int64
    /// The disk's size in bytes.
    public let size: Int64
    /// The chunks' SHA-256s, 32 bytes each, in disk order.
    public let digests: [UInt8]

    public init(chunkSize: Int64, size: Int64, digests: [UInt8]) {
        self.chunkSize = chunkSize; self.size = size; self.digests = digests
    }

    public var chunkCount: Int { digests.count / 32 }

    /// Whether `size` is an allowed chunk size.
    public static func isAllowed(_ size: Int64) -> Bool {
        allowedChunkSizes.contains(size) && size & (size - 1) == 0
    }

    /// Whether chunk `i` holds the same bytes here and in `other` (same size, same digest).
    public func sameChunk(_ i: Int, as other: ChunkIndex) -> Bool {
        guard other.chunkSize == chunkSize, i < chunkCount, i < other.chunkCount,
              chunkLength(i) == other.chunkLength(i) else { return false }
        return digests[i * 32..<(i + 1) * 32] == other.digests[i * 32..<(i + 1) * 32]
    }

    /// The length of chunk `i` (the last one may be short).
    public func chunkLength(_ i: Int) -> Int64 {
        min(chunkSize, size - Int64(i) * chunkSize)
    }

    /// Whether the bytes `offset..<offset+length` are the same here and in `other` at the
    /// same offsets: every chunk the range touches is the same in both.
    public func sameBytes(offset: Int64, length: Int64, as other: ChunkIndex) -> Bool {
        guard length > 0, other.chunkSize == chunkSize, offset + length <= size, offset + length <= other.size else { return false }
        let first = Int(offset / chunkSize), last = Int((offset + length - 1) / chunkSize)
        return (first...last).allSatisfy { sameChunk($0, as: other) }
    }

    /// How many chunks are the same here and in `other` (0 for another chunk size).
    public func sharedChunks(with other: ChunkIndex) -> Int {
        guard other.chunkSize == chunkSize else { return 0 }
        return (0..<min(chunkCount, other.chunkCount)).count { sameChunk($0, as: other) }
    }

    /// How many bytes lie in chunks that differ from `other` (or that `other` lacks).
    public func changedBytes(from other: ChunkIndex) -> Int64 {
        (0..<chunkCount).reduce(0) { $0 + (sameChunk($1, as: other) ? 0 : chunkLength($1)) }
    }

    private static let magic = Array("VMIBCHK1".utf8)

    /// The index as stored: `VMIBCHK1`, chunk size and disk size (8 bytes each, big
    /// endian), then the digests.
    public func encoded() -> [UInt8] {
        var out = Self.magic
        for value in [chunkSize, size] { out += (0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) } }
        return out + digests
    }

    /// Reads an index `encoded()` wrote; nil when the bytes are not one (wrong magic, a
    /// chunk size that is not allowed, or a digest count that does not fit the size).
    public init?(decoding bytes: [UInt8]) {
        guard bytes.count >= 24, Array(bytes[0..<8]) == Self.magic else { return nil }
        func int(_ at: Int) -> Int64 { bytes[at..<at + 8].reduce(0) { $0 << 8 | Int64($1) } }
        let chunkSize = int(8), size = int(16)
        guard Self.isAllowed(chunkSize), size >= 0 else { return nil }
        let count = (size + chunkSize - 1) / chunkSize
        guard Int64(bytes.count - 24) == count * 32 else { return nil }
        self.init(chunkSize: chunkSize, size: size, digests: Array(bytes[24...]))
    }
}
