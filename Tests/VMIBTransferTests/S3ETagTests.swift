import Testing
@testable import VMIBTransfer

struct S3ETagTests {
    @Test func multipartETagMatchesWhatRcloneReturned() {
        // Two parts uploaded to rclone 1.75 by hand; CompleteMultipartUpload answered this.
        let etag = S3ETag.multipart(partMD5s: ["8802bba2192d83ad4778f5b9f7197c78", "4a259ac69e8459aa684d41f749a2f3cd"])
        #expect(etag == "ff2545521a8bfeba2642e86495006564-2")
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
