import Foundation
import Testing
import VMIBTestSupport

/// Three `vmib serve` on one PostgreSQL database, replicating to real S3 servers (rclone)
/// behind counting proxies: every request that reached a region is logged, so each
/// replica's object can be seen written exactly once. The servers share their origin
/// copies through an S3 bucket named in the topology (each has its own origin directory),
/// or through one directory they all see (`VMIB_ORIGIN_DIR`).
final class SharedStoreDeployment: @unchecked Sendable {
    let dir: URL
    let url: String
    var s3: [String: RcloneS3Server] = [:]
    var proxies: [String: FlakyProxy] = [:]
    var servers: [VMIBProcess.Server] = []
    var clients: [VMIBProcess] = []
    /// The CLI in embedded mode on the same database and topology, with an origin directory
    /// of its own (a fourth machine).
    var embedded: VMIBProcess!
    let regions: [String]
    enum Origin { case bucket, directory }
    /// The topology's origin bucket (with `.bucket`).
    var originServer: RcloneS3Server?

    /// - Parameters:
    ///   - bytesPerSecond: each region's limit (0: none), to keep uploads running for a while.
    ///   - leaseSeconds: how long a server's claim on a version lasts unless renewed.
    init(regions: [String], servers count: Int = 3, bytesPerSecond: Int = 0, leaseSeconds: Int = 15,
         origin: Origin = .directory) async throws {
        self.regions = regions
        dir = try TestFiles.directory("vmib-several").resolvingSymlinksInPath()
        let name = "several_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let created = try await ChildProcess.run(["psql", try TestPostgres.url(), "-q", "-c", "CREATE DATABASE \(name)"])
        guard created.status == 0 else { throw TestSupportError("psql: \(created.stderr)") }
        url = try TestPostgres.url().replacingOccurrences(of: #"/[^/]*$"#, with: "/" + name, options: .regularExpression)
        for region in regions {
            let server = try await RcloneS3Server(buckets: [region])
            s3[region] = server
            proxies[region] = try await FlakyProxy(upstreamPort: server.port, failures: 0)
        }
        var originEntry = ""
        if origin == .bucket {
            let server = try await RcloneS3Server(buckets: ["origin"])
            originServer = server
            originEntry = #""origin": {"kind": "s3", "endpoint": "\#(server.endpoint)", "bucket": "origin", "accessKeyEnv": "VMIB_TEST_KEY", "secretKeyEnv": "VMIB_TEST_SECRET"}, "#
        }
        let topology = dir.appendingPathComponent("topology.json").path
        let entries = regions.map { r in
            """
            {"name": "\(r)", "storage": {"Standard_LRS": {"kind": "s3", "endpoint": "\(proxies[r]!.endpoint)", "bucket": "\(r)",
              "accessKeyEnv": "VMIB_TEST_KEY", "secretKeyEnv": "VMIB_TEST_SECRET"}},
             "limits": {"concurrentTransfers": 4, "bytesPerSecond": \(bytesPerSecond), "requestsPerSecond": 0}}
            """
        }
        try #"{\#(originEntry)"name": "several", "defaults": {"retry": {"maxAttempts": 3, "baseDelayMs": 100, "maxDelayMs": 400}}, "regions": [\#(entries.joined(separator: ","))]}"#
            .write(toFile: topology, atomically: true, encoding: .utf8)
        let tokens = try await ServeTokens.write(in: dir, token: "several-token", principal: "ci").tokens
        var env = ["VMIB_TEST_KEY": RcloneS3Server.accessKey, "VMIB_TEST_SECRET": RcloneS3Server.secretKey,
                   "VMIB_STORE": url, "VMIB_LEASE_SECONDS": "\(leaseSeconds)"]
        if origin == .directory { env["VMIB_ORIGIN_DIR"] = dir.appendingPathComponent("origin").path }
        for i in 0..<count {
            let process = VMIBProcess(stateDirectory: dir.appendingPathComponent("server-\(i)").path, topology: topology, environment: env)
            let server = try await process.serve(["--token-file", tokens, "--source-root", dir.path],
                                                 stdout: dir.appendingPathComponent("serve-\(i).out"),
                                                 stderr: dir.appendingPathComponent("serve-\(i).err"))
            servers.append(server)
            try await HTTPReadiness.wait(for: "http://127.0.0.1:\(server.port)/readyz")
            clients.append(VMIBProcess(stateDirectory: dir.appendingPathComponent("client-\(i)").path, topology: topology,
                                       environment: ["VMIB_SERVER": "http://127.0.0.1:\(server.port)", "VMIB_TOKEN": "several-token"]))
        }
        embedded = VMIBProcess(stateDirectory: dir.appendingPathComponent("embedded").path, topology: topology, environment: env)
        try expectSuccess(await clients[0].run("gallery", "create", "--name", "G"))
        try expectSuccess(await clients[count - 1].run("image", "create", "--gallery", "G", "--name", "I", "--os-type", "Linux",
                                                       "--os-state", "Generalized", "--publisher", "P", "--offer", "O", "--sku", "S"))
    }

    func disk(_ name: String, bytes: Int, seed: UInt64) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try TestFiles.random(URL(fileURLWithPath: path), bytes: bytes, seed: seed)
        return path
    }

