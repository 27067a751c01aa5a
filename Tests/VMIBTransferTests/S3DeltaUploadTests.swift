import Foundation
import Testing
import VMIBCore
import VMIBTestSupport
@testable import VMIBTransfer

/// Delta uploads: unchanged parts copied from an earlier object in the bucket
/// (UploadPartCopy, against moto), the rest sent; rclone ignores part copies, so there the
/// delta gives way to a full upload.
@Suite(.serialized) struct S3DeltaUploadTests {
    static let mib = 1 << 20

    /// `source` with the bytes `at..<at+length` overwritten by other bytes, at `path`.
    private func patched(_ source: String, to path: String, at: Int, length: Int) throws -> ObjectDigest {
        var bytes = try Data(contentsOf: URL(fileURLWithPath: source))
        for i in at..<at + length { bytes[i] ^= 0x5a }
        try bytes.write(to: URL(fileURLWithPath: path))
        return try FileDigest.of(path)
    }

    private func upload(_ store: S3BlobStore, _ file: String, _ key: String, _ digest: ObjectDigest) async throws -> ObjectInfo {
        try await store.upload(file: file, to: key, digest: digest, resume: nil, pacer: nil, onCheckpoint: { _ in }, progress: { _ in })
    }

    private func delta(_ store: S3BlobStore, _ file: String, _ key: String, base: String, baseFile: String,
                       baseSHA256: String? = nil) async throws -> DeltaUpload? {
        let (digest, index) = try FileDigest.indexed(file, chunkSize: 1 << 20)
        let (baseDigest, baseIndex) = try FileDigest.indexed(baseFile, chunkSize: 1 << 20)
        return try await store.uploadDelta(file: file, to: key, digest: digest, index: index, base: base,
                                           baseSHA256: baseSHA256 ?? baseDigest.sha256, baseIndex: baseIndex,
                                           pacer: nil, progress: { _ in })
    }

    /// 24 MiB in 5 MiB parts, 1 MiB changed inside part 3: that part is sent, the other four
    /// are copied, and the object is the new disk with the ETag a full upload would have;
    /// with parts signed and with UNSIGNED-PAYLOAD parts (https endpoints' default).
    @Test(arguments: [S3Config.PayloadSigning.always, .never])
    func sendsOnlyThePartsWhoseChunksChanged(signing: S3Config.PayloadSigning) async throws {
        try await withMotoS3Server { server in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            var config = server.config(partSize: 5 << 20, multipartThreshold: 8 << 20)
            config.payloadSigning = signing
            let store = S3BlobStore(config: config)
            let old = try TestFiles.random(at: dir.path("old"), size: 24 * Self.mib)
            _ = try await upload(store, dir.path("old"), "eastus/1.0.0", old)
            let new = try patched(dir.path("old"), to: dir.path("new"), at: 11 * Self.mib, length: Self.mib)

            let made = try #require(try await delta(store, dir.path("new"), "eastus/1.1.0", base: "eastus/1.0.0", baseFile: dir.path("old")))
            #expect(made.sentBytes == Int64(5 * Self.mib) && made.copiedBytes == Int64(19 * Self.mib))
            let full = try await upload(store, dir.path("new"), "eastus/full", new)
            #expect(made.object.etag == full.etag)
            #expect(try await store.download("eastus/1.1.0", to: dir.path("back")) == new)
            #expect(try await store.verify("eastus/1.1.0", expected: new.expecting(etag: made.object.etag)) == new.sha256)
            #expect(try await store.pendingUploads(prefix: "").isEmpty)
        }
    }

    /// A base whose bytes at some offset are not what its index says: the copied part's ETag
    /// is not the local part's MD5, so that part is sent instead, and the object is right.
    @Test func aPartTheBaseHoldsDifferentlyIsSent() async throws {
        try await withMotoS3Server { server in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let store = S3BlobStore(config: server.config(partSize: 5 << 20, multipartThreshold: 8 << 20))
            _ = try TestFiles.random(at: dir.path("old"), size: 24 * Self.mib)
            // The bucket holds `held` (old, changed at 2 MiB) but the index handed over is old's.
            let held = try patched(dir.path("old"), to: dir.path("held"), at: 2 * Self.mib, length: 4096)
            _ = try await upload(store, dir.path("held"), "eastus/1.0.0", held)
            let new = try patched(dir.path("old"), to: dir.path("new"), at: 11 * Self.mib, length: Self.mib)

            let made = try #require(try await delta(store, dir.path("new"), "eastus/1.1.0", base: "eastus/1.0.0",
                                                    baseFile: dir.path("old"), baseSHA256: held.sha256))
            #expect(made.sentBytes == Int64(10 * Self.mib) && made.copiedBytes == Int64(14 * Self.mib))
            #expect(try await store.download("eastus/1.1.0", to: dir.path("back")) == new)
        }
    }

    /// rclone stores an empty part for UploadPartCopy: no delta is made, nothing is left.
    @Test func aServerThatIgnoresPartCopiesGetsNoDelta() async throws {
        try await withRcloneS3Server { server in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            var config = server.config()
            config.partSize = 5 << 20
            config.multipartThreshold = 8 << 20
            let store = S3BlobStore(config: config)
            let old = try TestFiles.random(at: dir.path("old"), size: 24 * Self.mib)
            _ = try await upload(store, dir.path("old"), "eastus/1.0.0", old)
            _ = try patched(dir.path("old"), to: dir.path("new"), at: 11 * Self.mib, length: Self.mib)
            #expect(try await delta(store, dir.path("new"), "eastus/1.1.0", base: "eastus/1.0.0", baseFile: dir.path("old")) == nil)
            #expect(try await store.head("eastus/1.1.0") == nil)
            #expect(try await store.pendingUploads(prefix: "").isEmpty)
        }
    }
}
