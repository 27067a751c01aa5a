import Foundation
import Testing
import VMIBTestSupport
import VMIBTransfer

/// Scale in place, latest per region, rollback, safe delete and lifecycle states, through
/// the `vmib` executable against real S3 regions.
@Suite(.enabled(if: RcloneS3Server.isAvailable), .serialized)
struct GalleryLifecycleTests {
    func objects(_ d: S3Deployment, _ region: String, version: String = "1.0.0") -> [String] {
        let dir = d.servers[region]!.data.appendingPathComponent(region)
            .appendingPathComponent("vmib/00000000-0000-0000-0000-000000000000/vmib/G/I/\(version)")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    func modificationDates(_ paths: [String]) throws -> [Date?] {
        try paths.map { try FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date }
    }

    func publish(_ d: S3Deployment, _ version: String, _ disk: String, _ targets: [String], extra: [String] = []) async throws -> VMIBProcess.Result {
        try await d.vmib.run(["version", "publish", "--gallery", "G", "--image", "I", "--version", version, "--disk", disk]
                             + targets.flatMap { ["--target-region", $0] } + extra)
    }

    @Test func addsRemovesAndRescalesRegionsInPlaceWithoutRecopying() async throws {
        let d = try await S3Deployment(regions: 3)
        defer { d.remove() }
        let disk = try d.disk(mib: 8)
        try expectSuccess(try await publish(d, "1.0.0", disk, ["eastus=2", "eastus2=3"]))
        let kept = [d.objectPath("eastus", replica: 1), d.objectPath("eastus", replica: 2), d.objectPath("eastus2", replica: 1)]
        let before = try modificationDates(kept)

        // Removing a region needs the safety profile's consent.
        let refused = try await d.vmib.run("version", "update", "--gallery", "G", "--image", "I", "--version", "1.0.0",
                                           "--remove-region", "eastus2")
        #expect(refused.exitCode == 2)
        #expect(refused.stderr.contains("allowDeletionOfReplicatedLocations"))
        #expect(objects(d, "eastus2").count == 3)

        try expectSuccess(try await d.vmib.run(
            "version", "update", "--gallery", "G", "--image", "I", "--version", "1.0.0",
            "--allow-deletion-of-replicated-locations", "true", "--target-region", "eastus=4",
            "--remove-region", "eastus2", "--target-region", "westus=1"))
        #expect(objects(d, "eastus") == ["replica-1", "replica-2", "replica-3", "replica-4"])
        #expect(objects(d, "eastus2").isEmpty)
        #expect(objects(d, "westus") == ["replica-1"])
        #expect(try modificationDates(Array(kept.prefix(2))) == Array(before.prefix(2)), "verified replicas were not copied again")

        try expectSuccess(try await d.vmib.run("version", "update", "--gallery", "G", "--image", "I", "--version", "1.0.0",
                                               "--target-region", "eastus=1", "--expected-deployments", "westus=50"))
        #expect(objects(d, "eastus") == ["replica-1"])
        #expect(objects(d, "westus") == ["replica-1", "replica-2", "replica-3"])
        let s = try await d.status()
        #expect(s.aggregatedState == "Completed")
        let targets = (s.properties["publishingProfile"] as? [String: Any])?["targetRegions"] as? [[String: Any]] ?? []
        let westus = try #require(targets.first { $0["name"] as? String == "westus" })
        #expect(westus["regionalReplicaCount"] as? Int == 3)
        #expect((westus["replicaCountBasis"] as? String)?.contains("50 expected deployments at 1 replica per 20") == true)
        for path in [d.objectPath("eastus", replica: 1)] + (1...3).map({ d.objectPath("westus", replica: $0) }) {
            #expect(try await TestFiles.sha256(path) == (try await TestFiles.sha256(disk)))
        }
    }

    @Test func latestPerRegionFollowsCompletionWhileANewVersionReplicates() async throws {
        let slow = #"{"concurrentTransfers": 4, "bytesPerSecond": 3000000}"#
        let d = try await S3Deployment(regions: 2, limits: ["eastus2": slow])
        defer { d.remove() }
        let disk = try d.disk(mib: 2), big = try d.disk(mib: 16, seed: 9)
        try expectSuccess(try await publish(d, "1.0.0", disk, ["eastus=1", "eastus2=1"]))
        try expectSuccess(try await publish(d, "1.1.0", big, ["eastus=1", "eastus2=1"], extra: ["--no-wait"]))
        let out = d.dir.appendingPathComponent("wait.out"), err = d.dir.appendingPathComponent("wait.err")
        let wait = try d.vmib.launch(["version", "wait", "--gallery", "G", "--image", "I", "--version", "1.1.0"], stdout: out, stderr: err)
        defer { ChildProcess.kill9(wait) }
        func latest(_ region: String?) async throws -> String {
            try await d.vmib.run(["image", "latest", "--gallery", "G", "--image", "I"] + (region.map { ["--region", $0] } ?? []))
                .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var sawSplit = false
        while wait.isRunning {
            let s = try await d.status("1.1.0")
            if s.region("eastus")?["state"] as? String == "Completed", s.region("eastus2")?["state"] as? String == "Replicating" {
                #expect(try await latest("eastus") == "1.1.0")
                #expect(try await latest("eastus2") == "1.0.0")
                #expect(try await latest(nil) == "1.0.0")
                sawSplit = true
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(sawSplit, "observed 1.1.0 complete in eastus while still replicating to eastus2")
        await ChildProcess.waitForExit(wait)
        #expect(wait.terminationStatus == 0)
        #expect(try await latest("eastus2") == "1.1.0")
        #expect(try await latest(nil) == "1.1.0")
    }

    @Test func rollsBackRecordsHistoryAndUndoes() async throws {
        let d = try await S3Deployment(regions: 1)
        defer { d.remove() }
        let disk = try d.disk(mib: 1)
        // A single version: nothing to roll back to.
        try expectSuccess(try await publish(d, "1.0.0", disk, ["eastus=1"]))
        let single = try await d.vmib.run("image", "rollback", "--gallery", "G", "--image", "I")
        #expect(single.exitCode == 2 && single.stderr.contains("nothing to roll back to"))
        let noHistory = try await d.vmib.run("image", "rollback", "--gallery", "G", "--image", "I", "--undo")
        #expect(noHistory.exitCode == 2 && noHistory.stderr.contains("no rollback to undo"))
        try expectSuccess(try await publish(d, "1.1.0", disk, ["eastus=1"]))
        try expectSuccess(try await publish(d, "1.2.0", disk, ["eastus=1"], extra: ["--exclude-from-latest"]))
        try expectSuccess(try await publish(d, "1.3.0", disk, ["eastus=1"]))
        func latest() async throws -> String {
            try await d.vmib.run("image", "latest", "--gallery", "G", "--image", "I").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try await latest() == "1.3.0")
        // An excluded target is refused, with the reason, and nothing changes.
        let before = try await d.vmib.databaseDump()
        let excluded = try await d.vmib.run("image", "rollback", "--gallery", "G", "--image", "I", "--to", "1.2.0")
        #expect(excluded.exitCode == 2 && excluded.stderr.contains("excluded from latest"))
        #expect(try await d.vmib.databaseDump() == before)

        try expectSuccess(try await d.vmib.run("image", "rollback", "--gallery", "G", "--image", "I"))
        #expect(try await latest() == "1.1.0", "the default target is the version that was latest before, skipping the excluded 1.2.0")
        try expectSuccess(try await d.vmib.run("image", "rollback", "--gallery", "G", "--image", "I", "--to", "1.0.0"))
        #expect(try await latest() == "1.0.0")
        let history = try await d.vmib.run("image", "history", "--gallery", "G", "--image", "I", "--output", "json")
        let entries = try history.json() as? [[String: Any]] ?? []
        #expect(entries.map { $0["to"] as? String } == ["1.1.0", "1.0.0"])
        #expect(entries.map { $0["from"] as? String } == ["1.3.0", "1.1.0"])

        // Deleting the target of the latest rollback needs --force.
        let guarded = try await d.vmib.run("version", "delete", "--gallery", "G", "--image", "I", "--version", "1.0.0")
        #expect(guarded.exitCode == 2 && guarded.stderr.contains("latest rollback"))

        try expectSuccess(try await d.vmib.run("image", "rollback", "--gallery", "G", "--image", "I", "--undo"))
        #expect(try await latest() == "1.1.0")
        try expectSuccess(try await d.vmib.run("image", "rollback", "--gallery", "G", "--image", "I", "--undo"))
        #expect(try await latest() == "1.3.0")
        let after = try await d.vmib.run("image", "history", "--gallery", "G", "--image", "I", "--output", "json")
        #expect((try after.json() as? [[String: Any]])?.count == 4)
    }

    @Test func deprecatedVersionsWarnAndObsoleteOnesAreRefused() async throws {
        let d = try await S3Deployment(regions: 1)
        defer { d.remove() }
        let disk = try d.disk(mib: 1)
        try expectSuccess(try await publish(d, "1.0.0", disk, ["eastus=1"]))
        try expectSuccess(try await publish(d, "2.0.0", disk, ["eastus=1"]))
        try expectSuccess(try await d.vmib.run("version", "deprecate", "--gallery", "G", "--image", "I", "--version", "2.0.0",
                                               "--state", "Deprecated", "--replacement", "1.0.0"))
        let latest = try await d.vmib.run("image", "latest", "--gallery", "G", "--image", "I")
        #expect(latest.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1.0.0", "Deprecated is never latest")
        let deprecated = try await d.vmib.run("image", "resolve", "--gallery", "G", "--image", "I", "--version", "2.0.0")
        #expect(deprecated.exitCode == 0)
        #expect(deprecated.stderr.contains("warning: version 2.0.0 is Deprecated; use 1.0.0 instead"))
        try expectSuccess(try await d.vmib.run("version", "deprecate", "--gallery", "G", "--image", "I", "--version", "2.0.0", "--state", "Obsolete"))
        let obsolete = try await d.vmib.run("image", "resolve", "--gallery", "G", "--image", "I", "--version", "2.0.0")
        #expect(obsolete.exitCode == 2 && obsolete.stderr.contains("Obsolete"))
        let list = try await d.vmib.run("version", "list", "--gallery", "G", "--image", "I")
        #expect(list.stdout.contains("Obsolete") && list.stdout.contains("Active"))
        let bad = try await d.vmib.run("version", "deprecate", "--gallery", "G", "--image", "I", "--version", "1.0.0", "--state", "Retired")
        #expect(bad.exitCode == 2 && bad.stderr.contains("Active, Deprecated, Obsolete"))
    }

    @Test func deleteLeavesNoObjectBehindEvenAfterKillNine() async throws {
        // Two requests a second per region makes the delete slow enough to interrupt.
        let slow = #"{"concurrentTransfers": 4, "requestsPerSecond": 2}"#
        let d = try await S3Deployment(regions: 3, limits: ["eastus": slow, "eastus2": slow, "westus": slow])
        defer { d.remove() }
        let disk = try d.disk(mib: 1)
        try expectSuccess(try await publish(d, "1.0.0", disk, ["eastus=3", "eastus2=3", "westus=3"],
                                            extra: ["--end-of-life", "2020-01-01", "--block-deletion-before-end-of-life"]))
        try expectSuccess(try await publish(d, "2.0.0", disk, ["eastus=1"], extra: ["--end-of-life", "2099-01-01", "--block-deletion-before-end-of-life"]))
        let blocked = try await d.vmib.run("version", "delete", "--gallery", "G", "--image", "I", "--version", "2.0.0")
        #expect(blocked.exitCode == 2 && blocked.stderr.contains("blockDeletionBeforeEndOfLife"))
        #expect(objects(d, "eastus", version: "2.0.0").count == 1)
        let imageDelete = try await d.vmib.run("image", "delete", "--gallery", "G", "--name", "I")
        #expect(imageDelete.exitCode == 2 && imageDelete.stderr.contains("2 versions"))

        let out = d.dir.appendingPathComponent("del.out"), err = d.dir.appendingPathComponent("del.err")
        let delete = try d.vmib.launch(["version", "delete", "--gallery", "G", "--image", "I", "--version", "1.0.0"], stdout: out, stderr: err)
        // Kill it once it has removed something (2 requests/s per region: 9 objects take seconds).
        try await waitUntil("the delete has removed a first replica") {
            d.regions.reduce(0) { $0 + objects(d, $1).count } < 9 || !delete.isRunning
        }
        #expect(delete.isRunning, "still deleting when killed")
        kill(delete.processIdentifier, SIGKILL)
        await ChildProcess.waitForExit(delete)
        let left = d.regions.reduce(0) { $0 + objects(d, $1).count }
        #expect(left > 0 && left < 9, "interrupted part-way: \(left) objects left")
        #expect(try await d.status().provisioningState == "Deleting")

        try expectSuccess(try await d.vmib.run("version", "delete", "--gallery", "G", "--image", "I", "--version", "1.0.0"))
        for region in d.regions { #expect(objects(d, region).isEmpty, "\(region) still holds objects") }
        let gone = try await d.vmib.run("version", "show", "--gallery", "G", "--image", "I", "--version", "1.0.0")
        #expect(gone.exitCode == 2 && gone.stderr.contains("does not exist"))
        #expect(objects(d, "eastus", version: "2.0.0").count == 1, "other versions keep their replicas")
    }
}
