import Foundation
import Testing
import VMIBTestSupport

/// A region's limits are one budget: versions replicating at once through `vmib serve` into
/// one capped region share its bytes per second (the sum holds the cap), where each used to
/// get the whole cap. Timing-sensitive: scripts/test runs it alone, after the parallel suite.
@Suite(.serialized) struct RegionLimitSharedBudgetTests {
    static let cap = 2_000_000
    static let size = 3_000_000

    @Test(arguments: [2, 5])
    func versionsReplicatingAtOnceShareTheRegionsBytesPerSecond(versions: Int) async throws {
        let dir = try TestFiles.directory("vmib-budget")
        defer { try? FileManager.default.removeItem(at: dir) }
        let topology = dir.appendingPathComponent("topology.json").path
        try """
            {"name": "capped", "defaults": {"limits": {"concurrentTransfers": 8, "bytesPerSecond": 0, "requestsPerSecond": 0}},
             "regions": [{"name": "eastus", "storage": {"Standard_LRS": {"kind": "directory", "path": "regions/eastus"}},
                          "limits": {"concurrentTransfers": 8, "bytesPerSecond": \(Self.cap), "requestsPerSecond": 0}}]}
            """.write(toFile: topology, atomically: true, encoding: .utf8)
        let hash = try await ChildProcess.run(["sh", "-c", "printf %s budget-token | sha256sum"]).stdout.prefix(64)
        let tokens = dir.appendingPathComponent("tokens.json").path
        try #"{"tokens":[{"sha256":"\#(hash)","principal":"ci","role":"Contributor","scope":"/subscriptions/00000000-0000-0000-0000-000000000000"}]}"#
            .write(toFile: tokens, atomically: true, encoding: .utf8)
        let tokenFile = dir.appendingPathComponent("token").path
        try "budget-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let disks = try (0..<versions).map { i in
            let disk = dir.appendingPathComponent("disk\(i).raw").resolvingSymlinksInPath().path
            try TestFiles.random(URL(fileURLWithPath: disk), bytes: Self.size, seed: UInt64(i + 1))
            return disk
        }

        let server = VMIBProcess(stateDirectory: dir.appendingPathComponent("state").path, topology: topology)
        let served = try await server.serve(["--token-file", tokens, "--source-root", dir.resolvingSymlinksInPath().path],
                                            stdout: dir.appendingPathComponent("serve.out"), stderr: dir.appendingPathComponent("serve.err"))
        defer { ChildProcess.kill9(served.process) }
        try await HTTPReadiness.wait(for: "http://127.0.0.1:\(served.port)/readyz")
        let client = VMIBProcess(stateDirectory: dir.appendingPathComponent("client").path, topology: topology,
                                 environment: ["VMIB_SERVER": "http://127.0.0.1:\(served.port)", "VMIB_TOKEN": "budget-token"])
        try expectSuccess(await client.run("gallery", "create", "--name", "G"))
        try expectSuccess(await client.run("image", "create", "--gallery", "G", "--name", "I", "--os-type", "Linux",
                                           "--os-state", "Generalized", "--publisher", "P", "--offer", "O", "--sku", "S"))

        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (i, disk) in disks.enumerated() {
                group.addTask {
                    try expectSuccess(await client.run("version", "publish", "--gallery", "G", "--image", "I", "--version", "1.0.\(i)",
                                                       "--disk", disk, "--target-region", "eastus=1"))
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = Double(versions * Self.size) / seconds
        print("budget: \(versions) versions × \(Self.size) B into one region capped at \(Self.cap) B/s: \(String(format: "%.2f", seconds)) s, \(Int(rate)) B/s (\(String(format: "%.3f", rate / Double(Self.cap))) × the cap)")
        // Every version completed, each verified in the region.
        for i in 0..<versions {
            let shown = try await client.run("version", "show", "--gallery", "G", "--image", "I", "--version", "1.0.\(i)",
                                             "--replication-status", "--output", "json")
            let json = try #require(try shown.json() as? [String: Any])
            let props = try #require(json["properties"] as? [String: Any])
            #expect(props["provisioningState"] as? String == "Succeeded")
        }
        // The sum holds the cap (within 10 %): with a budget per version it was versions × the cap.
        #expect(rate <= Double(Self.cap) * 1.1, "\(rate) B/s for a cap of \(Self.cap)")
        #expect(rate >= Double(Self.cap) * 0.5, "\(rate) B/s: far below the cap, something else is slow")
    }
}
