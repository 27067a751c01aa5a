import Foundation
import Testing
import VMIBTestSupport
import VMIBTransfer
@testable import VMIBReplication

/// A region's bytes/s cap, measured against a real S3 server over loopback. A measurement:
/// scripts/test runs it in a process of its own, so other tests do not compete for the CPU.
@Suite(.enabled(if: RcloneS3Server.isAvailable))
struct RegionLimitIntegrationTests {
    @Test func bytesPerSecondCapHoldsWithinTenPercent() async throws {
        let server = try await RcloneS3Server(buckets: ["eastus"])
        defer { server.remove() }
        let dir = try TestFiles.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("disk")
        let size = 10_000_000
        try TestFiles.random(file, bytes: size)
        let store = S3BlobStore(config: S3Config(endpoint: URL(string: server.endpoint)!, bucket: "eastus",
                                                 accessKey: RcloneS3Server.accessKey, secretKey: RcloneS3Server.secretKey))
        let digest = try FileDigest.of(file.path)
        let cap: Int64 = 2_000_000
        let started = ContinuousClock.now
        _ = try await store.upload(file: file.path, to: "capped", digest: digest, resume: nil,
                                   pacer: ThreadBytePacer(bytesPerSecond: cap), onCheckpoint: { _ in }, progress: { _ in })
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = Double(size) / seconds
        print("region limit: \(size) bytes in \(String(format: "%.2f", seconds)) s = \(Int(rate)) B/s against a cap of \(cap) B/s")
        #expect(abs(rate - Double(cap)) / Double(cap) < 0.10, "measured \(Int(rate)) B/s against a cap of \(cap)")
    }
}
