import Foundation
import Testing
import VMIBTestSupport

/// What the CLI sends a server is what it means embedded: request bodies come from the
/// wire's payload types (VMIBWire), so a map's order and a cleared date survive the trip.
@Suite struct ClientWireTests {
    @Test func expectedDeploymentsKeepTheirOrderAndEndOfLifeNoneClearsThroughAServer() async throws {
        let dir = try TestFiles.directory("vmib-client-wire")
        defer { try? FileManager.default.removeItem(at: dir) }
        let disk = dir.appendingPathComponent("disk.raw").resolvingSymlinksInPath().path
        try TestFiles.random(URL(fileURLWithPath: disk), bytes: 100_000)
        let (tokens, tokenFile) = try await ServeTokens.write(in: dir, token: "wire-token")
        let server = VMIBProcess(stateDirectory: dir.appendingPathComponent("server-state").path)
        let served = try await server.serve(["--token-file", tokens, "--source-root", dir.path],
                                            stdout: dir.appendingPathComponent("serve.out"), stderr: dir.appendingPathComponent("serve.err"))
        defer { ChildProcess.kill9(served.process) }
        try await HTTPReadiness.wait(for: "http://127.0.0.1:\(served.port)/readyz")

        let embedded = VMIBProcess(stateDirectory: dir.appendingPathComponent("embedded-state").path)
        let client = VMIBProcess(stateDirectory: dir.appendingPathComponent("client-state").path)
        let remote = ["--server", "http://127.0.0.1:\(served.port)", "--token-file", tokenFile]
        let version = ["--gallery", "G", "--image", "I", "--version", "1.0.0"]
        let steps: [[String]] = [
            ["gallery", "create", "--name", "G"],
            ["image", "create", "--gallery", "G", "--name", "I", "--os-type", "Linux", "--os-state", "Generalized",
             "--publisher", "P", "--offer", "O", "--sku", "S"],
            // westus before eastus: not the order a sorted map would give.
            ["version", "publish"] + version + ["--disk", disk, "--expected-deployments", "westus=50",
                                                "--expected-deployments", "eastus=30", "--end-of-life", "2031-01-01"],
            ["version", "update"] + version + ["--end-of-life", "none"],
            ["version", "show"] + version + ["--output", "json"],
        ]
        var shown: [String] = []
        for step in steps {
            let e = try await embedded.run(step)
            let r = try await client.run(step + remote)
            #expect(e.exitCode == 0 && r.exitCode == 0, "\(step): embedded \(e.stderr) / server \(r.stderr)")
            shown = [e.stdout, r.stdout]
        }
        #expect(ClientModeTests.normalized(shown[0]) == ClientModeTests.normalized(shown[1]), "--- embedded\n\(shown[0])\n--- server\n\(shown[1])")
        // A refusal reads the same either way: the server sends the domain's field
        // (additionalInfo), not only its own member name, and judges the names themselves.
        for refused in [["version", "update"] + version + ["--remove-region", "westeurope"],
                        ["version", "update"] + version + ["--expected-deployments", "eastus=0"],
                        ["image", "show", "--gallery", "G", "--name", "nope"],
                        // Names are the server's to check: the client only percent-encodes them.
                        ["gallery", "create", "--name", "a/b"],
                        ["gallery", "show", "--name", "G", "--resource-group", "r?g"]] {
            let e = try await embedded.run(refused)
            let r = try await client.run(refused + remote)
            #expect(e.exitCode == 2 && r.exitCode == 2, "\(refused): \(e.stderr) / \(r.stderr)")
            #expect(e.stderr == r.stderr, "\(refused): embedded \(e.stderr) / server \(r.stderr)")
        }
        for text in shown {
            let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            let profile = try #require((json["properties"] as? [String: Any])?["publishingProfile"] as? [String: Any])
            let regions = try #require(profile["targetRegions"] as? [[String: Any]])
            #expect(regions.compactMap { $0["name"] as? String } == ["westus", "eastus"], "the order given: \(text)")
            #expect(regions.compactMap { $0["regionalReplicaCount"] as? Int } == [3, 2])
            #expect(profile["endOfLifeDate"] == nil, "'none' cleared the end of life: \(text)")
        }
    }

    /// A server serves its tokens' subscriptions; the client's VMIB_SUBSCRIPTION picks one.
    @Test func theClientsSubscriptionPicksOneTheServerServes() async throws {
        let dir = try TestFiles.directory("vmib-client-subscription")
        defer { try? FileManager.default.removeItem(at: dir) }
        let other = "11111111-2222-3333-4444-555555555555"
        let (tokens, tokenFile) = try await ServeTokens.write(in: dir, token: "other-token", scope: "/subscriptions/\(other)")
        let server = VMIBProcess(stateDirectory: dir.appendingPathComponent("server-state").path)
        let served = try await server.serve(["--token-file", tokens],
                                            stdout: dir.appendingPathComponent("serve.out"), stderr: dir.appendingPathComponent("serve.err"))
        defer { ChildProcess.kill9(served.process) }
        try await HTTPReadiness.wait(for: "http://127.0.0.1:\(served.port)/readyz")
        let remote = ["--server", "http://127.0.0.1:\(served.port)", "--token-file", tokenFile]
        let client = VMIBProcess(stateDirectory: dir.appendingPathComponent("client-state").path, environment: ["VMIB_SUBSCRIPTION": other])
        try expectSuccess(await client.run(["gallery", "create", "--name", "G", "--output", "json"] + remote))
        let listed = try await client.run(["gallery", "list", "--output", "json"] + remote)
        #expect(listed.exitCode == 0 && listed.stdout.contains("/subscriptions/\(other)/resourceGroups/vmib/providers/Microsoft.Compute/galleries/G"),
                "\(listed.stdout) \(listed.stderr)")
        // The default subscription is served too, but this token's scope does not cover it.
        let elsewhere = try await VMIBProcess(stateDirectory: dir.appendingPathComponent("client-state").path)
            .run(["gallery", "list"] + remote)
        #expect(elsewhere.exitCode == 2 && elsewhere.stderr.contains("does not have authorization"),
                "\(elsewhere.stderr)")
    }
}
