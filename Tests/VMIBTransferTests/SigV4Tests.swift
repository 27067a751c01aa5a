import Foundation
import Testing
@testable import VMIBTransfer

struct SigV4Tests {
    /// UploadPartCopy's two copy headers, signed by botocore 1.43 (`S3SigV4Auth`) at
    /// 2026-11-29T17:59:12Z: the signature AWS, rclone and MinIO compute too.
    @Test func signsCopySourceHeadersInNameOrderAsBotocoreDoes() {
        let signer = SigV4(accessKey: "AKIAVMIBTEST", secretKey: "vmibsecretkey", region: "us-east-1")
        let headers = signer.signingHeaders(
            method: "PUT", url: "http://127.0.0.1:9000/test/eastus/r2?partNumber=1&uploadId=abc-1",
            headers: ["x-amz-copy-source: /test/eastus/r1", "x-amz-copy-source-range: bytes=0-16777215",
                      "x-amz-content-sha256: \(S3Client.emptySHA256)"],
            date: Date(timeIntervalSince1970: 1_795_975_152)) // 2026-11-29T17:59:12Z
        #expect(headers == [
            "host: 127.0.0.1:9000",
            "x-amz-date: 20261129T175912Z",
            "authorization: AWS4-HMAC-SHA256 Credential=AKIAVMIBTEST/20261129/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;x-amz-content-sha256;x-amz-copy-source;x-amz-copy-source-range;x-amz-date, "
                + "Signature=afe36afe922416c7bbaad658b536bc895d122cb510d8be2395ed2be9d05adf0a",
        ])
    }

    @Test func detectsHeadersLibcurlWouldSortOutOfOrder() {
        #expect(SigV4.curlMisorders(["x-amz-copy-source: /b/k", "x-amz-copy-source-range: bytes=0-9"]))
        #expect(SigV4.curlMisorders(["x-amz-meta-a: 1", "x-amz-meta-a-b: 2"]))
        #expect(!SigV4.curlMisorders(["x-amz-copy-source: /b/k", "x-amz-metadata-directive: COPY",
                                      "x-amz-content-sha256: \(S3Client.emptySHA256)"]))
        #expect(!SigV4.curlMisorders(["x-amz-meta-sha256: abc", "x-amz-content-sha256: def"]))
    }
}
