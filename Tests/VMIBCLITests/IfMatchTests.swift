import Foundation
import Testing
import VMIBTestSupport

/// `--if-match`: a change based on a stale read of a version is refused (exit 2, naming
/// the option) and changes nothing; a current one goes through.
@Suite struct IfMatchTests {
    @Test func staleIfMatchIsRefusedAndCurrentOneApplies() async throws {
        let dir = try TestFiles.directory("vmib-ifmatch")
        defer { try? FileManager.default.removeItem(at: dir) }
        let vmib = VMIBProcess(stateDirectory: dir.appendingPathComponent("state").path)
        let disk = dir.appendingPathComponent("disk.raw").path
        try TestFiles.random(URL(fileURLWithPath: disk), bytes: 100_000)
        try expectSuccess(await vmib.run("gallery", "create", "--name", "G"))
        try expectSuccess(await vmib.run("image", "create", "--gallery", "G", "--name", "I", "--os-type", "Linux",
                                         "--os-state", "Generalized", "--publisher", "P", "--offer", "O", "--sku", "S"))
        try expectSuccess(await vmib.run("version", "publish", "--gallery", "G", "--image", "I", "--version", "1.0.0",
                                         "--disk", disk, "--target-region", "eastus=1"))
        let version = ["--gallery", "G", "--image", "I", "--version", "1.0.0"]
        let shown = try #require(try await vmib.run(["version", "show"] + version + ["--output", "json"]).json() as? [String: Any])
        #expect(shown["etag"] as? String == "\"1\"")

        let before = try await vmib.databaseDump()
        let stale = try await vmib.run(["version", "update"] + version + ["--exclude-from-latest", "true", "--if-match", "7"])
        #expect(stale.exitCode == 2)
        #expect(stale.stderr.contains("--if-match") && stale.stderr.contains("generation 1"), "\(stale.stderr)")
        #expect(try await vmib.databaseDump() == before)

        let current = try await vmib.run(["version", "update"] + version + ["--exclude-from-latest", "true", "--if-match", "1"])
        #expect(current.exitCode == 0, "\(current.stderr)")
        let after = try #require(try await vmib.run(["version", "show"] + version + ["--output", "json"]).json() as? [String: Any])
        #expect(after["etag"] as? String == "\"2\"")

        let staleDelete = try await vmib.run(["version", "delete"] + version + ["--if-match", "1"])
        #expect(staleDelete.exitCode == 2)
        #expect(try await vmib.run(["version", "show"] + version).exitCode == 0)
        let badValue = try await vmib.run(["version", "delete"] + version + ["--if-match", "two"])
        #expect(badValue.exitCode == 2 && badValue.stderr.contains("if-match"), "\(badValue.stderr)")
        try expectSuccess(await vmib.run(["version", "delete"] + version + ["--if-match", "2"]))
    }
}
