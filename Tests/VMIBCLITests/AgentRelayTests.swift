import Foundation
import Testing
import VMIBTestSupport
import VMIBTransfer

/// Region agents end to end (issue 14), through the CLI against real `vmib agent` processes:
/// the relay tree, delta from chunks a region already holds, routing around a dead agent, and
/// chunks from a lying sender or an agent with another key refused and fetched elsewhere.
@Suite(.serialized)
struct AgentRelayTests {
    static let mib = 1 << 20
    static let regions = ["eastus", "eastus2", "westus"]

    func prepare(_ d: AgentDeployment) async throws {
        try expectSuccess(await d.vmib.run("gallery", "create", "--name", "G"))
        try expectSuccess(await d.vmib.run("image", "create", "--gallery", "G", "--name", "I", "--os-type", "Linux",
                                           "--os-state", "Generalized", "--publisher", "P", "--offer", "O", "--sku", "S"))
    }

    func publish(_ d: AgentDeployment, _ version: String, _ disk: URL, _ targets: [String]) async throws {
        try expectSuccess(await d.vmib.run(["version", "publish", "--gallery", "G", "--image", "I", "--version", version,
                                            "--disk", disk.path] + targets.flatMap { ["--target-region", $0] }))
    }

    /// `vmib version plan` of 1.0.0 (with `--output json` when `json`).
    func plan(_ d: AgentDeployment, _ disk: URL, _ targets: [String], json: Bool = true) async throws -> VMIBProcess.Result {
        let r = try await d.vmib.run(["version", "plan", "--gallery", "G", "--image", "I", "--version", "1.0.0", "--disk", disk.path]
                                     + (json ? ["--output", "json"] : []) + targets.flatMap { ["--target-region", $0] })
        try expectSuccess(r)
        return r
    }

    /// Region → its sender in the tree, from a JSON plan.
    static func parents(_ plan: VMIBProcess.Result) throws -> [String: String] {
        let relay = try #require((try plan.json() as? [String: Any])?["relay"] as? [String: Any])
        return Dictionary(uniqueKeysWithValues: (relay["regions"] as? [[String: Any]] ?? []).map {
            ($0["region"] as? String ?? "", $0["parent"] as? String ?? "")
        })
    }

    /// Region name → its status details.
    func details(_ d: AgentDeployment, _ version: String) async throws -> [String: String] {
        let r = try await d.vmib.run("version", "show", "--gallery", "G", "--image", "I", "--version", version,
                                     "--replication-status", "--output", "json")
        try expectSuccess(r)
        let json = try #require(try r.json() as? [String: Any])
        #expect(json.aggregatedState == "Completed")
        return Dictionary(uniqueKeysWithValues: json.summary.map { ($0["region"] as? String ?? "", $0["details"] as? String ?? "") })
    }

    @Test func versionsGoDownTheTreeAndPatchesMoveOnlyChangedChunks() async throws {
        let d = try await AgentDeployment.start(Self.regions)
        defer { d.stop() }
        try await prepare(d)
        let size = 8 * Self.mib
        let v1 = d.dir.appendingPathComponent("v1.raw")
        try TestFiles.random(v1, bytes: size, seed: 3)
        let targets = ["eastus=2", "eastus2=1", "westus=1"]

        // The plan names each region's sender; equal links make a chain.
        let planned = try await plan(d, v1, targets)
        let parents = try Self.parents(planned)
        #expect(parents.count == 3)
        #expect(parents.values.filter { $0 == "origin" }.count == 1, "the origin sends once: \(parents)")

        try await publish(d, "1.0.0", v1, targets)
        let shown = try await details(d, "1.0.0")
        for region in Self.regions {
            #expect(shown[region]?.contains("by the region's agent: \(size) bytes over the link from \(parents[region]!)") == true,
                    "\(region): \(shown[region] ?? "")")
        }
        // The origin's agent sent the disk once (and one chunk index), not once per region.
        let sentFirst = try await d.served("origin")
        #expect(sentFirst >= Int64(size) && sentFirst < Int64(size) + 4096, "origin sent \(sentFirst)")
        let sha = try await TestFiles.sha256(v1.path)
        #expect(try await d.regionFiles("eastus").filter { $0 == sha }.count == 2)
        #expect(try await d.regionFiles("eastus2").filter { $0 == sha }.count == 1)
        #expect(try await d.regionFiles("westus").filter { $0 == sha }.count == 1)

