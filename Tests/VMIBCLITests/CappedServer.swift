import Foundation
import Testing
import VMIBTestSupport

/// A `vmib serve` over directory regions capped in bytes per second, and a CLI client of
/// it, for tests of what happens while replication runs.
struct CappedServer {
    let dir: URL
    let server: VMIBProcess.Server
    let client: VMIBProcess
    var stateDirectory: String { dir.appendingPathComponent("state").path }

    /// - Parameters:
    ///   - regions: region name → bytes per second (0: unlimited).
    ///   - concurrentTransfers: each region's limit.
    static func start(_ label: String, regions: [(String, Int)], concurrentTransfers: Int = 8) async throws -> CappedServer {
        let dir = try TestFiles.directory(label).resolvingSymlinksInPath()
        let topology = dir.appendingPathComponent("topology.json").path
        let entries = regions.map { name, cap in
            #"{"name": "\#(name)", "storage": {"Standard_LRS": {"kind": "directory", "path": "regions/\#(name)"}}, "limits": {"concurrentTransfers": \#(concurrentTransfers), "bytesPerSecond": \#(cap), "requestsPerSecond": 0}}"#
        }
        try #"{"name": "capped", "defaults": {"limits": {"concurrentTransfers": 8, "bytesPerSecond": 0, "requestsPerSecond": 0}}, "regions": [\#(entries.joined(separator: ","))]}"#
            .write(toFile: topology, atomically: true, encoding: .utf8)
        let hash = try await ChildProcess.run(["sh", "-c", "printf %s capped-token | sha256sum"]).stdout.prefix(64)
        let tokens = dir.appendingPathComponent("tokens.json").path
        try #"{"tokens":[{"sha256":"\#(hash)","principal":"ci","role":"Contributor","scope":"/subscriptions/00000000-0000-0000-0000-000000000000"}]}"#
            .write(toFile: tokens, atomically: true, encoding: .utf8)
        let process = VMIBProcess(stateDirectory: dir.appendingPathComponent("state").path, topology: topology)
        let server = try await process.serve(["--token-file", tokens, "--source-root", dir.path],
                                             stdout: dir.appendingPathComponent("serve.out"), stderr: dir.appendingPathComponent("serve.err"))
        try await HTTPReadiness.wait(for: "http://127.0.0.1:\(server.port)/readyz")
        let client = VMIBProcess(stateDirectory: dir.appendingPathComponent("client").path, topology: topology,
                                 environment: ["VMIB_SERVER": "http://127.0.0.1:\(server.port)", "VMIB_TOKEN": "capped-token"])
        try expectSuccess(await client.run("gallery", "create", "--name", "G"))
        try expectSuccess(await client.run("image", "create", "--gallery", "G", "--name", "I", "--os-type", "Linux",
                                           "--os-state", "Generalized", "--publisher", "P", "--offer", "O", "--sku", "S"))
        return CappedServer(dir: dir, server: server, client: client)
    }

    /// A disk of `bytes` random bytes under the server's source root.
    func disk(_ name: String, bytes: Int, seed: UInt64 = 1) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try TestFiles.random(URL(fileURLWithPath: path), bytes: bytes, seed: seed)
        return path
    }

    /// Publishes one version 1.0.<i> per disk to eastus, all at once, each waiting until replicated.
    func publishAtOnce(_ disks: [String]) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (i, disk) in disks.enumerated() {
                group.addTask {
                    try expectSuccess(await client.run("version", "publish", "--gallery", "G", "--image", "I", "--version", "1.0.\(i)",
                                                       "--disk", disk, "--target-region", "eastus=1"))
                }
            }
            try await group.waitForAll()
        }
    }

    /// `version show --replication-status --output json` of version `v`.
    func show(_ v: String) async throws -> [String: Any] {
        let r = try await client.run("version", "show", "--gallery", "G", "--image", "I", "--version", v, "--replication-status", "--output", "json")
        return try #require(try r.json() as? [String: Any], "\(r.stderr)")
    }

    func stop() {
        ChildProcess.kill9(server.process)
        try? FileManager.default.removeItem(at: dir)
    }
}
