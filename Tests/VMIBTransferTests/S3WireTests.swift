import Foundation
import VMIBTestSupport
import Testing
@testable import VMIBTransfer

/// What goes over the wire and how a misbehaving server's answers are classified, against
/// a stub HTTP server.
@Suite(.enabled(if: StubHTTPServer.isAvailable, "needs python3 on PATH"))
struct S3WireTests {
    private func withStub(
        timeouts: TransferTimeouts = TransferTimeouts(), partSize: Int64 = 16 << 20,
        _ body: (S3BlobStore, StubHTTPServer) async throws -> Void
    ) async throws {
        let stub = try await StubHTTPServer.start()
        do {
            let config = S3Config(endpoint: stub.endpoint, bucket: "b", accessKey: "AKIAVMIBTEST",
                                  secretKey: "vmibsecretkey", partSize: partSize,
                                  multipartThreshold: partSize, timeouts: timeouts)
            try await body(S3BlobStore(config: config), stub)
            await stub.stop()
        } catch {
            await stub.stop()
            throw error
        }
    }

    @Test func serviceUnavailableWithRetryAfterIsThrottled() async throws {
        try await withStub { store, _ in
            let error = await #expect(throws: TransferError.self) { try await store.head("throttle-503") }
            #expect(error?.code == .throttled)
            #expect(error?.status == 503)
            #expect(error?.retryAfter == 2)
        }
    }

    @Test func tooManyRequestsWithAnHTTPDateIsThrottled() async throws {
        try await withStub { store, _ in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let digest = try TestFiles.random(at: dir.path("f"), size: 10_000)
            let error = await #expect(throws: TransferError.self) {
                try await store.upload(file: dir.path("f"), to: "throttle-429-date", digest: digest, resume: nil,
                                       pacer: nil, onCheckpoint: { _ in }, progress: { _ in })
            }
            #expect(error?.code == .throttled)
            #expect(error?.status == 429)
            // 60 s ahead in whole seconds on the wire; a loaded machine may take a few
            // seconds between the stub writing it and us reading it.
            #expect((50...61).contains(error?.retryAfter ?? -1))
        }
    }

    @Test func internalServerErrorIsRetryable() async throws {
        try await withStub { store, _ in
            let error = await #expect(throws: TransferError.self) { try await store.list(prefix: "error-500") }
            #expect(error?.code == .retryable)
            #expect(error?.status == 500)
            #expect(error?.message == "Stub: stub answer")
        }
    }

    @Test func stalledServerIsRetryable() async throws {
        let timeouts = TransferTimeouts(connect: 2, lowSpeedBytesPerSecond: 1024, lowSpeedWindow: 1)
        try await withStub(timeouts: timeouts) { store, _ in
            let start = Date()
            let error = await #expect(throws: TransferError.self) { try await store.head("hang") }
            #expect(error?.code == .retryable)
            // The stub never answers: ending at all is the point (about 1 s alone; 10 s seen
            // on 2 cores under the whole parallel suite).
            #expect(Date().timeIntervalSince(start) < 30)
        }
    }

    @Test func everyRequestCarriesTheSignedRealPayloadHash() async throws {
        try await withStub(partSize: 5 << 20) { store, stub in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let big = try TestFiles.random(at: dir.path("big"), size: 11 << 20) // three parts
            let small = try TestFiles.random(at: dir.path("small"), size: 1000)
            _ = try await store.upload(file: dir.path("big"), to: "record/big", digest: big, resume: nil,
                                       pacer: nil, onCheckpoint: { _ in }, progress: { _ in })
            _ = try await store.upload(file: dir.path("small"), to: "record/small", digest: small, resume: nil,
                                       pacer: nil, onCheckpoint: { _ in }, progress: { _ in })
            _ = try await store.head("record/small")
            _ = try await store.list(prefix: "record/")
            try await store.delete("record/small")

            let requests = try stub.recordedRequests()
            #expect(Set(requests.map(\.method)) == ["POST", "PUT", "HEAD", "GET", "DELETE"])
            // Create, three parts, complete; PUT; HEAD; list; DELETE.
            let expectedCount = 9
            #expect(requests.count == expectedCount)
            for request in requests {
                #expect(request.claimed == request.actual, "\(request.method) \(request.path)")
                #expect(request.signed, "\(request.method) \(request.path)")
            }
        }
    }

    /// S3 may answer CompleteMultipartUpload with 200 and an `<Error>` document.
    @Test func completionAnsweringErrorWith200AbortsTheUploadAndDeletesTheKey() async throws {
        try await withStub(partSize: 5 << 20) { store, stub in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let digest = try TestFiles.random(at: dir.path("big"), size: 11 << 20)
            let checkpoints = Recorder<UploadCheckpoint?>()
            let error = await #expect(throws: TransferError.self) {
                try await store.upload(file: dir.path("big"), to: "record/complete-error/big", digest: digest, resume: nil,
                                       pacer: nil, onCheckpoint: { checkpoints.record($0) }, progress: { _ in })
            }
            #expect(error?.code == .retryable)
            #expect(error?.message.contains("InternalError") == true)
            #expect(checkpoints.values.last! == nil, "the upload is gone: nothing to resume")

            let requests = try stub.recordedRequests().map { "\($0.method) \($0.path)" }
            let complete = try #require(requests.firstIndex { $0.hasPrefix("POST") && $0.contains("uploadId=stub-upload") })
            #expect(requests[(complete + 1)...].contains { $0.hasPrefix("DELETE") && $0.contains("uploadId=stub-upload") },
                    "aborted: \(requests)")
            #expect(requests[(complete + 1)...].contains("DELETE /b/record/complete-error/big"), "key deleted: \(requests)")
        }
    }

    @Test func completionAnsweringAnotherETagDeletesTheObject() async throws {
        try await withStub(partSize: 5 << 20) { store, stub in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let digest = try TestFiles.random(at: dir.path("big"), size: 11 << 20)
            let error = await #expect(throws: TransferError.self) {
                try await store.upload(file: dir.path("big"), to: "record/complete-wrong-etag/big", digest: digest, resume: nil,
                                       pacer: nil, onCheckpoint: { _ in }, progress: { _ in })
            }
            #expect(error?.code == .verificationFailed)
            #expect(error?.message.contains("00000000000000000000000000000000-3") == true)
            let requests = try stub.recordedRequests().map { "\($0.method) \($0.path)" }
            #expect(requests.last == "DELETE /b/record/complete-wrong-etag/big", "\(requests)")
        }
    }
}
