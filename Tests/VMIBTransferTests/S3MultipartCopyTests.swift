import Foundation
import VMIBTestSupport
import Testing
@testable import VMIBTransfer

/// In-bucket copies made of UploadPartCopy parts, against moto's S3 (rclone does not copy
/// parts; see `S3BlobStoreTests` for its fallback).
@Suite(.enabled(if: MotoS3Server.isAvailable, "needs moto_server on PATH (scripts/setup --test)"))
struct S3MultipartCopyTests {
    private func upload(_ store: S3BlobStore, _ file: String, _ key: String, _ digest: ObjectDigest) async throws -> ObjectInfo {
        try await store.upload(file: file, to: key, digest: digest, resume: nil, pacer: nil,
                               onCheckpoint: { _ in }, progress: { _ in })
    }

    /// The multipart ETag of a local file cut by `plan`, hashed here part by part.
    private func multipartETag(of path: String, plan: S3PartPlan) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return S3ETag.multipart(partMD5s: plan.parts.map { part in
            var hasher = StreamHasher()
            data[Int(part.offset)..<Int(part.offset + part.length)].withUnsafeBytes { hasher.update($0) }
            return hasher.finalize().md5
        })
    }

    /// Cut like the upload, the copy's parts are the upload's byte ranges: its ETag is the
    /// one the upload computed from the bytes it sent, which proves the copy.
    @Test func copiesAnObjectOverTheThresholdInPartsWithTheUploadsETag() async throws {
        try await withMotoS3Server { server in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let store = S3BlobStore(config: server.config(multipartCopyThreshold: 16 << 20))
            let digest = try TestFiles.random(at: dir.path("f"), size: 40 << 20)
            let info = try await upload(store, dir.path("f"), "eastus/r1", digest)
            #expect(info.etag == (try multipartETag(of: dir.path("f"), plan: S3PartPlan(size: digest.size, preferredPartSize: 16 << 20))))

            let copy = try await store.copyObject(from: "eastus/r1", to: "eastus/r2", expected: digest.expecting(etag: info.etag))
            #expect(copy.etag == info.etag)
            #expect(copy.provenSHA256 == digest.sha256)
            #expect(try await store.head("eastus/r2") == ObjectInfo(size: digest.size, etag: info.etag, sha256: digest.sha256))
            #expect(try await store.download("eastus/r2", to: dir.path("back")) == digest)
            #expect(try await store.pendingUploads(prefix: "").isEmpty)

            #expect(try await store.verify("eastus/r2", expected: digest.expecting(etag: copy.etag)) == digest.sha256)
            let other = await #expect(throws: TransferError.self) {
                try await store.verify("eastus/r2", expected: digest.expecting(etag: String(repeating: "0", count: 32) + "-3"))
            }
            #expect(other?.code == .verificationFailed, "a multipart ETag other than the recorded one")
        }
    }

    /// Part size changed since the upload: the copy's ETag (of its own 8 MiB ranges) cannot
    /// be compared with the upload's, so it proves nothing, but it is the right one.
    @Test func copyCutDifferentlyFromTheUploadReportsItsOwnPartsETag() async throws {
        try await withMotoS3Server { server in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let uploader = S3BlobStore(config: server.config())
            let copier = S3BlobStore(config: server.config(partSize: 8 << 20, multipartCopyThreshold: 16 << 20))
            let digest = try TestFiles.random(at: dir.path("f"), size: 40 << 20)
            let info = try await upload(uploader, dir.path("f"), "eastus/r1", digest)

            let copy = try await copier.copyObject(from: "eastus/r1", to: "eastus/r2", expected: digest.expecting(etag: info.etag))
            let eightMiB = try multipartETag(of: dir.path("f"), plan: S3PartPlan(size: digest.size, preferredPartSize: 8 << 20))
            #expect(eightMiB.hasSuffix("-5"))
            #expect(copy.etag == eightMiB)
            #expect(copy.provenSHA256 == nil)
            #expect(try await copier.verify("eastus/r2", expected: digest.expecting(etag: copy.etag)) == digest.sha256)
            #expect(try await copier.download("eastus/r2", to: dir.path("back")) == digest)
        }
    }

    @Test func copyWhoseETagDiffersFromTheExpectedIsDeleted() async throws {
        try await withMotoS3Server { server in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let store = S3BlobStore(config: server.config(multipartCopyThreshold: 16 << 20))
            let digest = try TestFiles.random(at: dir.path("f"), size: 20 << 20)
            _ = try await upload(store, dir.path("f"), "eastus/r1", digest)

            let wrong = digest.expecting(etag: String(repeating: "0", count: 32) + "-2")
            let error = await #expect(throws: TransferError.self) {
                try await store.copyObject(from: "eastus/r1", to: "eastus/r2", expected: wrong)
            }
            #expect(error?.code == .verificationFailed)
            #expect(try await store.head("eastus/r2") == nil)
            #expect(try await store.pendingUploads(prefix: "").isEmpty)

            let missing = await #expect(throws: TransferError.self) {
                try await store.copyObject(from: "eastus/none", to: "eastus/r3", expected: digest)
            }
            #expect(missing?.code == .fatal)
            #expect(try await store.head("eastus/r3") == nil)
        }
    }
}
