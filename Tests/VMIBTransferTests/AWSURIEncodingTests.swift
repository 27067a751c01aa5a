import Testing
@testable import VMIBTransfer

struct AWSURIEncodingTests {
    @Test func queryIsSortedAndEmptyValuesKeepTheirEqualsSign() {
        let query = AWSURIEncoding.query([("uploads", ""), ("prefix", "a/b c")])
        #expect(query == "prefix=a%2Fb%20c&uploads=")
    }

    @Test func pathKeepsSlashesAndEncodesTheRest() {
        #expect(AWSURIEncoding.encodePath("a/b c+d=e~f_g.h-i") == "a/b%20c%2Bd%3De~f_g.h-i")
        #expect(AWSURIEncoding.encodePath("ä") == "%C3%A4")
    }
}
