import Foundation
import Testing
import VMIBTestSupport

/// `vmib usage` against real S3 regions (rclone), each behind a counting relay: the bytes
/// vmib says it moved are the request bytes the servers received, and the bytes it says the
/// regions store are the sizes of the objects the servers hold.
@Suite(.enabled(if: RcloneS3Server.isAvailable), .serialized)
struct UsageS3Tests {
    @Test func usageMatchesWhatTheS3ServersReceivedAndHold() async throws {
        let d = try await S3Deployment(regions: 2)
        defer { d.remove() }
        var relays: [String: FlakyProxy] = [:]
        for region in d.regions {
            let relay = try await FlakyProxy(upstreamPort: d.servers[region]!.port, failures: 0)
            relays[region] = relay
            d.endpoints[region] = relay.endpoint
        }
        defer { relays.values.forEach { $0.stop() } }
        try d.writeTopology(retry: #"{"maxAttempts": 3, "baseDelayMs": 100, "maxDelayMs": 400}"#)
        let size = 8 << 20
        let disk = try d.disk(mib: 8)
        let publish = ["version", "publish", "--gallery", "G", "--image", "I", "--version", "1.0.0",
                       "--disk", disk, "--target-region", "eastus=2", "--target-region", "eastus2=1"]
        // The publish's plan: bytes per link, and nothing recorded, sent or stored.
        let plan = try await d.vmib.run(publish + ["--dry-run"])
        try expectSuccess(plan)
        for line in ["origin → eastus: \(size) bytes", "eastus (in-region copy): \(size) bytes", "origin → eastus2: \(size) bytes",
                     "no price sheet"] {
            #expect(plan.stdout.contains(line), "\(line) in \(plan.stdout)")
        }
        #expect(relays.values.allSatisfy { $0.received.bytes == 0 })
        #expect(try await d.vmib.run("version", "show", "--gallery", "G", "--image", "I", "--version", "1.0.0").exitCode == 2)

        try expectSuccess(try await d.vmib.run(publish))

        let usage = try await self.usage(d)
        let links = try #require(usage["links"] as? [[String: Any]])
        func link(_ from: String, _ to: String) -> [String: Any]? {
            links.first { $0["from"] as? String == from && $0["to"] as? String == to }
        }
        // What vmib counted over each link is what each server received in request bodies.
        for region in ["eastus", "eastus2"] {
            let received = relays[region]!.received
            #expect(link("origin", region)?["bytes"] as? Int == Int(received.bytes), "\(region): \(links)")
            #expect(Int(received.bytes) == size, "\(region) received \(received.bytes)")
        }
        // The second eastus replica is a copy inside the region, counted apart, with no bytes over the link.
        #expect(link("eastus", "eastus")?["bytes"] as? Int == size)
        #expect(link("eastus", "eastus")?["inRegion"] as? Bool == true)
        #expect(links.count == 3, "\(links)")

        // Stored bytes are what the servers hold.
        let storage = try #require(usage["storage"] as? [[String: Any]])
        for region in ["eastus", "eastus2"] {
            let held = try objects(d, region)
            let row = storage.first { $0["region"] as? String == region }
            #expect(row?["bytes"] as? Int == Int(held.bytes), "\(region): \(storage)")
            #expect(row?["replicas"] as? Int == held.count)
        }
        #expect(try objects(d, "eastus").count == 2)

        // Every storage operation counted is at least one request the server saw.
        let requests = try #require(usage["requests"] as? [[String: Any]])
        for region in ["eastus", "eastus2"] {
            let counted = try #require(requests.first { $0["region"] as? String == region }?["requests"] as? Int)
            #expect(counted >= 2 && counted <= relays[region]!.received.requests, "\(region): \(counted)")
        }

        // The table says the same for people.
        let table = try await d.vmib.run("usage")
        try expectSuccess(table)
        #expect(table.stdout.contains("stored now (Completed replicas × size): \(3 * size) bytes"), "\(table.stdout)")
        #expect(table.stdout.contains("no price sheet"), "\(table.stdout)")

        // A delete empties the regions; what moved stays moved.
        try expectSuccess(try await d.vmib.run("version", "delete", "--gallery", "G", "--image", "I", "--version", "1.0.0"))
        let after = try await self.usage(d)
        #expect((after["storage"] as? [[String: Any]])?.isEmpty == true, "\(after)")
        #expect((after["links"] as? [[String: Any]])?.count == 3)
        #expect(try objects(d, "eastus").count == 0)

        // --since after the publish counts no moves.
        let later = try await d.vmib.run("usage", "--since", "2999-01-01", "--output", "json")
        try expectSuccess(later)
        #expect(((try later.json() as? [String: Any])?["links"] as? [[String: Any]])?.isEmpty == true, "\(later.stdout)")
    }

    @Test func badOptionsAreRefusedNamingTheOptionAndWhatIsAllowed() async throws {
        let d = try await S3Deployment(regions: 1)
        defer { d.remove() }
        let since = try await d.vmib.run("usage", "--since", "last tuesday")
        #expect(since.exitCode == 2)
        #expect(since.stderr.contains("--since") && since.stderr.contains("ISO 8601"), "\(since.stderr)")
        let by = try await d.vmib.run("usage", "--by", "galaxy")
        #expect(by.exitCode == 2)
        #expect(by.stderr.contains("--by") && by.stderr.contains("region") && by.stderr.contains("template"), "\(by.stderr)")
    }

    func usage(_ d: S3Deployment) async throws -> [String: Any] {
        let r = try await d.vmib.run("usage", "--output", "json")
        try expectSuccess(r)
        return try #require(try r.json() as? [String: Any])
    }

    /// The objects a region's server holds under its bucket: how many, and their bytes.
    func objects(_ d: S3Deployment, _ region: String) throws -> (count: Int, bytes: Int64) {
        let bucket = d.servers[region]!.directory.appendingPathComponent(region)
        var count = 0, bytes: Int64 = 0
        let walker = FileManager.default.enumerator(at: bucket, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey])
        while let url = walker?.nextObject() as? URL {
            let values = try url.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey])
            guard values.isRegularFile == true, url.lastPathComponent.hasPrefix("replica-") else { continue }
            count += 1
            bytes += Int64(values.fileSize ?? 0)
        }
        return (count, bytes)
    }
}