    /// `version show --replication-status --replicas --output json`, asked of server `via`.
    func show(_ v: String, via: Int = 0) async throws -> [String: Any] {
        let r = try await clients[via].run("version", "show", "--gallery", "G", "--image", "I", "--version", v,
                                           "--replication-status", "--replicas", "--output", "json")
        try expectSuccess(r)
        return try #require(try r.json() as? [String: Any])
    }

    /// Successful PUTs per replica object, over every region's proxy (key: "region/…/replica-N").
    func puts() -> [String: Int] {
        var counts: [String: Int] = [:]
        for (region, proxy) in proxies {
            for line in proxy.requests {
                let parts = line.split(separator: " ").map(String.init)
                guard parts.count == 3, parts[0] == "PUT", parts[2].hasPrefix("2"),
                      let path = parts[1].split(separator: "?").first, path.contains("/replica-") else { continue }
                counts["\(region)\(path)", default: 0] += 1
            }
        }
        return counts
    }

    /// The lease rows: (key, holder, token).
    func leases() async throws -> [(key: String, holder: String, token: Int)] {
        let r = try await ChildProcess.run(["psql", url, "-At", "-F", "|", "-c", "SELECT key, holder, token FROM leases ORDER BY key"])
        return r.stdout.split(separator: "\n").compactMap { line in
            let p = line.split(separator: "|").map(String.init)
            guard p.count == 3, let t = Int(p[2]) else { return nil }
            return (p[0], p[1], t)
        }
    }

    /// Polls version `v` through server `via` until it is Succeeded or `timeout` passed.
    func waitUntilSucceeded(_ v: String, via: Int, timeout: TimeInterval = 60) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        var shown: [String: Any] = [:]
        while Date() < deadline {
            try await Task.sleep(for: .milliseconds(500))
            shown = try await show(v, via: via)
            if shown.provisioningState == "Succeeded" { break }
        }
        return shown
    }

    /// The server whose process id a lease holder names ("host:pid:random").
    func server(holding holder: String) -> VMIBProcess.Server? {
        let pid = holder.split(separator: ":").dropFirst().first.flatMap { Int32($0) }
        return servers.first { $0.process.processIdentifier == pid }
    }

    func stop() {
        for s in servers {
            kill(s.process.processIdentifier, SIGCONT)
            ChildProcess.kill9(s.process)
        }
        for p in proxies.values { p.stop() }
        for s in s3.values { s.remove() }
        originServer?.remove()
        try? FileManager.default.removeItem(at: dir)
    }
}

