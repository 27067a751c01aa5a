import Foundation
import VMIBTestSupport
import Testing
@testable import VMIBTransfer

struct TransferErrorClassificationTests {
    private func error(_ status: Int, headers: [String: String] = [:], body: String = "") -> TransferError {
        TransferError.http(status: status, headers: headers, body: Data(body.utf8), target: "t", secrets: ["s3cr3t"])
    }

    @Test func tooManyRequestsIsThrottled() {
        let e = error(429, headers: ["retry-after": "5"])
        #expect(e.code == .throttled)
        #expect(e.retryAfter == 5)
    }

    @Test func serviceUnavailableIsThrottledOnlyWithRetryAfterOrSlowDown() {
        #expect(error(503, headers: ["retry-after": "2"]).code == .throttled)
        #expect(error(503, body: "<Error><Code>SlowDown</Code><Message>m</Message></Error>").code == .throttled)
        #expect(error(503).code == .retryable)
    }

    @Test func serverErrorsAreRetryableAndClientErrorsFatal() {
        #expect(error(500).code == .retryable)
        #expect(error(502).code == .retryable)
        let notFound = error(404, body: "<Error><Code>NoSuchKey</Code><Message>The key does not exist</Message></Error>")
        #expect(notFound.code == .fatal)
        #expect(notFound.message == "NoSuchKey: The key does not exist")
    }

    @Test func scrubsSecretsFromServerMessages() {
        let e = error(403, body: "<Error><Code>Denied</Code><Message>bad s3cr3t</Message></Error>")
        #expect(!e.description.contains("s3cr3t"))
    }

    @Test func configDescriptionHidesTheSecret() {
        let config = S3Config(endpoint: URL(string: "http://127.0.0.1:1")!, bucket: "b",
                              accessKey: "AK", secretKey: "s3cr3t")
        #expect(!"\(config)".contains("s3cr3t"))
        #expect(!String(reflecting: config).contains("s3cr3t"))
        var dumped = ""
        dump(config, to: &dumped)
        #expect(!dumped.contains("s3cr3t"))
    }
}
