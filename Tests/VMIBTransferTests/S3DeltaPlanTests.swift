import Testing
import VMIBCore
@testable import VMIBTransfer

@Suite struct S3DeltaPlanTests {
    static let mib: Int64 = 1 << 20

    static func index(_ marks: [UInt8], size: Int64? = nil) -> ChunkIndex {
        ChunkIndex(chunkSize: mib, size: size ?? Int64(marks.count) * mib,
                   digests: marks.flatMap { [UInt8](repeating: $0, count: 32) })
    }

    /// 20 MiB in 5 MiB parts; chunk 7 (part 2) changed: parts 1, 3, 4 copy, part 2 uploads.
    @Test func copiesThePartsWhoseChunksAreAllTheSameAndUploadsTheRest() {
        let base = Self.index(Array(0..<20))
        var marks = Array(UInt8(0)..<20)
        marks[7] = 99
        let plan = S3PartPlan(size: 20 * Self.mib, preferredPartSize: 5 * Self.mib)
        let delta = S3DeltaPlan(plan: plan, index: Self.index(marks), base: base)
        #expect(delta.copies == [true, false, true, true])
        #expect(delta.sentBytes == 5 * Self.mib && delta.copiedBytes == 15 * Self.mib)
    }

    /// A part whose range straddles a changed chunk only partly (parts not a multiple of the
    /// chunk size) uploads; a last part longer than the base uploads.
    @Test func aPartTouchingAChangedChunkOrPastTheBaseUploads() {
        let base = Self.index(Array(0..<10), size: 10 * Self.mib)
        var marks = Array(UInt8(0)..<12)
        marks[5] = 99
        let plan = S3PartPlan(size: 12 * Self.mib - 100, preferredPartSize: 5 * Self.mib)
        let new = Self.index(marks, size: 12 * Self.mib - 100)
        #expect(S3DeltaPlan(plan: plan, index: new, base: base).copies == [true, false, false])
        // The same disk as its base copies every part.
        #expect(S3DeltaPlan(plan: plan, index: new, base: new).copies == [true, true, true])
        // Another chunk size: nothing copies.
        let other = ChunkIndex(chunkSize: 1 << 16, size: new.size, digests: [])
        #expect(S3DeltaPlan(plan: plan, index: new, base: other).copiedBytes == 0)
    }
}