@Suite(.enabled(if: RcloneS3Server.isAvailable), .serialized)
struct SeveralServersTests {
    /// 20 versions published through three servers in turn, to three regions of 2 replicas,
    /// the origin copies shared through the topology's origin bucket: every replica's object
    /// is written exactly once, and every version Completes.
    @Test func twentyVersionsThroughThreeServersAreEachReplicatedOnce() async throws {
        let d = try await SharedStoreDeployment(regions: ["eastus", "westus", "northeurope"], origin: .bucket)
        defer { d.stop() }
        let targets = d.regions.flatMap { ["--target-region", "\($0)=2"] }
        for i in 0..<20 {
            let disk = try d.disk("disk-\(i).raw", bytes: 256 << 10, seed: UInt64(2 * i + 1))   // odd: distinct disks
            try expectSuccess(await d.clients[i % 3].run(["version", "publish", "--gallery", "G", "--image", "I", "--version", "1.0.\(i)",
                                                         "--disk", disk, "--no-wait"] + targets))
        }
        // One more, recorded by the CLI of a machine that runs no server: no server has its
        // disk but through the origin bucket.
        let disk = try d.disk("disk-20.raw", bytes: 256 << 10, seed: 41)
        try expectSuccess(await d.embedded.run(["version", "publish", "--gallery", "G", "--image", "I", "--version", "1.0.20",
                                                "--disk", disk, "--no-wait"] + targets))
        let deadline = Date().addingTimeInterval(180)
        var states: [String] = []
        repeat {
            try await Task.sleep(for: .seconds(1))
            states = []
            for i in 0...20 { states.append(try await d.show("1.0.\(i)", via: i % 3).provisioningState ?? "?") }
        } while Date() < deadline && states.contains { $0 != "Succeeded" }
        #expect(states == Array(repeating: "Succeeded", count: 21))
        let puts = d.puts()
        #expect(puts.count == 21 * 3 * 2, "one object per version, region and replica")
        #expect(puts.values.allSatisfy { $0 == 1 }, "written more than once: \(puts.filter { $0.value > 1 })")
        // Any server answers for any version, with the same status.
        let a = try await d.show("1.0.7", via: 0), b = try await d.show("1.0.7", via: 2)
        #expect(a.aggregatedState == "Completed")
        #expect(NSDictionary(dictionary: a).isEqual(to: b))
        // Work was spread: more than one server held leases.
        let holders = Set(try await d.leases().map(\.holder))
        #expect(holders.count >= 2, "leases were held by \(holders)")
        // Each disk is in the origin bucket once; a server that replicated a version another
        // published fetched the disk from there into its own origin directory.
        let shared = try FileManager.default.contentsOfDirectory(atPath: d.originServer!.data.appendingPathComponent("origin/sha256").path)
        #expect(shared.filter { !$0.hasSuffix(".chunks") }.count == 21 && shared.filter { $0.hasSuffix(".chunks") }.count == 21,
                "in the origin bucket: \(shared.sorted())")
        let copies = (0..<3).map { i in
            ((try? FileManager.default.contentsOfDirectory(atPath: d.dir.appendingPathComponent("server-\(i)/origin/sha256").path)) ?? [])
                .filter { !$0.hasPrefix(".") && !$0.hasSuffix(".chunks") }.count
        }
        // 20 ingested by the servers that published them, and at least the CLI's fetched.
        #expect(copies.reduce(0, +) >= 21, "origin copies per server: \(copies)")
        FileHandle.standardError.write(Data("several servers: origin copies per server after 21 versions: \(copies)\n".utf8))
    }

    /// kill -9 of the server holding a version's lease mid-upload: another server takes the
    /// version over once the lease expires, finishes it, and the object is written once.
    @Test func anotherServerFinishesAVersionWhoseServerWasKilled() async throws {
        let lease = 3
        let d = try await SharedStoreDeployment(regions: ["eastus"], bytesPerSecond: 1_000_000, leaseSeconds: lease)
        defer { d.stop() }
        let (holder, victim, survivor) = try await Self.publishUntilMidUpload(d, seed: 9, via: 0)
        let killed = Date()
        ChildProcess.kill9(victim.process)
        let state = try await d.waitUntilSucceeded("1.0.0", via: survivor).provisioningState
        let failover = Date().timeIntervalSince(killed)
        #expect(state == "Succeeded")
        let after = try await d.leases().first { $0.key.hasSuffix("/versions/1.0.0") }
        // A newer token (more than one newer when a loaded machine delayed a renewal, and a
        // third server took the version from the second).
        #expect((after?.token ?? 0) > holder.token && after?.holder != holder.holder, "taken over with a newer token")
        // The lease's expiry, then one upload of 6 MiB at 1 MB/s, with room for a loaded machine.
        #expect(failover < Double(lease) + 6 + 20, "took \(failover) s")
        try await Task.sleep(for: .seconds(2))
        #expect(d.puts().values.sorted() == [1], "the object was written once: \(d.puts())")
        FileHandle.standardError.write(Data("several servers: failover after kill -9 with a \(lease) s lease: \(String(format: "%.1f", failover)) s to Succeeded (6 MiB at 1 MB/s)\n".utf8))
    }

    /// A server paused past its lease (SIGSTOP) loses the version to another, which finishes
    /// it; once resumed (SIGCONT), nothing it does changes the new holder's records.
    @Test func aPausedServerCannotWriteOverTheNewHolder() async throws {
        let lease = 3
        let d = try await SharedStoreDeployment(regions: ["eastus"], bytesPerSecond: 1_000_000, leaseSeconds: lease)
        defer { d.stop() }
        let (holder, paused, other) = try await Self.publishUntilMidUpload(d, seed: 11, via: 1)
        kill(paused.process.processIdentifier, SIGSTOP)
        let done = try await d.waitUntilSucceeded("1.0.0", via: other)
        #expect(done.provisioningState == "Succeeded")
        let taken = try await d.leases().first { $0.key.hasSuffix("/versions/1.0.0") }
        #expect((taken?.token ?? 0) > holder.token && taken?.holder != holder.holder)
        kill(paused.process.processIdentifier, SIGCONT)
        // The resumed server's transfer wakes up with a stale token: whatever it writes is refused.
        try await Task.sleep(for: .seconds(Double(lease) + 3))
        let later = try await d.show("1.0.0", via: other)
        #expect(NSDictionary(dictionary: later).isEqual(to: done), "the new holder's records were changed")
        #expect(paused.process.isRunning, "the paused server carries on serving")
        let refusals = ((try? String(contentsOf: d.dir.appendingPathComponent("serve-\(d.servers.firstIndex { $0.process.processIdentifier == paused.process.processIdentifier }!).err"), encoding: .utf8)) ?? "")
            .components(separatedBy: "refused").count - 1
        FileHandle.standardError.write(Data("several servers: the resumed server's refused writes: \(refusals)\n".utf8))
    }

    /// Publishes 1.0.0 (6 MiB, to eastus) through server `via` and waits until its upload is
    /// under way: the version's lease, the server holding it, and the index of another server.
    static func publishUntilMidUpload(_ d: SharedStoreDeployment, seed: UInt64, via: Int) async throws
        -> (lease: (key: String, holder: String, token: Int), holder: VMIBProcess.Server, other: Int) {
        let disk = try d.disk("disk.raw", bytes: 6 << 20, seed: seed)
        try expectSuccess(await d.clients[via].run("version", "publish", "--gallery", "G", "--image", "I", "--version", "1.0.0",
                                                   "--disk", disk, "--no-wait", "--target-region", "eastus=1"))
        let lease = try await holderMidUpload(d)
        let server = try #require(d.server(holding: lease.holder), "lease holder \(lease.holder) is one of the servers")
        let other = d.servers.firstIndex { $0.process.processIdentifier != server.process.processIdentifier }!
        return (lease, server, other)
    }

    /// Waits until a server holds the version's lease and its upload is under way (≥ 1 MiB).
    static func holderMidUpload(_ d: SharedStoreDeployment) async throws -> (key: String, holder: String, token: Int) {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            try await Task.sleep(for: .milliseconds(200))
            let s = try await d.show("1.0.0")
            let bytes = s.replicas.compactMap { $0["bytesDone"] as? Int }.max() ?? 0
            if bytes >= 1 << 20, let lease = try await d.leases().first(where: { $0.key.hasSuffix("/versions/1.0.0") }) { return lease }
        }
        throw TestSupportError("no server was uploading 1.0.0 after 60 s")
    }
}
