import Foundation
import Testing
import VMIBTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A directory region on a file system too small for the disk: the publish ends Failed
/// with ENOSPC as the cause once the topology's retries are spent (never retried forever),
/// and the region directory holds no partial or temporary file afterwards.
@Suite(.enabled(if: Tmpfs.canMount, "mounts a 2 MiB tmpfs as the region's directory (needs root)"))
struct FullDestinationTests {
    static let maxAttempts = 3

    @Test(.timeLimit(.minutes(2)))
    func fullDirectoryRegionEndsFailedWithNoSpaceLeftAfterItsRetries() async throws {
        let dir = try TestFiles.directory("vmib-enospc")
        defer { try? FileManager.default.removeItem(at: dir) }
        let region = dir.appendingPathComponent("eastus-full")
        try FileManager.default.createDirectory(at: region, withIntermediateDirectories: true)
        try Tmpfs.mount(at: region.path, size: "2m")
        defer { Tmpfs.unmount(at: region.path) }

        let topology = dir.appendingPathComponent("topology.json").path
        try #"""
            {"name": "full", "defaults": {"retry": {"maxAttempts": \#(Self.maxAttempts), "baseDelayMs": 20, "maxDelayMs": 50}},
             "regions": [{"name": "eastus", "storage": {"Standard_LRS": {"kind": "directory", "path": "\#(region.path)"}},
                          "limits": {"concurrentTransfers": 2}}]}
            """#.write(toFile: topology, atomically: true, encoding: .utf8)
        let vmib = VMIBProcess(stateDirectory: dir.appendingPathComponent("state").path, topology: topology)
        let disk = dir.appendingPathComponent("disk.raw")
        try TestFiles.random(disk, bytes: 4 << 20)
        try expectSuccess(await vmib.run("gallery", "create", "--name", "G"))
        try expectSuccess(await vmib.run("image", "create", "--gallery", "G", "--name", "I", "--os-type", "Linux",
                                         "--os-state", "Generalized", "--publisher", "P", "--offer", "O", "--sku", "S"))

        let publish = try await vmib.run("version", "publish", "--gallery", "G", "--image", "I", "--version", "1.0.0",
                                         "--disk", disk.path, "--target-region", "eastus=1")
        #expect(publish.exitCode == 1, "\(publish.stderr)\(publish.stdout)")
        #expect(publish.stderr.contains("eastus"), "the region is named: \(publish.stderr)")
        #expect(publish.stderr.contains("No space left on device"), "the cause is named: \(publish.stderr)")

        let show = try await vmib.run("version", "show", "--gallery", "G", "--image", "I", "--version", "1.0.0",
                                      "--replication-status", "--replicas", "--output", "json")
        try expectSuccess(show)
        let status = try show.json() as? [String: Any] ?? [:]
        #expect(status.provisioningState == "Failed")
        #expect(status.aggregatedState == "Failed")
        #expect(status.region("eastus")?["state"] as? String == "Failed")
        let details = status.region("eastus")?["details"] as? String ?? ""
        #expect(details.contains("No space left on device"), "\(details)")
        let replica = try #require(status.replicas.first, "\(show.stdout)")
        #expect(status.replicas.count == 1)
        #expect(replica["state"] as? String == "Failed")
        let cause = replica["lastError"] as? String ?? ""
        #expect(cause.contains("No space left on device"), "\(replica)")
        #expect(cause.contains("/1.0.0/replica-1:") && !cause.contains(".vmib."),
                "the cause names the object, not a temporary file that is gone: \(cause)")
        #expect(replica["attempts"] as? Int == Self.maxAttempts, "attempts bounded by the retry policy: \(replica)")
        #expect(replica["retries"] as? Int == Self.maxAttempts - 1, "\(replica)")

        // Nothing half-written stays behind: no partial object, no temporary file, no sidecar.
        let files = FileManager.default.enumerator(atPath: region.path)?.compactMap { $0 as? String }
            .filter { name in
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: region.path + "/" + name, isDirectory: &isDirectory) && !isDirectory.boolValue
            } ?? []
        #expect(files.isEmpty, "left in the full region: \(files)")
        var fs = statvfs()
        #expect(statvfs(region.path, &fs) == 0)
        #expect(fs.f_bfree == fs.f_blocks, "the region's file system is empty again")
    }
}
