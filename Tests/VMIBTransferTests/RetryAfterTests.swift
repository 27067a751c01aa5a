import Foundation
import VMIBTestSupport
import Testing
@testable import VMIBTransfer

struct RetryAfterTests {
    @Test func parsesDelaySeconds() {
        #expect(RetryAfter.seconds("2") == 2)
        #expect(RetryAfter.seconds(" 120 ") == 120)
    }

    @Test func parsesHTTPDateRelativeToNow() {
        let now = Date(timeIntervalSince1970: 784_111_767) // Sun, 06 Nov 1994 08:49:27 GMT
        #expect(RetryAfter.seconds("Sun, 06 Nov 1994 08:49:37 GMT", now: now) == 10)
        #expect(RetryAfter.seconds("Sunday, 06-Nov-94 08:49:37 GMT", now: now) == 10)
        #expect(RetryAfter.seconds("Sun Nov  6 08:49:37 1994", now: now) == 10)
    }

    @Test func pastDatesMeanNoWaitAndGarbageMeansNothing() {
        let now = Date(timeIntervalSince1970: 784_111_777 + 60)
        #expect(RetryAfter.seconds("Sun, 06 Nov 1994 08:49:37 GMT", now: now) == 0)
        #expect(RetryAfter.seconds("soon") == nil)
    }
}
