import Foundation
import Testing
import VMIBTestSupport

/// Changes made through `vmib serve` while a version replicates are never overwritten by
/// the pass that was running: a region added is replicated before the version is
/// Succeeded, and a delete ends with the version and its objects gone.
@Suite struct ChangesDuringReplicationTests {
    @Test func aRegionAddedWhileReplicatingCompletesBeforeSucceeded() async throws {
        let s = try await CappedServer.start("vmib-during", regions: [("eastus", 400_000), ("westus", 0)])
        defer { s.stop() }
        let disk = try s.disk("disk.raw", bytes: 3_000_000)
        try expectSuccess(await s.client.run("version", "publish", "--gallery", "G", "--image", "I", "--version", "1.0.0",
                                             "--disk", disk, "--target-region", "eastus=1", "--no-wait"))
        try await waitUntil("eastus is replicating") {
            try await s.show("1.0.0").replicationStatus["summary"].map { "\($0)".contains("Replicating") } ?? false
        }
        try expectSuccess(await s.client.run("version", "update", "--gallery", "G", "--image", "I", "--version", "1.0.0",
                                             "--target-region", "westus=2", "--no-wait"))
        try expectSuccess(await s.client.run("version", "wait", "--gallery", "G", "--image", "I", "--version", "1.0.0"))
        let shown = try await s.show("1.0.0")
        #expect(shown.properties["provisioningState"] as? String == "Succeeded")
        let summary = try #require(shown.replicationStatus["summary"] as? [[String: Any]])
        #expect(summary.map { "\($0["region"]!)=\($0["state"]!)" } == ["eastus=Completed", "westus=Completed"])
        let west = try FileManager.default.subpathsOfDirectory(atPath: s.stateDirectory + "/regions/westus")
            .filter { $0.hasSuffix("/replica-1") || $0.hasSuffix("/replica-2") }
        #expect(west.count == 2, "\(west)")
    }

    @Test func aDeleteWhileReplicatingEndsWithTheVersionGone() async throws {
        let s = try await CappedServer.start("vmib-during-delete", regions: [("eastus", 400_000)])
        defer { s.stop() }
        let disk = try s.disk("disk.raw", bytes: 4_000_000)
        try expectSuccess(await s.client.run("version", "publish", "--gallery", "G", "--image", "I", "--version", "1.0.0",
                                             "--disk", disk, "--target-region", "eastus=2", "--no-wait"))
        try await waitUntil("eastus is replicating") {
            try await s.show("1.0.0").replicationStatus["summary"].map { "\($0)".contains("Replicating") } ?? false
        }
        try expectSuccess(await s.client.run("version", "delete", "--gallery", "G", "--image", "I", "--version", "1.0.0"))
        let gone = try await s.client.run("version", "show", "--gallery", "G", "--image", "I", "--version", "1.0.0")
        #expect(gone.exitCode == 2)
        let left = (try? FileManager.default.subpathsOfDirectory(atPath: s.stateDirectory + "/regions/eastus")) ?? []
        #expect(left.filter { !$0.hasSuffix("/") && $0.contains("replica") }.isEmpty, "\(left)")
        // Nothing replicates it again: the server has no pending work left for it.
        try await Task.sleep(for: .seconds(1))
        #expect(try await s.client.run("version", "list", "--gallery", "G", "--image", "I", "--output", "json").stdout
            .contains("1.0.0") == false)
    }
}
