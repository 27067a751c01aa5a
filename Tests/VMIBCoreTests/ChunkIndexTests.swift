import Testing
import VMIBCore

@Suite struct ChunkIndexTests {
    /// An index whose chunk `i` has digest byte `marks[i]` repeated.
    static func index(_ marks: [UInt8], chunkSize: Int64 = 1 << 16, size: Int64? = nil) -> ChunkIndex {
        ChunkIndex(chunkSize: chunkSize, size: size ?? Int64(marks.count) * chunkSize,
                   digests: marks.flatMap { [UInt8](repeating: $0, count: 32) })
    }

    @Test func allowsPowersOfTwoFrom64KiBTo64MiBOnly() {
        #expect(ChunkIndex.isAllowed(1 << 16) && ChunkIndex.isAllowed(1 << 20) && ChunkIndex.isAllowed(1 << 26))
        #expect(!ChunkIndex.isAllowed(1 << 15) && !ChunkIndex.isAllowed(1 << 27) && !ChunkIndex.isAllowed(3 << 20) && !ChunkIndex.isAllowed(0))
    }

    @Test func aRangeIsTheSameOnlyWhenEveryChunkItTouchesIs() {
        let new = Self.index([1, 2, 9, 4])
        let base = Self.index([1, 2, 3, 4])
        let c: Int64 = 1 << 16
        #expect(new.sameBytes(offset: 0, length: 2 * c, as: base))
        #expect(!new.sameBytes(offset: 0, length: 2 * c + 1, as: base))
        #expect(new.sameBytes(offset: 3 * c, length: c, as: base))
        #expect(!new.sameBytes(offset: c, length: 3 * c, as: base))
        #expect(new.sharedChunks(with: base) == 3)
        #expect(new.changedBytes(from: base) == c)
    }

    @Test func anotherChunkSizeOrAShorterBaseSharesNothingThere() {
        let new = Self.index([1, 2, 3])
        #expect(new.sharedChunks(with: Self.index([1, 2, 3], chunkSize: 1 << 17)) == 0)
        let shorter = Self.index([1, 2])
        #expect(!new.sameBytes(offset: 2 << 16, length: 1 << 16, as: shorter))
        #expect(new.sharedChunks(with: shorter) == 2)
        // A short last chunk equals only a chunk of the same length.
        #expect(!Self.index([1, 2], size: (1 << 16) + 5).sameChunk(1, as: Self.index([1, 2], size: (1 << 16) + 6)))
    }

    @Test func readsBackWhatItStoresAndRefusesWhatItDidNot() {
        let index = Self.index([7, 8, 9], size: (2 << 16) + 100)
        #expect(ChunkIndex(decoding: index.encoded()) == index)
        #expect(ChunkIndex(decoding: Array(index.encoded().dropLast())) == nil)
        #expect(ChunkIndex(decoding: Array("not an index at all, no".utf8)) == nil)
    }
}
