import Foundation
import Testing
import VMIBTestSupport

/// Scrub end-to-end: replicas damaged on real S3 servers' disks (rclone) after they were
/// Completed are found by `vmib version verify`, shown, re-made and verified again.
@Suite(.enabled(if: RcloneS3Server.isAvailable), .serialized)
struct ScrubS3Tests {
    func publish(_ d: S3Deployment, _ version: String, _ disk: String, _ targets: [String]) async throws {
        try expectSuccess(try await d.vmib.run(["version", "publish", "--gallery", "G", "--image", "I", "--version", version,
                                                "--disk", disk] + targets.flatMap { ["--target-region", $0] }))
    }

    /// Flips a run of bytes in the middle of a file, keeping its size.
    func flipBytes(_ path: String) throws {
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: 4096)
        let original = try #require(try handle.read(upToCount: 64))
        try handle.seek(toOffset: 4096)
        try handle.write(contentsOf: Data(original.map { ~$0 }))
    }

    @Test func deepVerifyFindsADeletedAndACorruptedReplicaAndRemakesBoth() async throws {
        let d = try await S3Deployment(regions: 2)
        defer { d.remove() }
        let (east, east2) = (d.regions[0], d.regions[1])
        let disk = try d.disk(mib: 8)
        let digest = try await TestFiles.sha256(disk)
        try await publish(d, "1.0.0", disk, ["\(east)=2", "\(east2)=2"])
        let before = try await d.status()
        #expect(before.replicas.allSatisfy { $0["lastVerifiedAt"] != nil && $0["state"] as? String == "Completed" })

        try FileManager.default.removeItem(atPath: d.objectPath(east, replica: 1))
        try flipBytes(d.objectPath(east2, replica: 2))

        let r = try await d.vmib.run("version", "verify", "--gallery", "G", "--image", "I", "--version", "1.0.0", "--deep",
                                     "--output", "json")
        try expectSuccess(r)
        let report = try #require(try r.json() as? [String: Any])
        let checks = try #require(report["checks"] as? [[String: Any]])
        func check(_ region: String, _ index: Int) -> [String: Any]? {
            checks.first { $0["region"] as? String == region && $0["index"] as? Int == index }
        }
        #expect(checks.count == 4)
        #expect(check(east, 1)?["result"] as? String == "requeued")
        #expect((check(east, 1)?["found"] as? String)?.hasPrefix("missing in \(east)") == true)
        #expect(check(east2, 2)?["result"] as? String == "requeued")
        let found = try #require(check(east2, 2)?["found"] as? String)
        #expect(found.contains("differs in \(east2)"), "\(found)")
        #expect(check(east, 2)?["result"] as? String == "verified" && check(east2, 1)?["result"] as? String == "verified")

        // Both re-made and verified: status says Completed with a fresh verification, and the
        // bytes on the servers' disks hash to the disk's digest.
        let after = try await d.status()
        #expect(after.provisioningState == "Succeeded" && after.aggregatedState == "Completed")
        for region in [east, east2] {
            #expect(after.region(region)?["lastVerifiedAt"] != nil, "\(region)")
            for index in 1...2 {
                #expect(try await TestFiles.sha256(d.objectPath(region, replica: index)) == digest, "\(region) replica \(index)")
            }
        }
        let remade = after.replicas.filter { ($0["region"] as? String == east && $0["index"] as? Int == 1)
            || ($0["region"] as? String == east2 && $0["index"] as? Int == 2) }
        #expect(remade.count == 2 && remade.allSatisfy { $0["state"] as? String == "Completed" && $0["attempts"] as? Int == 1 })
    }

    /// A region whose only replica is found missing, and cannot be re-made (a directory sits
    /// where the object was, so every write fails): verify exits 1 naming the region, and
    /// `image latest --region` skips the version there until a reconcile re-makes it.
    @Test func latestSkipsARegionWhileItsOnlyReplicaIsMissing() async throws {
        let d = try await S3Deployment(regions: 2)
        defer { d.remove() }
        let (east, east2) = (d.regions[0], d.regions[1])
        let disk = try d.disk(mib: 2)
        try await publish(d, "1.0.0", disk, ["\(east)=1", "\(east2)=1"])
        try await publish(d, "1.0.1", disk, ["\(east)=1", "\(east2)=1"])
        func latest(_ region: String) async throws -> String? {
            let r = try await d.vmib.run("image", "latest", "--gallery", "G", "--image", "I", "--region", region, "--output", "json")
            try expectSuccess(r)
            return (try r.json() as? [String: Any])?["name"] as? String
        }
        #expect(try await latest(east) == "1.0.1")

        let object = d.objectPath(east, replica: 1, version: "1.0.1")
        try FileManager.default.removeItem(atPath: object)
        try FileManager.default.createDirectory(atPath: object + "/blocked", withIntermediateDirectories: true)
        let verify = try await d.vmib.run("version", "verify", "--gallery", "G", "--image", "I", "--version", "1.0.1")
        #expect(verify.exitCode == 1, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("missing in \(east)"), "\(verify.stdout)")
        #expect(verify.stderr.contains(east), "\(verify.stderr)")

        #expect(try await latest(east) == "1.0.0", "no verified replica of 1.0.1 in \(east)")
        #expect(try await latest(east2) == "1.0.1")

        try FileManager.default.removeItem(atPath: object)
        try expectSuccess(try await d.vmib.run("version", "reconcile", "--gallery", "G", "--image", "I", "--version", "1.0.1"))
        #expect(try await latest(east) == "1.0.1")
        #expect(try await TestFiles.sha256(object) == (try await TestFiles.sha256(disk)))
    }

    @Test func verifyOfAnUnknownVersionExitsTwoNamingTheField() async throws {
        let d = try await S3Deployment(regions: 1)
        defer { d.remove() }
        let r = try await d.vmib.run("version", "verify", "--gallery", "G", "--image", "I", "--version", "9.9.9")
        #expect(r.exitCode == 2)
        #expect(r.stderr.contains("--version"), "\(r.stderr)")
        let garbage = try await d.vmib.run("version", "verify", "--gallery", "G", "--image", "I", "--version", "1.0.0", "--deep=yes")
        #expect(garbage.exitCode == 2)
        #expect(garbage.stderr.contains("--deep"), "\(garbage.stderr)")
    }
}
