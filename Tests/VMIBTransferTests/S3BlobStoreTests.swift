import Foundation
import VMIBTestSupport
import Testing
@testable import VMIBTransfer

/// Integration tests against a real `rclone serve s3` on loopback.
@Suite(.enabled(if: RcloneS3Server.isAvailable, "needs rclone on PATH"))
struct S3BlobStoreTests {
    private func upload(
        _ store: S3BlobStore, _ file: String, _ key: String, _ digest: ObjectDigest,
        resume: UploadCheckpoint? = nil, pacer: (any BytePacer)? = nil,
        checkpoints: Recorder<UploadCheckpoint?> = Recorder()
    ) async throws -> ObjectInfo {
        try await store.upload(file: file, to: key, digest: digest, resume: resume, pacer: pacer,
                               onCheckpoint: { checkpoints.record($0) }, progress: { _ in })
    }

    @Test func uploadsSmallFileInOnePutAndVerifies() async throws {
        try await withRcloneS3Server { server in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let store = S3BlobStore(config: server.config())
            let digest = try TestFiles.random(at: dir.path("small"), size: 100_000)
            let checkpoints = Recorder<UploadCheckpoint?>()

            let info = try await upload(store, dir.path("small"), "g/i/1.0.0/r1", digest, checkpoints: checkpoints)
            #expect(info.etag == digest.md5)
            #expect(checkpoints.values.isEmpty)
            #expect(try await store.head("g/i/1.0.0/r1") == ObjectInfo(size: digest.size, etag: digest.md5, sha256: digest.sha256))
            #expect(try await store.verify("g/i/1.0.0/r1", expected: digest) == digest.sha256)
            #expect(try await store.list(prefix: "g/i/") == ["g/i/1.0.0/r1"])
        }
    }

    /// Signed parts (hashed before they are sent) and unsigned ones (hashed as they go).
    @Test(arguments: [S3Config.PayloadSigning.always, .never])
    func uploadsLargeFileInPartsAndVerifies(signing: S3Config.PayloadSigning) async throws {
        try await withRcloneS3Server { server in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let store = S3BlobStore(config: server.config(payloadSigning: signing)) // 16 MiB parts from 32 MiB on
            let digest = try TestFiles.random(at: dir.path("big"), size: 64 << 20)
            let checkpoints = Recorder<UploadCheckpoint?>()
            let progress = Recorder<Int64>()

            let info = try await store.upload(
                file: dir.path("big"), to: "big", digest: digest, resume: nil, pacer: nil,
                onCheckpoint: { checkpoints.record($0) }, progress: { progress.record($0) })
            #expect(info.etag?.hasSuffix("-4") == true)
            #expect(checkpoints.values.count == 2)
            #expect(checkpoints.values.first??.key == "big")
            #expect(checkpoints.values.last! == nil)
            #expect(progress.values.last == digest.size)
            #expect(try await store.pendingUploads(prefix: "").isEmpty)
            #expect(try await store.verify("big", expected: digest) == digest.sha256)

            // GET streams it back byte for byte.
            let received = try await store.download("big", to: dir.path("back"))
            #expect(received == digest)
            #expect(try TestFiles.digest(of: dir.path("back")) == digest)
        }
    }

    @Test(arguments: [S3Config.PayloadSigning.always, .never])
    func resumesInterruptedMultipartUploadSendingOnlyMissingParts(signing: S3Config.PayloadSigning) async throws {
        try await withRcloneS3Server { server in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let partSize: Int64 = 5 << 20
            let store = S3BlobStore(config: server.config(partSize: partSize, multipartThreshold: partSize, payloadSigning: signing))
            let size = 24 << 20 // five parts
            let digest = try TestFiles.random(at: dir.path("img"), size: size)
            let checkpoints = Recorder<UploadCheckpoint?>()

            // First attempt: cancelled in the middle of the third part.
            let cancelAt = Int64(Double(partSize) * 2.5)
            let firstTask = TaskHandleBox()
            let firstPacer = CountingPacer(limit: cancelAt) { firstTask.cancel() }
            let task = Task {
                try await upload(store, dir.path("img"), "img", digest, pacer: firstPacer, checkpoints: checkpoints)
            }
            firstTask.set { task.cancel() }
            await #expect(throws: CancellationError.self) { try await task.value }

            let checkpoint = try #require(checkpoints.values.last ?? nil)
            #expect(try await store.pendingUploads(prefix: "").map(\.uploadID) == [checkpoint.uploadID])

            // Second attempt resumes: parts 1 and 2 stay, the rest is sent.
            let secondPacer = CountingPacer()
            let info = try await upload(store, dir.path("img"), "img", digest, resume: checkpoint,
                                        pacer: secondPacer, checkpoints: checkpoints)
            #expect(secondPacer.total == Int64(size) - 2 * partSize)
            #expect(firstPacer.total + secondPacer.total < 2 * Int64(size))
            #expect(info.etag?.hasSuffix("-5") == true)
            #expect(checkpoints.values.count == 2) // the id once, then nil: no second upload
            #expect(checkpoints.values.last! == nil)
            #expect(try await store.pendingUploads(prefix: "").isEmpty)
            #expect(try await store.verify("img", expected: digest) == digest.sha256)
        }
    }

