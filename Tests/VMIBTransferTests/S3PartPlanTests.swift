import Testing
@testable import VMIBTransfer

struct S3PartPlanTests {
    @Test func cutsFileIntoPartsWithASmallerLastPart() {
        let plan = S3PartPlan(size: 40 << 20, preferredPartSize: 16 << 20)
        #expect(plan.parts.map(\.length) == [16 << 20, 16 << 20, 8 << 20])
        #expect(plan.parts.map(\.number) == [1, 2, 3])
        #expect(plan.parts.last?.offset == 32 << 20)
    }

    @Test func growsPartSizeToStayWithinTenThousandParts() {
        let size: Int64 = 1 << 40 // 1 TiB at 16 MiB would be 65 536 parts
        let plan = S3PartPlan(size: size, preferredPartSize: 16 << 20)
        #expect(plan.parts.count <= 10_000)
        #expect(plan.partSize % (1 << 20) == 0)
        #expect(plan.parts.reduce(0) { $0 + $1.length } == size)
    }

    @Test func copySourceRangesCoverTheObjectInclusiveAndContiguous() {
        let plan = S3PartPlan(size: 40 << 20, preferredPartSize: 16 << 20)
        #expect(plan.parts.map(\.copySourceRange) == ["bytes=0-16777215", "bytes=16777216-33554431",
                                                      "bytes=33554432-41943039"])
    }

    /// Just over CopyObject's 5 GiB limit: the copy's plan is an upload's, one byte in the last part.
    @Test func copyPlanOfAnObjectJustOverFiveGiBEndsWithOneByte() {
        let size: Int64 = (5 << 30) + 1
        let plan = S3PartPlan(size: size, preferredPartSize: 16 << 20)
        #expect(plan.parts.count == 321)
        #expect(plan.parts.last?.copySourceRange == "bytes=5368709120-5368709120")
        #expect(plan.parts.dropLast().allSatisfy { $0.length == 16 << 20 })
    }
}
