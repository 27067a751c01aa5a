import Foundation
import Testing
import VMIBTestSupport

/// `vmib version create --replication-mode Shallow`, embedded and as a client of a live
/// `vmib serve`: the version is Completed at once in the home region with no bytes copied
/// to any region; bad input names the option and what is allowed, exits 2 and changes nothing.
@Suite struct ReplicationModeCLITests {
    /// Regular files under a state directory's regions (where replicas are written).
    static func regionFiles(_ state: URL) -> [String] {
        let root = state.appendingPathComponent("regions").path
        let all = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String]) ?? []
        return all.filter { p in
            var dir: ObjCBool = false
            return FileManager.default.fileExists(atPath: root + "/" + p, isDirectory: &dir) && !dir.boolValue
        }
    }

    static func profile(_ text: String) -> [String: Any]? {
        let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        return (json?["properties"] as? [String: Any])?["publishingProfile"] as? [String: Any]
    }

    @Test func shallowVersionCreateIsUsableAtOnceEmbeddedAndThroughAServer() async throws {
        let dir = try TestFiles.directory("vmib-shallow")
        defer { try? FileManager.default.removeItem(at: dir) }
        let disk = dir.appendingPathComponent("disk.raw").resolvingSymlinksInPath().path
        try TestFiles.random(URL(fileURLWithPath: disk), bytes: 200_000)
        let (tokens, tokenFile) = try await ServeTokens.write(in: dir, token: "shallow-token")
        let serverState = dir.appendingPathComponent("server-state")
        let server = VMIBProcess(stateDirectory: serverState.path)
        let served = try await server.serve(["--token-file", tokens, "--source-root", dir.path],
                                            stdout: dir.appendingPathComponent("serve.out"), stderr: dir.appendingPathComponent("serve.err"))
        defer { ChildProcess.kill9(served.process) }
        try await HTTPReadiness.wait(for: "http://127.0.0.1:\(served.port)/readyz")

        let embeddedState = dir.appendingPathComponent("embedded-state")
        let embedded = VMIBProcess(stateDirectory: embeddedState.path)
        let client = VMIBProcess(stateDirectory: dir.appendingPathComponent("client-state").path)
        let remote = ["--server", "http://127.0.0.1:\(served.port)", "--token-file", tokenFile]
        let parent = ["--gallery", "G", "--image", "I"]
        for step in [["gallery", "create", "--name", "G"],
                     ["image", "create", "--gallery", "G", "--name", "I", "--os-type", "Linux", "--os-state", "Generalized",
                      "--publisher", "P", "--offer", "O", "--sku", "S"]] {
            try expectSuccess(await embedded.run(step))
            try expectSuccess(await client.run(step + remote))
        }

        // Shallow, no target region: the home region (the topology's first, eastus), one replica.
        let create = ["version", "create"] + parent + ["--version", "1.0.0", "--disk", disk, "--replication-mode", "Shallow", "--output", "json"]
        let show = ["version", "show"] + parent + ["--version", "1.0.0", "--replication-status", "--output", "json"]
        for (label, vmib, extra) in [("embedded", embedded, [String]()), ("client", client, remote)] {
            let created = try await vmib.run(create + extra)
            #expect(created.exitCode == 0, "\(label): \(created.stderr)")
            let shown = try await vmib.run(show + extra)
            #expect(shown.exitCode == 0, "\(label): \(shown.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any], "\(label): \(shown.stdout)")
            let props = json["properties"] as? [String: Any]
            #expect(props?["provisioningState"] as? String == "Succeeded", "\(label): \(shown.stdout)")
            let profile = Self.profile(shown.stdout)
            #expect(profile?["replicationMode"] as? String == "Shallow", "\(label): \(shown.stdout)")
            let regions = profile?["targetRegions"] as? [[String: Any]] ?? []
            #expect(regions.map { $0["name"] as? String } == ["eastus"] && regions.first?["regionalReplicaCount"] as? Int == 1, "\(label)")
            let status = (json["replicationStatus"] ?? props?["replicationStatus"]) as? [String: Any]
            #expect(status?["aggregatedState"] as? String == "Completed", "\(label): \(shown.stdout)")
            let summary = status?["summary"] as? [[String: Any]] ?? []
            #expect((summary.first?["details"] as? String ?? "").contains("shallow"), "\(label): \(shown.stdout)")
        }
        #expect(Self.regionFiles(embeddedState).isEmpty, "no bytes copied: \(Self.regionFiles(embeddedState))")
        #expect(Self.regionFiles(serverState).isEmpty, "no bytes copied: \(Self.regionFiles(serverState))")
        // It is latest in its region at once.
        let latest = try await embedded.run(["image", "latest"] + parent + ["--region", "eastus", "--output", "json"])
        #expect(latest.exitCode == 0 && latest.stdout.contains("1.0.0"), "\(latest.stderr)")

        // Full (the default) copies, and reads as Full.
        let full = try await embedded.run(["version", "create"] + parent + ["--version", "1.0.1", "--disk", disk, "--target-region", "eastus=1", "--output", "json"])
        #expect(full.exitCode == 0, "\(full.stderr)")
        let fullShown = try await embedded.run(["version", "show"] + parent + ["--version", "1.0.1", "--output", "json"])
        #expect(Self.profile(fullShown.stdout)?["replicationMode"] as? String == "Full", "\(fullShown.stdout)")
        #expect(!Self.regionFiles(embeddedState).isEmpty)

        // Bad input: one line naming the option and what is allowed, exit 2, the same in both
        // modes, and nothing recorded.
        let refused: [([String], String, String)] = [
            (["--replication-mode", "Deep"], "--replication-mode", "allowed: Full, Shallow"),
            (["--replication-mode", "Shallow", "--target-region", "westus"], "--target-region", "'westus' is not allowed"),
            (["--replication-mode", "shallow", "--target-region", "eastus=2"], "--target-region", "2 is not allowed"),
            (["--replication-mode", "Shallow", "--target-region", "eastus", "--target-region", "westeurope"], "--target-region (#2)", "'westeurope' is not allowed"),
            (["--replication-mode", "Shallow", "--replica-count", "2"], "--replica-count", "allowed: 1"),
        ]
        for (args, option, says) in refused {
            let step = ["version", "create"] + parent + ["--version", "2.0.0", "--disk", disk] + args
            let before = try await embedded.databaseDump()
            let e = try await embedded.run(step)
            let r = try await client.run(step + remote)
            #expect(e.exitCode == 2 && r.exitCode == 2, "\(args): \(e.stderr) / \(r.stderr)")
            #expect(e.stderr.split(separator: "\n").count == 1 && e.stderr.contains(option) && e.stderr.contains(says), "\(args): \(e.stderr)")
            #expect(e.stderr == r.stderr, "\(args): embedded \(e.stderr) / server \(r.stderr)")
            #expect(try await embedded.databaseDump() == before, "\(args): unchanged")
            if option == "--target-region" { #expect(e.stderr.contains("source region 'eastus'"), "\(e.stderr)") }
        }
        let missing = try await client.run(["version", "show"] + parent + ["--version", "2.0.0"] + remote)
        #expect(missing.exitCode == 2, "the server recorded nothing: \(missing.stdout)")
    }
}
