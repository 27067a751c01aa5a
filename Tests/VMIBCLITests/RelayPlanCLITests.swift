import Foundation
import Testing
import VMIBTestSupport

/// `vmib version plan` (and `version publish --dry-run`, the same plan) against a topology
/// with agents: the links follow the relay tree, the tree is drawn, a region without an
/// agent is fed by the origin, and nothing is recorded or copied.
@Suite struct RelayPlanCLITests {
    static let topology = """
        {"name": "relay",
         "agents": {"keyEnv": "VMIB_AGENT_KEY", "relay": "tree",
                    "origin": {"endpoint": "http://127.0.0.1:7100", "uplinkBytesPerSecond": 8000000}},
         "regions": [
           {"name": "eastus", "storage": {"Standard_LRS": {"kind": "directory", "path": "regions/eastus"}},
            "agent": {"endpoint": "http://127.0.0.1:7101", "uplinkBytesPerSecond": 8000000, "downlinkBytesPerSecond": 8000000}},
           {"name": "eastus2", "storage": {"Standard_LRS": {"kind": "directory", "path": "regions/eastus2"}},
            "agent": {"endpoint": "http://127.0.0.1:7102", "uplinkBytesPerSecond": 8000000, "downlinkBytesPerSecond": 8000000,
                      "fetchFrom": ["origin", "eastus"]}},
           {"name": "westus", "storage": {"Standard_LRS": {"kind": "directory", "path": "regions/westus"}},
            "agent": {"endpoint": "http://127.0.0.1:7103", "uplinkBytesPerSecond": 8000000, "downlinkBytesPerSecond": 8000000}},
           {"name": "westus2", "storage": {"Standard_LRS": {"kind": "directory", "path": "regions/westus2"}}}
         ]}
        """

    @Test func versionPlanAndPublishDryRunPrintTheRelayTree() async throws {
        let dir = try TestFiles.directory("vmib-relay-plan")
        defer { try? FileManager.default.removeItem(at: dir) }
        let topology = dir.appendingPathComponent("topology.json")
        try Data(Self.topology.utf8).write(to: topology)
        let disk = dir.appendingPathComponent("disk.raw").path
        try TestFiles.random(URL(fileURLWithPath: disk), bytes: 8 << 20)
        let state = dir.appendingPathComponent("state")
        let vmib = VMIBProcess(stateDirectory: state.path, topology: topology.path)
        try expectSuccess(await vmib.run("gallery", "create", "--name", "G"))
        try expectSuccess(await vmib.run("image", "create", "--gallery", "G", "--name", "I", "--os-type", "Linux", "--os-state", "Generalized",
                                         "--publisher", "P", "--offer", "O", "--sku", "S"))
        let request = ["--gallery", "G", "--image", "I", "--version", "1.0.0", "--disk", disk]
            + ["eastus=2", "eastus2", "westus", "westus2"].flatMap { ["--target-region", $0] }

        let size = 8 << 20
        let plan = try await vmib.run(["version", "plan"] + request)
        try expectSuccess(plan)
        let dryRun = try await vmib.run(["version", "publish"] + request + ["--dry-run"])
        try expectSuccess(dryRun)
        #expect(plan.stdout == dryRun.stdout)
        for line in ["origin → eastus: \(size) bytes", "eastus (in-region copy): \(size) bytes", "eastus → eastus2: \(size) bytes",
                     "eastus2 → westus: \(size) bytes", "origin → westus2: \(size) bytes",
                     "relay (tree, every region at 8.0 MB/s, depth 3, about 1.4 s):",
                     "\n  origin → eastus → eastus2 → westus\n",
                     "\n  westus2: fed by the origin over its storage (no agent)\n",
                     "delta may move less"] {
            #expect(plan.stdout.contains(line), "\(line) in \(plan.stdout)")
        }

        let json = try await vmib.run(["version", "plan"] + request + ["--output", "json"])
        try expectSuccess(json)
        let relay = try #require((try json.json() as? [String: Any])?["relay"] as? [String: Any], "\(json.stdout)")
        #expect(relay["rateBytesPerSecond"] as? Int == 8_000_000 && relay["depth"] as? Int == 3)
        let regions = try #require(relay["regions"] as? [[String: Any]])
        #expect(regions.map { "\($0["parent"]!)>\($0["region"]!)" } == ["origin>eastus", "eastus>eastus2", "eastus2>westus"])
        #expect(regions[1]["sources"] as? [String] == ["eastus", "origin"])
        #expect(relay["withoutAgent"] as? [String] == ["westus2"])

        // The server has no publish plan yet: refused before anything is sent, naming --server.
        let tokenFile = dir.appendingPathComponent("token").path
        try Data("t\n".utf8).write(to: URL(fileURLWithPath: tokenFile))
        let remote = try await vmib.run(["version", "plan"] + request + ["--server", "http://127.0.0.1:1", "--token-file", tokenFile])
        #expect(remote.exitCode == 2 && remote.stderr.contains("--server: a publish's plan"), "\(remote.stderr)")

        // A Shallow publish copies nothing to any region: its plan says so.
        let shallow = try await vmib.run(["version", "plan", "--gallery", "G", "--image", "I", "--version", "1.0.0", "--disk", disk,
                                          "--replication-mode", "Shallow", "--output", "json"])
        try expectSuccess(shallow)
        let shallowPlan = try #require(try shallow.json() as? [String: Any])
        #expect(shallowPlan["movedBytes"] as? Int == 0 && shallowPlan["storedBytes"] as? Int == 0, "\(shallowPlan)")
        #expect((shallowPlan["links"] as? [Any])?.isEmpty == true && shallowPlan["relay"] == nil, "\(shallowPlan)")

        // A plan records and copies nothing.
        #expect(try await vmib.run("version", "show", "--gallery", "G", "--image", "I", "--version", "1.0.0").exitCode == 2)
        #expect(!FileManager.default.fileExists(atPath: state.appendingPathComponent("regions").path)
                || (FileManager.default.enumerator(atPath: state.appendingPathComponent("regions").path)?.allObjects.isEmpty ?? true))
    }
}
