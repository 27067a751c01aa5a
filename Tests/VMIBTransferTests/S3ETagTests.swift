import Testing
@testable import VMIBTransfer

struct S3ETagTests {
    @Test func multipartETagMatchesWhatRcloneReturned() {
        // Two parts uploaded to rclone 1.75 by hand; CompleteMultipartUpload answered this.
        let etag = S3ETag.multipart(partMD5s: ["8802bba2192d83ad4778f5b9f7197c78", "4a259ac69e8459aa684d41f749a2f3cd"])
        #expect(etag == "ff2545521a8bfeba2642e86495006564-2")
    }

    // Vectors computed independently with Python's hashlib:
    // hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest() + "-%d" % len(parts)
    @Test func multipartETagIsTheMD5OfTheBinaryPartMD5sWithThePartCount() {
        #expect(S3ETag.multipart(partMD5s: ["5d41402abc4b2a76b9719d911017c592", "7d793037a0760186574b0282f2f435e7"])
            == "065947336a2f2a95ba8899f3675c3be6-2") // parts "hello", "world"
        #expect(S3ETag.multipart(partMD5s: ["d41d8cd98f00b204e9800998ecf8427e"]) == "59adb24ef3cdbe0297f05b395827453f-1",
                "one part: still the MD5 of its MD5, never the part's own MD5")
        #expect(S3ETag.multipart(partMD5s: ["5D41402ABC4B2A76B9719D911017C592", "7D793037A0760186574B0282F2F435E7"])
            == "065947336a2f2a95ba8899f3675c3be6-2", "hex case does not matter")
    }

    /// The ETag an upload records: its plan's byte ranges, each hashed, then combined.
    @Test func expectedETagOfAFileFollowsItsPartPlan() {
        let size = 40 << 20
        // Byte i is i % 251, built from a repeated block (element by element is slow in debug).
        let block = (0..<(251 * 4096)).map { UInt8($0 % 251) }
        var data: [UInt8] = []
        data.reserveCapacity(size + block.count)
        while data.count < size { data += block }
        data.removeLast(data.count - size)
        let plan = S3PartPlan(size: Int64(size), preferredPartSize: 16 << 20)
        let partMD5s = plan.parts.map { part in
            var hasher = StreamHasher()
            data[Int(part.offset)..<Int(part.offset + part.length)].withUnsafeBytes { hasher.update($0) }
            return hasher.finalize().md5
        }
        #expect(partMD5s == ["3fa26ae9e0a7aa835755bee5ed80ff95", "0ac791cf25cbf14f2c3362143d39fe18",
                             "be512876d58852e7b4b725de4ed1ddc1"])
        #expect(S3ETag.multipart(partMD5s: partMD5s) == "55bf5b62e24ff1137cc54ff45a8b0b33-3")
        #expect(S3ETag.multipart(partMD5s: partMD5s) != "e30369062f229ceac7d04738db473cac",
                "not the whole content's MD5")
    }

    @Test func partCountReadsOnlyTheMultipartForm() {
        #expect(S3ETag.partCount("55bf5b62e24ff1137cc54ff45a8b0b33-3") == 3)
        #expect(S3ETag.partCount("55bf5b62e24ff1137cc54ff45a8b0b33") == nil)
        #expect(S3ETag.partCount("55bf5b62e24ff1137cc54ff45a8b0b33-x") == nil)
        #expect(S3ETag.isMD5("55bf5b62e24ff1137cc54ff45a8b0b33"))
        #expect(!S3ETag.isMD5("55bf5b62e24ff1137cc54ff45a8b0b33-3"))
        #expect(!S3ETag.isMD5("zzbf5b62e24ff1137cc54ff45a8b0b33"))
    }

    @Test func recognisesOnlyTheMultipartForm() {
        #expect(S3ETag.isMultipartForm("ff2545521a8bfeba2642e86495006564-2"))
        #expect(!S3ETag.isMultipartForm("ff2545521a8bfeba2642e86495006564"))
        #expect(!S3ETag.isMultipartForm("xyz-2"))
        #expect(!S3ETag.isMultipartForm("ff2545521a8bfeba2642e86495006564-0"))
    }

    @Test func unquoteStripsQuotesAndWeakPrefix() {
        #expect(S3ETag.unquote("\"ABC\"") == "abc")
        #expect(S3ETag.unquote("W/\"abc\"") == "abc")
        #expect(S3ETag.unquote("abc") == "abc")
    }
}
