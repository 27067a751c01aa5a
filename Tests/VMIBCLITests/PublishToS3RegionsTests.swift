import Foundation
import Testing
import VMIBTestSupport

/// End-to-end through the `vmib` executable against real S3 servers (rclone), one per region.
@Suite(.enabled(if: RcloneS3Server.isAvailable), .serialized)
struct PublishToS3RegionsTests {
    @Test func publishesToFiveRegionsTimesThreeReplicasEachVerifiedInItsRegion() async throws {
        let d = try await S3Deployment(regions: 5)
        defer { d.remove() }
        let disk = try d.disk(mib: 64)
        let digest = try await TestFiles.sha256(disk)
        let r = try await d.vmib.run(["version", "publish", "--gallery", "G", "--image", "I", "--version", "1.0.0", "--disk", disk]
                               + d.regions.flatMap { ["--target-region", "\($0)=3"] })
        try expectSuccess(r)
        let status = try await d.status()
        #expect(status.aggregatedState == "Completed")
        #expect(status.provisioningState == "Succeeded")
        #expect(status.summary.count == 5)
        #expect(status.replicas.count == 15)
        for replica in status.replicas {
            #expect(replica["state"] as? String == "Completed")
            #expect(replica["verifiedDigest"] as? String == digest)
        }
        // Independently of vmib: the bytes each region's server stored hash to the disk's digest.
        for region in d.regions {
            for index in 1...3 {
                #expect(try await TestFiles.sha256(d.objectPath(region, replica: index)) == digest, "\(region) replica \(index)")
            }
        }
    }

    @Test(arguments: [503, 429])
    func aThrottlingRegionStillCompletesAndShowsItsRetries(status: Int) async throws {
        let d = try await S3Deployment(regions: 2)
        defer { d.remove() }
        let throttled = d.regions[0]
        let proxy = try await FlakyProxy(upstreamPort: d.servers[throttled]!.port, failures: 3, status: status, retryAfter: 1)
        defer { proxy.stop() }
        d.endpoints[throttled] = proxy.endpoint
        try d.writeTopology(retry: #"{"maxAttempts": 6, "baseDelayMs": 100, "maxDelayMs": 400}"#)
        let disk = try d.disk(mib: 8)
        let started = Date()
        try expectSuccess(try await d.vmib.run("version", "publish", "--gallery", "G", "--image", "I", "--version", "1.0.0",
                                         "--disk", disk, "--target-region", "\(throttled)=2", "--target-region", "\(d.regions[1])=1"))
        let elapsed = Date().timeIntervalSince(started)
        #expect(proxy.faultsServed == 3)
        let s = try await d.status()
        #expect(s.aggregatedState == "Completed")
        // Faults that hit a transfer show as retries (one may hit the start-of-pass clean-up
        // listing instead, which is best effort); each retry waited for Retry-After: 1.
        let details = try #require(s.region(throttled)?["details"] as? String)
        let retries = try #require(details.firstMatch(of: /(\d+) retr(y|ies)/).map { Int($0.1)! })
        #expect(retries >= 2, "\(details)")
        #expect(elapsed >= Double(retries) * 0.95, "Retry-After honoured: \(elapsed) s for \(retries) retries")
        #expect(try await TestFiles.sha256(d.objectPath(throttled, replica: 2)) == (try await TestFiles.sha256(disk)))
    }

    @Test func aDownRegionFailsWithItsCauseThenReconcileCompletesItAlone() async throws {
        let d = try await S3Deployment(regions: 3, downRegions: ["westus"])
        defer { d.remove() }
        let disk = try d.disk(mib: 16)
        let publish = try await d.vmib.run(["version", "publish", "--gallery", "G", "--image", "I", "--version", "1.0.0", "--disk", disk]
                                     + d.regions.flatMap { ["--target-region", "\($0)=2"] })
        #expect(publish.exitCode == 1)
        #expect(publish.stderr.contains("westus"), "\(publish.stderr)")
        #expect(publish.stderr.lowercased().contains("connect"), "the cause is named: \(publish.stderr)")
        let failed = try await d.status()
        #expect(failed.provisioningState == "Failed")
        #expect(failed.aggregatedState == "Failed")
        #expect(failed.region("westus")?["state"] as? String == "Failed")
        #expect(failed.region("eastus")?["state"] as? String == "Completed")
        #expect(failed.region("eastus2")?["state"] as? String == "Completed")

        // The region comes back on the same port.
        let port = Int(d.endpoints["westus"]!.split(separator: ":").last!)!
        d.reservations["westus"]?.release()
        let westus = try await RcloneS3Server(buckets: ["westus"], port: port)
        d.servers["westus"] = westus
        d.endpoints["westus"] = nil
        let healthy = ["eastus", "eastus2"].flatMap { r in (1...2).map { d.objectPath(r, replica: $0) } }
        let before = try healthy.map { try FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date }
        let attemptsBefore = failed.replicas.filter { $0["region"] as? String != "westus" }.map { $0["attempts"] as? Int }

        try expectSuccess(try await d.vmib.run("version", "reconcile", "--gallery", "G", "--image", "I", "--version", "1.0.0"))
        let done = try await d.status()
        #expect(done.provisioningState == "Succeeded")
        #expect(done.aggregatedState == "Completed")
        #expect(try await TestFiles.sha256(d.objectPath("westus", replica: 2)) == (try await TestFiles.sha256(disk)))
        // Nothing was copied again in the healthy regions.
        let after = try healthy.map { try FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date }
        #expect(before == after)
        #expect(done.replicas.filter { $0["region"] as? String != "westus" }.map { $0["attempts"] as? Int } == attemptsBefore)
    }
}
