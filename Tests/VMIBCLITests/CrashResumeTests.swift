import Foundation
import Testing
import VMIBTestSupport
import VMIBTransfer

@Suite(.enabled(if: RcloneS3Server.isAvailable), .serialized)
struct CrashResumeTests {
    /// kill -9 in the middle of a publish, then `version wait`: every replica completes and
    /// verifies, the replicas verified before the kill are not uploaded again, and no
    /// multipart upload is left on any server.
    @Test func resumesAfterKillNineWithoutRecopyingVerifiedReplicas() async throws {
        // 4 MB/s: the capped regions take 12 s, so a status read slowed by a loaded machine
        // (seen: a full parallel run) still finds the publish running when it kills it.
        let capped = #"{"concurrentTransfers": 4, "bytesPerSecond": 4000000}"#
        let d = try await S3Deployment(regions: 3, limits: ["eastus2": capped, "westus": capped])
        defer { d.remove() }
        let disk = try d.disk(mib: 48)   // multipart (threshold 32 MiB): 3 parts of 16 MiB
        let digest = try await TestFiles.sha256(disk)
        let out = d.dir.appendingPathComponent("publish.out"), err = d.dir.appendingPathComponent("publish.err")
        let publish = try d.vmib.launch(["version", "publish", "--gallery", "G", "--image", "I", "--version", "1.0.0",
                                         "--disk", disk] + d.regions.flatMap { ["--target-region", "\($0)=2"] },
                                        stdout: out, stderr: err)
        // Wait until the uncapped region is verified and the capped ones are part-way (4 s at 4 MB/s).
        let deadline = Date().addingTimeInterval(60)
        var killedMidway = false
        while Date() < deadline, publish.isRunning {
            try await Task.sleep(for: .milliseconds(200))
            guard let s = try? await d.status() else { continue }
            let eastDone = s.region("eastus")?["state"] as? String == "Completed"
            let cappedBytes = s.replicas.filter { $0["region"] as? String == "westus" }.compactMap { $0["bytesDone"] as? Int }.max() ?? 0
            if eastDone, cappedBytes >= 16 << 20 {
                kill(publish.processIdentifier, SIGKILL)
                killedMidway = true
                break
            }
        }
        publish.waitUntilExit()
        #expect(killedMidway, "the publish was killed while the capped regions were still uploading")
        #expect(publish.terminationReason == .uncaughtSignal)
        let mid = try await d.status()
        #expect(mid.aggregatedState == "InProgress")
        let eastObjects = (1...2).map { d.objectPath("eastus", replica: $0) }
        let eastTimes = try eastObjects.map { try FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date }

        try expectSuccess(try await d.vmib.run("version", "wait", "--gallery", "G", "--image", "I", "--version", "1.0.0"))
        let done = try await d.status()
        #expect(done.aggregatedState == "Completed")
        #expect(done.provisioningState == "Succeeded")
        for region in d.regions {
            for index in 1...2 {
                #expect(try await TestFiles.sha256(d.objectPath(region, replica: index)) == digest, "\(region) #\(index)")
            }
        }
        #expect(try eastObjects.map { try FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date } == eastTimes)
        #expect(done.replicas.filter { $0["region"] as? String == "eastus" }.allSatisfy { $0["attempts"] as? Int == 1 })
        for region in d.regions {
            let s3 = S3BlobStore(config: S3Config(endpoint: URL(string: d.endpoint(region))!, bucket: region,
                                                  accessKey: RcloneS3Server.accessKey, secretKey: RcloneS3Server.secretKey))
            #expect(try await s3.pendingUploads(prefix: "").isEmpty, "multipart uploads left in \(region)")
        }
    }
}