    @Test func resumeWithAnUnknownUploadStartsANewOne() async throws {
        try await withRcloneS3Server { server in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let store = S3BlobStore(config: server.config(partSize: 5 << 20, multipartThreshold: 5 << 20))
            let digest = try TestFiles.random(at: dir.path("img"), size: 6 << 20)
            let checkpoints = Recorder<UploadCheckpoint?>()

            _ = try await upload(store, dir.path("img"), "img", digest,
                                 resume: UploadCheckpoint(key: "img", uploadID: "no-such-upload"), checkpoints: checkpoints)
            #expect(checkpoints.values.count == 2)
            #expect(checkpoints.values.first??.uploadID != "no-such-upload")
            #expect(try await store.verify("img", expected: digest) == digest.sha256)
        }
    }

    @Test(arguments: [S3Config.PayloadSigning.always, .never])
    func changedSourceAbortsTheMultipartUpload(signing: S3Config.PayloadSigning) async throws {
        try await withRcloneS3Server { server in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let store = S3BlobStore(config: server.config(partSize: 5 << 20, multipartThreshold: 5 << 20, payloadSigning: signing))
            let digest = try TestFiles.random(at: dir.path("img"), size: 11 << 20)
            try TestFiles.corrupt(dir.path("img"), at: 7 << 20)
            let checkpoints = Recorder<UploadCheckpoint?>()

            let error = await #expect(throws: TransferError.self) {
                try await upload(store, dir.path("img"), "img", digest, checkpoints: checkpoints)
            }
            #expect(error?.code == .fatal)
            #expect(error?.message.contains("source changed") == true)
            #expect(checkpoints.values.last! == nil)
            #expect(try await store.pendingUploads(prefix: "").isEmpty)
            #expect(try await store.head("img") == nil)
        }
    }

    @Test func changedSourceFailsASinglePutAndLeavesNoObject() async throws {
        try await withRcloneS3Server { server in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let store = S3BlobStore(config: server.config())
            let digest = try TestFiles.random(at: dir.path("f"), size: 50_000)

            let error = await #expect(throws: TransferError.self) {
                try await upload(store, dir.path("f"), "f", digest.withSHA256(String(repeating: "0", count: 64)))
            }
            #expect(error?.code == .fatal)
            #expect(try await store.head("f") == nil)
        }
    }

    @Test func verifyRejectsWhatDiffersFromTheExpectedDigest() async throws {
        try await withRcloneS3Server { server in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let store = S3BlobStore(config: server.config())
            let digest = try TestFiles.random(at: dir.path("f"), size: 10_000)
            _ = try await upload(store, dir.path("f"), "f", digest)

            let wrong = [
                ObjectDigest(size: digest.size + 1, sha256: digest.sha256, md5: digest.md5),
                digest.withSHA256(String(repeating: "a", count: 64)),
                ObjectDigest(size: digest.size, sha256: digest.sha256, md5: String(repeating: "b", count: 32)),
            ]
            for expected in wrong {
                let error = await #expect(throws: TransferError.self) { try await store.verify("f", expected: expected) }
                #expect(error?.code == .verificationFailed)
            }
            let missing = await #expect(throws: TransferError.self) { try await store.verify("nope", expected: digest) }
            #expect(missing?.code == .verificationFailed)
        }
    }

    @Test func abortUploadsLeavesOnlyTheKeptOnes() async throws {
        try await withRcloneS3Server { server in
            let store = S3BlobStore(config: server.config())
            let keep = try await store.client.createMultipartUpload("p/a", sha256: S3Client.emptySHA256)
            _ = try await store.client.createMultipartUpload("p/b", sha256: S3Client.emptySHA256)
            _ = try await store.client.createMultipartUpload("other/c", sha256: S3Client.emptySHA256)

            #expect(try await store.pendingUploads(prefix: "p/").count == 2)
            #expect(try await store.abortUploads(prefix: "p/", keeping: [keep]) == 1)
            #expect(try await store.pendingUploads(prefix: "p/").map(\.uploadID) == [keep])
            #expect(try await store.abortUploads(prefix: "", keeping: []) == 2)
            #expect(try await store.pendingUploads(prefix: "").isEmpty)
        }
    }

    @Test func copyObjectKeepsContentAndRecordedSHA256() async throws {
        try await withRcloneS3Server { server in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let store = S3BlobStore(config: server.config())
            let digest = try TestFiles.random(at: dir.path("f"), size: 200_000)
            _ = try await upload(store, dir.path("f"), "eastus/r1", digest)

            let copied = try await store.copy(from: "eastus/r1", to: "eastus/r2", expected: digest)
            #expect(copied == digest.sha256, "rclone answers the copy's MD5 as its ETag: the copy proves itself")
            var other = digest
            other.md5 = String(repeating: "0", count: 32)
            #expect(try await store.copy(from: "eastus/r1", to: "eastus/r3", expected: other) == nil, "an ETag that is not the expected MD5 proves nothing")
            #expect(try await store.head("eastus/r2")?.sha256 == digest.sha256)
            #expect(try await store.verify("eastus/r2", expected: digest) == digest.sha256)

            let missing = await #expect(throws: TransferError.self) { try await store.copy(from: "nope", to: "x", expected: digest) }
            #expect(missing?.code == .fatal)
        }
    }

    /// A completion the server refuses (here: a part it does not hold) leaves neither the
    /// upload nor anything at the key, not even the object the key held before.
    @Test func failedCompletionLeavesNoObjectAndNoUpload() async throws {
        try await withRcloneS3Server { server in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let store = S3BlobStore(config: server.config(partSize: 5 << 20, multipartThreshold: 5 << 20))
            let old = try TestFiles.random(at: dir.path("old"), size: 1000)
            _ = try await upload(store, dir.path("old"), "img", old)
            let digest = try TestFiles.random(at: dir.path("img"), size: 11 << 20)

            let multipart = try await MultipartUpload.start(client: store.client, key: "img", sha256: digest.sha256,
                                                            resume: nil, onCheckpoint: { _ in })
            let plan = S3PartPlan(size: digest.size, preferredPartSize: 5 << 20)
            var partMD5s = try await multipart.sendParts(try LocalFile.openForReading(dir.path("img")), plan: plan,
                                                         digest: digest, pacer: nil, progress: { _ in })
            partMD5s[1] = String(repeating: "0", count: 32)
            await #expect(throws: TransferError.self) { try await multipart.complete(plan, partMD5s: partMD5s) }
            #expect(try await store.head("img") == nil)
            #expect(try await store.pendingUploads(prefix: "").isEmpty)
        }
    }

    /// rclone 1.75 answers UploadPartCopy 200 but ignores the copy source (it stores an empty
    /// part): a copy over the threshold must notice and make one CopyObject instead.
    @Test func copyOverThePartThresholdFallsBackToCopyObjectWhereServersIgnorePartCopies() async throws {
        try await withRcloneS3Server { server in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            var config = server.config()
            config.multipartCopyThreshold = 16 << 20
            let store = S3BlobStore(config: config)
            let digest = try TestFiles.random(at: dir.path("f"), size: 40 << 20)
            let info = try await upload(store, dir.path("f"), "eastus/r1", digest)
            #expect(info.etag?.hasSuffix("-3") == true)

            let copy = try await store.copyObject(from: "eastus/r1", to: "eastus/r2", expected: digest.expecting(etag: info.etag))
            #expect(copy.provenSHA256 == digest.sha256)
            #expect(copy.etag == digest.md5, "CopyObject: rclone answers the content's MD5")
            #expect(try TestFiles.digest(of: server.objectPath(bucket: "test", key: "eastus/r2")) == digest)
            #expect(try await store.pendingUploads(prefix: "").isEmpty)
            #expect(try await store.verify("eastus/r2", expected: digest.expecting(etag: copy.etag)) == digest.sha256)
        }
    }

    @Test func deletedObjectHasNoHead() async throws {
        try await withRcloneS3Server { server in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let store = S3BlobStore(config: server.config())
            let digest = try TestFiles.random(at: dir.path("f"), size: 1000)
            _ = try await upload(store, dir.path("f"), "a b/c+d", digest) // keys needing encoding

            #expect(try await store.list(prefix: "a b/") == ["a b/c+d"])
            try await store.delete("a b/c+d")
            #expect(try await store.head("a b/c+d") == nil)
            try await store.delete("a b/c+d")
        }
    }

    @Test func wrongSecretIsFatalAndTheMessageHidesTheSecret() async throws {
        try await withRcloneS3Server { server in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            var config = server.config()
            config.secretKey = "wrong-secret-0123456789"
            let store = S3BlobStore(config: config)
            let digest = try TestFiles.random(at: dir.path("f"), size: 1000)

            let listError = await #expect(throws: TransferError.self) { try await store.list(prefix: "") }
            #expect(listError?.code == .fatal)
            #expect(listError?.status == 403)
            #expect(listError?.message.contains("SignatureDoesNotMatch") == true)
            #expect(listError?.description.contains(config.secretKey) == false)

            let uploadError = await #expect(throws: TransferError.self) {
                try await upload(store, dir.path("f"), "f", digest)
            }
            #expect(uploadError?.code == .fatal)
            #expect(uploadError?.description.contains(config.secretKey) == false)
        }
    }

    @Test func refusedConnectionIsRetryable() async throws {
        let closed = try LoopbackPort.Reservation()   // bound, never listening: connections are refused
        defer { closed.release() }
        let store = S3BlobStore(config: S3Config(endpoint: URL(string: "http://127.0.0.1:\(closed.port)")!, bucket: "b",
                                                 accessKey: RcloneS3Server.accessKey, secretKey: RcloneS3Server.secretKey))
        let error = await #expect(throws: TransferError.self) { try await store.head("k") }
        #expect(error?.code == .retryable)
        #expect(error?.description.contains(RcloneS3Server.secretKey) == false)
    }

    @Test func pacerLimitsUploadThroughput() async throws {
        try await withRcloneS3Server { server in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let store = S3BlobStore(config: server.config())
            let digest = try TestFiles.random(at: dir.path("f"), size: 2 << 20)

            let start = Date()
            _ = try await upload(store, dir.path("f"), "f", digest, pacer: RatePacer(bytesPerSecond: Double(4 << 20)))
            let elapsed = Date().timeIntervalSince(start)
            // 2 MiB at 4 MiB/s is 0.5 s; unpaced it takes a few milliseconds.
            #expect(elapsed >= 0.4)
            #expect(elapsed < 10)
        }
    }
}

