import Foundation
import Testing
import VMIBTestSupport
import VMIBTransfer

/// Delta replication to an S3 region without an agent, end to end: a real S3 server that
/// copies parts (moto) behind a counting relay. A patch version that changes 1 MiB of a
/// 48 MiB disk sends one 16 MiB part over the link; the other parts are copied in the
/// bucket from the earlier version's replica, and the object is still verified whole.
@Suite(.enabled(if: MotoS3Server.isAvailable, "needs moto_server on PATH (scripts/setup --test)"), .serialized)
struct DeltaS3Tests {
    static let mib = 1 << 20

    @Test func aPatchVersionSendsOnlyThePartsThatChanged() async throws {
        let server = try await MotoS3Server.start(buckets: ["eastus"])
        defer { server.remove() }
        let relay = try await FlakyProxy(upstreamPort: server.port, failures: 0)
        defer { relay.stop() }
        let dir = try TestFiles.directory("vmib-delta")
        defer { try? FileManager.default.removeItem(at: dir) }
        let topology = dir.appendingPathComponent("topology.json").path
        try #"""
            {"name": "delta", "chunkSizeBytes": 1048576,
             "regions": [{"name": "eastus", "storage": {"Standard_LRS": {"kind": "s3", "endpoint": "\#(relay.endpoint)",
               "bucket": "eastus", "accessKeyEnv": "VMIB_TEST_KEY", "secretKeyEnv": "VMIB_TEST_SECRET"}}}]}
            """#.write(toFile: topology, atomically: true, encoding: .utf8)
        let vmib = VMIBProcess(stateDirectory: dir.appendingPathComponent("state").path, topology: topology,
                               environment: ["VMIB_TEST_KEY": "AKIAVMIBTEST", "VMIB_TEST_SECRET": "vmibsecretkey"])
        try expectSuccess(await vmib.run("gallery", "create", "--name", "G"))
        try expectSuccess(await vmib.run("image", "create", "--gallery", "G", "--name", "I", "--os-type", "Linux",
                                         "--os-state", "Generalized", "--publisher", "P", "--offer", "O", "--sku", "S"))
        let size = 48 * Self.mib
        let v1 = dir.appendingPathComponent("v1.raw")
        try TestFiles.random(v1, bytes: size, seed: 11)
        func publish(_ version: String, _ disk: URL) async throws {
            try expectSuccess(await vmib.run("version", "publish", "--gallery", "G", "--image", "I", "--version", version,
                                             "--disk", disk.path, "--target-region", "eastus=1"))
        }
        try await publish("1.0.0", v1)
        let first = relay.received.bytes
        #expect(first >= Int64(size) && first < Int64(size + Self.mib), "1.0.0 sent \(first)")

        // 1.1.0: the same disk with 1 MiB changed at 20 MiB, inside the second 16 MiB part.
        var bytes = try Data(contentsOf: v1)
        for i in (20 * Self.mib)..<(21 * Self.mib) { bytes[i] ^= 0xa5 }
        let v2 = dir.appendingPathComponent("v2.raw")
        try bytes.write(to: v2)
        try await publish("1.1.0", v2)
        let patch = relay.received.bytes - first
        #expect(patch >= Int64(16 * Self.mib) && patch < Int64(16 * Self.mib + 64 << 10),
                "1.1.0 sent \(patch) bytes over the link for a 1 MiB change of a \(size)-byte disk")

        // The object the server holds is 1.1.0's disk, byte for byte.
        let store = S3BlobStore(config: server.config(bucket: "eastus"))
        let held = try await store.download("vmib/00000000-0000-0000-0000-000000000000/vmib/G/I/1.1.0/replica-1",
                                            to: dir.appendingPathComponent("back").path)
        #expect(held.sha256 == (try FileDigest.of(v2.path)).sha256)

        // Status and usage say where the bytes came from.
        let show = try await vmib.run("version", "show", "--gallery", "G", "--image", "I", "--version", "1.1.0",
                                      "--replication-status", "--output", "json")
        try expectSuccess(show)
        let status = try #require(try show.json() as? [String: Any])
        #expect(status.aggregatedState == "Completed")
        let details = status.region("eastus")?["details"] as? String ?? ""
        #expect(details.contains("\(16 * Self.mib) bytes over the link, \(32 * Self.mib) from earlier versions"), "\(details)")
        let usage = try await vmib.run("usage", "--output", "json")
        try expectSuccess(usage)
        let links = (try usage.json() as? [String: Any])?["links"] as? [[String: Any]] ?? []
        func link(_ from: String, _ to: String) -> Int? {
            links.first { $0["from"] as? String == from && $0["to"] as? String == to }?["bytes"] as? Int
        }
        #expect(link("origin", "eastus") == size + 16 * Self.mib, "\(links)")
        // What was counted over the link is what the server received, but for the two
        // completions' XML bodies.
        let uncounted = relay.received.bytes - Int64(link("origin", "eastus") ?? 0)
        #expect(uncounted >= 0 && uncounted < 4096, "\(links), received \(relay.received.bytes)")
        #expect(link("eastus", "eastus") == 32 * Self.mib, "\(links)")

        // Another image's version of the same disk copies every part from 1.1.0's replica.
        try expectSuccess(await vmib.run("image", "create", "--gallery", "G", "--name", "J", "--os-type", "Linux",
                                         "--os-state", "Generalized", "--publisher", "P", "--offer", "O", "--sku", "J"))
        let before = relay.received.bytes
        try expectSuccess(await vmib.run("version", "publish", "--gallery", "G", "--image", "J", "--version", "1.0.0",
                                         "--disk", v2.path, "--target-region", "eastus=1"))
        #expect(relay.received.bytes - before < 4096, "J 1.0.0 sent \(relay.received.bytes - before)")
        let j = try await vmib.run("version", "show", "--gallery", "G", "--image", "J", "--version", "1.0.0",
                                   "--replication-status", "--output", "json")
        try expectSuccess(j)
        let jDetails = (try j.json() as? [String: Any])?.region("eastus")?["details"] as? String ?? ""
        #expect(jDetails.contains("0 bytes over the link, \(size) from earlier versions"), "\(jDetails)")
    }

    /// rclone answers UploadPartCopy without copying: the patch version is uploaded whole,
    /// verified as ever, and nothing claims bytes from earlier versions.
    @Test func aServerThatDoesNotCopyPartsGetsTheWholeDisk() async throws {
        let d = try await S3Deployment(regions: 1)
        defer { d.remove() }
        let relay = try await FlakyProxy(upstreamPort: d.servers["eastus"]!.port, failures: 0)
        defer { relay.stop() }
        d.endpoints["eastus"] = relay.endpoint
        try d.writeTopology(retry: #"{"maxAttempts": 3, "baseDelayMs": 100, "maxDelayMs": 400}"#)
        let size = 40 * Self.mib
        let v1 = try d.disk(mib: 40)
        try expectSuccess(await d.vmib.run("version", "publish", "--gallery", "G", "--image", "I", "--version", "1.0.0",
                                           "--disk", v1, "--target-region", "eastus=1"))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: v1))
        for i in (20 * Self.mib)..<(21 * Self.mib) { bytes[i] ^= 0xa5 }
        let v2 = d.dir.appendingPathComponent("v2.raw")
        try bytes.write(to: v2)
        let first = relay.received.bytes
        try expectSuccess(await d.vmib.run("version", "publish", "--gallery", "G", "--image", "I", "--version", "1.1.0",
                                           "--disk", v2.path, "--target-region", "eastus=1"))
        #expect(relay.received.bytes - first >= Int64(size))
        let held = try await TestFiles.sha256(d.objectPath("eastus", replica: 1, version: "1.1.0"))
        #expect(held == (try FileDigest.of(v2.path)).sha256)
        let status = try await d.status("1.1.0")
        #expect(status.aggregatedState == "Completed")
        #expect((status.region("eastus")?["details"] as? String)?.contains("from earlier versions") == false, "\(status.summary)")
    }
}