        // 1.0.1 changes two chunks: each region receives those two and copies the other six.
        var bytes = try Data(contentsOf: v1)
        bytes[Self.mib + 10] ^= 0x5a
        bytes[5 * Self.mib + 10] ^= 0x5a
        let v2 = d.dir.appendingPathComponent("v2.raw")
        try bytes.write(to: v2)
        try await publish(d, "1.0.1", v2, ["eastus=1", "eastus2=1", "westus=1"])
        let patched = try await details(d, "1.0.1")
        for region in Self.regions {
            #expect(patched[region]?.contains("\(2 * Self.mib) bytes over the link from \(parents[region]!), \(6 * Self.mib) from chunks of earlier versions") == true,
                    "\(region): \(patched[region] ?? "")")
        }
        let sentPatch = try await d.served("origin") - sentFirst
        #expect(sentPatch >= Int64(2 * Self.mib) && sentPatch < Int64(2 * Self.mib) + 4096, "origin sent \(sentPatch) for the patch")
        let sha2 = try await TestFiles.sha256(v2.path)
        for region in Self.regions { #expect(try await d.regionFiles(region).contains(sha2)) }

        // A replica lost in its region is re-made by its agent from the disk it keeps: no link bytes.
        let lost = URL(fileURLWithPath: d.state).appendingPathComponent("regions/eastus2")
        let files = FileManager.default.enumerator(at: lost, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL }
            .filter { $0.path.contains("1.0.1") && !$0.hasDirectoryPath } ?? []
        #expect(files.count >= 1)
        for f in files { try FileManager.default.removeItem(at: f) }
        _ = try await d.vmib.run("version", "verify", "--gallery", "G", "--image", "I", "--version", "1.0.1")
        try expectSuccess(await d.vmib.run("version", "wait", "--gallery", "G", "--image", "I", "--version", "1.0.1"))
        let remade = try await details(d, "1.0.1")
        #expect(remade["eastus2"]?.contains("by the region's agent: 0 bytes over the link") == true, "\(remade)")
        #expect(try await d.regionFiles("eastus2").contains(sha2))
    }

    /// An agent whose region's storage is a real S3 server writes the assembled disk there (a
    /// multipart upload); the controller verifies it by the ETag the agent reports.
    @Test(.enabled(if: RcloneS3Server.isAvailable, "needs rclone on PATH (scripts/setup --test)"))
    func anAgentWritesItsRegionsS3Storage() async throws {
        let s3 = try await RcloneS3Server.start(buckets: ["westus"])
        defer { s3.remove() }
        let westus = """
            {"kind": "s3", "endpoint": "\(s3.endpoint)", "bucket": "westus", "accessKeyEnv": "AGENT_S3_KEY", "secretKeyEnv": "AGENT_S3_SECRET"}
            """
        let d = try await AgentDeployment.start(["eastus", "westus"], label: "vmib-agents-s3", storage: ["westus": westus],
                                                environment: ["AGENT_S3_KEY": RcloneS3Server.accessKey,
                                                              "AGENT_S3_SECRET": RcloneS3Server.secretKey])
        defer { d.stop() }
        try await prepare(d)
        let size = 40 * Self.mib
        let v1 = d.dir.appendingPathComponent("v1.raw")
        try TestFiles.random(v1, bytes: size, seed: 13)
        try await publish(d, "1.0.0", v1, ["eastus=1", "westus=1"])
        let shown = try await details(d, "1.0.0")
        #expect(shown["westus"]?.contains("by the region's agent: \(size) bytes over the link") == true, "\(shown)")
        let key = "vmib/00000000-0000-0000-0000-000000000000/vmib/G/I/1.0.0/replica-1"
        #expect(try await TestFiles.sha256(s3.objectPath(bucket: "westus", key: key)) == (try await TestFiles.sha256(v1.path)))

        // A patch of one chunk: the agent sends 1 MiB over its link and still writes the whole object.
        var bytes = try Data(contentsOf: v1)
        bytes[30 * Self.mib] ^= 0x01
        let v2 = d.dir.appendingPathComponent("v2.raw")
        try bytes.write(to: v2)
        try await publish(d, "1.1.0", v2, ["westus=1"])
        let patched = try await details(d, "1.1.0")
        #expect(patched["westus"]?.contains("by the region's agent: \(Self.mib) bytes over the link") == true, "\(patched)")
        let key2 = "vmib/00000000-0000-0000-0000-000000000000/vmib/G/I/1.1.0/replica-1"
        #expect(try await TestFiles.sha256(s3.objectPath(bucket: "westus", key: key2)) == (try await TestFiles.sha256(v2.path)))
    }

    /// A region's bytes/s goes with the job: its agent receives no faster. (A lower bound on
    /// time only: a loaded machine can only make it slower.)
    @Test func anAgentKeepsItsRegionsBytesPerSecond() async throws {
        let d = try await AgentDeployment.start(["westus"], label: "vmib-agents-paced", bytesPerSecond: ["westus": 2_000_000])
        defer { d.stop() }
        try await prepare(d)
        let v1 = d.dir.appendingPathComponent("v1.raw")
        try TestFiles.random(v1, bytes: 4 * Self.mib, seed: 17)
        let started = ContinuousClock.now
        try await publish(d, "1.0.0", v1, ["westus=1"])
        let elapsed = ContinuousClock.now - started
        // Four 1 MiB chunks at 2 MB/s, after a second's burst: the last starts 1.57 s in.
        #expect(elapsed >= .milliseconds(1500), "\(elapsed)")
        #expect(try await details(d, "1.0.0")["westus"]?.contains("by the region's agent: \(4 * Self.mib) bytes") == true)
    }

    @Test func aDeadAgentIsRoutedAroundAndItsRegionFedFromTheOrigin() async throws {
        let d = try await AgentDeployment.start(Self.regions, label: "vmib-agents-dead")
        defer { d.stop() }
        try await prepare(d)
        let v1 = d.dir.appendingPathComponent("v1.raw")
        try TestFiles.random(v1, bytes: 4 * Self.mib, seed: 5)
        let targets = ["eastus=1", "eastus2=1", "westus=1"]
        let planned = try await plan(d, v1, targets)
        let tree = try #require((try planned.json() as? [String: Any])?["relay"] as? [String: Any])
        let regions = tree["regions"] as? [[String: Any]] ?? []
        // The first relay (the origin's child with children of its own) dies before the publish.
        let relayName = try #require(regions.first { r in
            r["parent"] as? String == "origin" && regions.contains { $0["parent"] as? String == r["region"] as? String }
        }?["region"] as? String)
        let children = regions.filter { $0["parent"] as? String == relayName }.compactMap { $0["region"] as? String }
        await d.kill9(relayName)

        try await publish(d, "1.0.0", v1, targets)
        let shown = try await details(d, "1.0.0")
        // Its own region: written by the controller from the origin, as without an agent.
        #expect(shown[relayName]?.contains("by the region's agent") == false, "\(shown[relayName] ?? "")")
        // Its children fetched from the next source up their chain (the origin).
        for child in children {
            #expect(shown[child]?.contains("over the link from origin") == true, "\(child): \(shown[child] ?? "")")
        }
        let sha = try await TestFiles.sha256(v1.path)
        for region in Self.regions {
            let files = try await d.regionFiles(region)
            #expect(files.filter { $0 == sha }.count == 1, "\(region): \(files)")
        }
    }

    /// The first relay is killed mid-distribution (it receives slowly: its region's bytes/s
    /// is low): its child gets what the relay had sent it, and the rest from the origin; no
    /// chunk it verified is fetched again. The relay's own region is fed from the origin.
    @Test func aRelayKilledMidwayIsRoutedAroundWithoutFetchingAnythingTwice() async throws {
        let d = try await AgentDeployment.start(Self.regions, label: "vmib-agents-midway", bytesPerSecond: ["eastus": 1_000_000])
        defer { d.stop() }
        try await prepare(d)
        let size = 8 * Self.mib
        let v1 = d.dir.appendingPathComponent("v1.raw")
        try TestFiles.random(v1, bytes: size, seed: 19)
        let targets = ["eastus=1", "eastus2=1", "westus=1"]
        let parents = try Self.parents(try await plan(d, v1, targets))
        // Equal links, names as the tie-break: a chain origin → eastus → eastus2 → westus.
        try #require(parents == ["eastus": "origin", "eastus2": "eastus", "westus": "eastus2"], "\(parents)")
        let sha = try await TestFiles.sha256(v1.path)

        let publish = try d.vmib.launch(["version", "publish", "--gallery", "G", "--image", "I", "--version", "1.0.0",
                                         "--disk", v1.path] + targets.flatMap { ["--target-region", $0] },
                                        stdout: d.dir.appendingPathComponent("publish.out"), stderr: d.dir.appendingPathComponent("publish.err"))
        try await waitUntil("eastus's agent holds 3 chunks", timeout: .seconds(120)) {
            let r = try? await d.request(.get, "eastus", "/v1/objects/\(sha)")
            let held = (r.flatMap { try? JSONSerialization.jsonObject(with: $0.body) as? [String: Any] }?["chunksHeld"] as? NSNumber)?.intValue ?? 0
            return held >= 3
        }
        await d.kill9("eastus")
        await ChildProcess.waitForExit(publish)
        #expect(publish.terminationStatus == 0, "\((try? String(contentsOf: d.dir.appendingPathComponent("publish.err"), encoding: .utf8)) ?? "")")

        let shown = try await details(d, "1.0.0")
        #expect(shown["eastus"]?.contains("by the region's agent") == false, "\(shown)")
        let child = try JSONSerialization.jsonObject(with: try await d.request(.get, "eastus2", "/v1/objects/\(sha)").body) as? [String: Any]
        let bySource = child?["bytesBySource"] as? [String: NSNumber] ?? [:]
        // The child trails its parent, so it may hold fewer chunks from it than the relay held.
        #expect((bySource["eastus"]?.intValue ?? 0) > 0 && (bySource["origin"]?.intValue ?? 0) > 0, "\(bySource)")
        #expect(bySource.values.reduce(0) { $0 + $1.intValue } == size, "\(bySource)")
        #expect((child?["duplicateBytes"] as? NSNumber)?.intValue == 0)
        for region in Self.regions {
            let files = try await d.regionFiles(region)
            #expect(files.filter { $0 == sha }.count == 1, "\(region): \(files)")
        }
    }

    @Test func regionsTheTreeCannotReachAreFedFromTheOriginAndThePlanSaysSo() async throws {
        // eastus and eastus2 may fetch only from each other: no path from the origin reaches them.
        let d = try await AgentDeployment.start(Self.regions, label: "vmib-agents-unreachable",
                                                fetchFrom: ["eastus": ["eastus2"], "eastus2": ["eastus"]])
        defer { d.stop() }
        try await prepare(d)
        let v1 = d.dir.appendingPathComponent("v1.raw")
        try TestFiles.random(v1, bytes: 2 * Self.mib, seed: 7)
        let targets = ["eastus=1", "eastus2=1", "westus=1"]
        let planned = try await plan(d, v1, targets, json: false)
        for region in ["eastus", "eastus2"] {
            #expect(planned.stdout.contains("\(region): fed by the origin over its storage"), "\(planned.stdout)")
        }
        try await publish(d, "1.0.0", v1, targets)
        let shown = try await details(d, "1.0.0")
        #expect(shown["eastus"]?.contains("by the region's agent") == false, "\(shown)")
        #expect(shown["eastus2"]?.contains("by the region's agent") == false, "\(shown)")
        #expect(shown["westus"]?.contains("by the region's agent: \(2 * Self.mib) bytes over the link from origin") == true, "\(shown)")
    }

    @Test func chunksFromALiarOrAnAgentWithAnotherKeyAreRefusedAndFetchedElsewhere() async throws {
        let d = try await AgentDeployment.start(["eastus", "eastus2"], label: "vmib-agents-liar", keys: ["eastus2": "another-key"])
        defer { d.stop() }
        try await prepare(d)
        let size = 3 * Self.mib + 12345
        let disk = d.dir.appendingPathComponent("d.raw")
        try TestFiles.random(disk, bytes: size, seed: 9)
        // The origin copy (and its chunk index) without any replication: a Shallow version.
        try expectSuccess(await d.vmib.run("version", "create", "--gallery", "G", "--image", "I", "--version", "1.0.0",
                                           "--disk", disk.path, "--replication-mode", "Shallow", "--target-region", "eastus=1"))
        let sha = try await TestFiles.sha256(disk.path)
        let indexSHA = try await TestFiles.sha256("\(d.state)/origin/sha256/\(sha).chunks")
        let originPort = try #require(URL(string: d.endpoints["origin"]!)?.port)
        let liarOut = d.dir.appendingPathComponent("liar.out")
        let liar = try ChildProcess.launch(["python3", RepositoryPaths.root.appendingPathComponent("scripts/testing/lying-agent.py").path,
                                            String(originPort)], stdout: liarOut, stderr: d.dir.appendingPathComponent("liar.err"))
        defer { ChildProcess.kill9(liar) }
        let liarPort = try await ReportedPort.read(from: liarOut, marker: "lying agent: listening on", process: liar)

        // A job sent as the controller sends it: the liar first, the other-key agent next, the origin last.
        let job: [String: Any] = [
            "size": size, "md5": "", "chunkSizeBytes": Self.mib, "indexSHA256": indexSHA,
            "sources": [["name": "liar", "endpoint": "http://127.0.0.1:\(liarPort)"],
                        ["name": "eastus2", "endpoint": d.endpoints["eastus2"]!],
                        ["name": "origin", "endpoint": d.endpoints["origin"]!]],
            "writes": [["storageAccountType": "Standard_LRS", "key": "direct/object"]]]
        let body = try JSONSerialization.data(withJSONObject: job)
        let started = try await d.request(.put, "eastus", "/v1/objects/\(sha)", body: body)
        #expect(started.status == 202, "\(String(decoding: started.body, as: UTF8.self))")
        var status: [String: Any] = [:]
        try await waitUntil("the job ends") {
            let r = try await d.request(.get, "eastus", "/v1/objects/\(sha)")
            status = (try JSONSerialization.jsonObject(with: r.body) as? [String: Any]) ?? [:]
            return ["Completed", "Failed"].contains(status["state"] as? String ?? "")
        }
        #expect(status["state"] as? String == "Completed", "\(status)")
        let refused = Dictionary(uniqueKeysWithValues: (status["refused"] as? [[String: Any]] ?? []).map {
            ($0["source"] as? String ?? "", $0["reason"] as? String ?? "")
        })
        #expect(refused["liar"]?.contains("SHA-256") == true, "\(refused)")
        #expect(refused["eastus2"]?.contains("refused the deployment key") == true, "\(refused)")
        let bySource = status["bytesBySource"] as? [String: NSNumber] ?? [:]
        #expect(bySource["origin"]?.intValue == size, "\(bySource)")
        #expect(bySource["liar"] == nil && bySource["eastus2"] == nil, "\(bySource)")
        #expect(try await TestFiles.sha256("\(d.state)/regions/eastus/direct/object") == sha)

        // Requests without the key, or naming no object, are refused by name.
        let wrongKey = try await d.request(.get, "eastus", "/v1/health", key: "nope")
        #expect(wrongKey.status == 401 && String(decoding: wrongKey.body, as: UTF8.self).contains("InvalidKey"))
        let badName = try await d.request(.get, "eastus", "/v1/objects/NOT-A-SHA/chunks/0")
        #expect(badName.status == 400 && String(decoding: badName.body, as: UTF8.self).contains("SHA-256"))
        let badJob = try await d.request(.put, "eastus", "/v1/objects/\(sha)", body: Data("{\"size\": -1}".utf8))
        #expect(badJob.status == 400 && String(decoding: badJob.body, as: UTF8.self).contains("InvalidJob"))
        let toOrigin = try await d.request(.put, "origin", "/v1/objects/\(sha)", body: body)
        #expect(toOrigin.status == 409)
    }

    @Test func anAgentRefusesBadOptionsByName() async throws {
        let d = try await AgentDeployment.start(["eastus"], label: "vmib-agents-bad")
        defer { d.stop() }
        let neither = try await d.vmib.run("agent")
        #expect(neither.exitCode != 0 && neither.stderr.contains("--region"), "\(neither.stderr)")
        let unknown = try await d.vmib.run("agent", "--region", "westus")
        #expect(unknown.exitCode != 0 && unknown.stderr.contains("--region") && unknown.stderr.contains("eastus"), "\(unknown.stderr)")
        var keyless = d.vmib
        keyless.environment["VMIB_AGENT_KEY"] = ""
        let noKey = try await keyless.run("agent", "--origin")
        #expect(noKey.exitCode != 0 && noKey.stderr.contains("agents.keyEnv") && noKey.stderr.contains("VMIB_AGENT_KEY"), "\(noKey.stderr)")
    }
}