/// Lets a pacer cancel the task it runs under, which exists only after the pacer does.
final class TaskHandleBox: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelTask: (@Sendable () -> Void)?
    private var cancelled = false

    func set(_ cancel: @escaping @Sendable () -> Void) {
        lock.lock()
        cancelTask = cancel
        let already = cancelled
        lock.unlock()
        if already { cancel() }
    }

    func cancel() {
        lock.lock()
        cancelled = true
        let cancel = cancelTask
        lock.unlock()
        cancel?()
    }
}

/// Whether parts are signed follows the AWS CLI: over http:// unless told otherwise, never
/// over https:// unless told.
@Suite struct PayloadSigningTests {
    @Test func autoSignsOverHTTPOnly() {
        func config(_ endpoint: String, _ signing: S3Config.PayloadSigning) -> S3Config {
            S3Config(endpoint: URL(string: endpoint)!, bucket: "b", accessKey: "k", secretKey: "s", payloadSigning: signing)
        }
        #expect(config("http://127.0.0.1:9000", .auto).signsPayload)
        #expect(!config("https://s3.example", .auto).signsPayload)
        #expect(!config("HTTPS://s3.example", .auto).signsPayload)
        #expect(config("https://s3.example", .always).signsPayload)
        #expect(!config("http://127.0.0.1:9000", .never).signsPayload)
        #expect(config("http://h", .never).description.contains("payloadSigning: never"))
    }
}
