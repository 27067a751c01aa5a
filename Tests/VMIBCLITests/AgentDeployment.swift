import Foundation
import VMIBTestSupport
import VMIBTransfer

/// Real `vmib agent` processes on loopback: the origin's and one per region, each region
/// with directory storage under the state directory. Agents bind port 0 and report it; they
/// start from a topology with placeholder endpoints (an agent needs only its own region, its
/// storage and the key), then the controller gets the topology with the ports they reported.
struct AgentDeployment {
    static let key = "agent-test-key"
    let dir: URL
    let regions: [String]
    let vmib: VMIBProcess
    var endpoints: [String: String]
    var processes: [String: Process]

    /// - Parameters:
    ///   - keys: an agent's key other than the deployment's (by name).
    ///   - fetchFrom: a region agent's `fetchFrom` (by region).
    ///   - storage: a region's `Standard_LRS` storage object (JSON) instead of a directory;
    ///     `environment` then holds what it names (S3 credentials).
    ///   - bytesPerSecond: a region's `limits.bytesPerSecond`.
    static func start(_ regions: [String], label: String = "vmib-agents", rate: Int64 = 8_000_000,
                      keys: [String: String] = [:], fetchFrom: [String: [String]] = [:],
                      storage: [String: String] = [:], environment: [String: String] = [:],
                      bytesPerSecond: [String: Int64] = [:]) async throws -> AgentDeployment {
        let dir = try TestFiles.directory(label)
        let state = dir.appendingPathComponent("state").path
        let placeholder = dir.appendingPathComponent("placeholder.json").path
        var fake: [String: String] = [:]
        for (n, name) in (["origin"] + regions).enumerated() { fake[name] = "http://127.0.0.1:\(n + 1)" }
        try topology(regions, endpoints: fake, rate: rate, fetchFrom: fetchFrom, storage: storage, limits: bytesPerSecond)
            .write(toFile: placeholder, atomically: true, encoding: .utf8)
        var endpoints: [String: String] = [:], processes: [String: Process] = [:]
        for name in ["origin"] + regions {
            let agent = VMIBProcess(stateDirectory: state, topology: placeholder,
                                    environment: environment.merging(["VMIB_AGENT_KEY": keys[name] ?? key]) { _, new in new })
            let out = dir.appendingPathComponent("\(name).out"), err = dir.appendingPathComponent("\(name).err")
            let process = try agent.launch(["agent", "--port", "0"] + (name == "origin" ? ["--origin"] : ["--region", name]),
                                           stdout: out, stderr: err)
            processes[name] = process
            do {
                let port = try await ReportedPort.read(from: out, marker: "vmib agent: listening on", process: process)
                endpoints[name] = "http://127.0.0.1:\(port)"
            } catch {
                for p in processes.values { ChildProcess.kill9(p) }
                throw TestSupportError("agent \(name) did not start: \(error) \((try? String(contentsOf: err, encoding: .utf8)) ?? "")")
            }
        }
        let final = dir.appendingPathComponent("topology.json").path
        try topology(regions, endpoints: endpoints, rate: rate, fetchFrom: fetchFrom, storage: storage, limits: bytesPerSecond)
            .write(toFile: final, atomically: true, encoding: .utf8)
        let vmib = VMIBProcess(stateDirectory: state, topology: final,
                               environment: environment.merging(["VMIB_AGENT_KEY": key]) { _, new in new })
        return AgentDeployment(dir: dir, regions: regions, vmib: vmib, endpoints: endpoints, processes: processes)
    }

    static func topology(_ regions: [String], endpoints: [String: String], rate: Int64, fetchFrom: [String: [String]],
                         storage: [String: String], limits: [String: Int64]) -> String {
        let entries = regions.map { r in
            let limit = limits[r].map { ", \"limits\": {\"bytesPerSecond\": \($0)}" } ?? ""
            let allowed = fetchFrom[r].map { ", \"fetchFrom\": [" + $0.map { "\"\($0)\"" }.joined(separator: ", ") + "]" } ?? ""
            return """
            {"name": "\(r)", "storage": {"Standard_LRS": \(storage[r] ?? "{\"kind\": \"directory\", \"path\": \"regions/\(r)\"}")},
             "agent": {"endpoint": "\(endpoints[r]!)", "uplinkBytesPerSecond": \(rate), "downlinkBytesPerSecond": \(rate)\(allowed)}\(limit)}
            """
        }
        return """
            {"name": "agents", "chunkSizeBytes": 1048576,
             "defaults": {"retry": {"maxAttempts": 4, "baseDelayMs": 100, "maxDelayMs": 500}},
             "agents": {"keyEnv": "VMIB_AGENT_KEY",
                        "origin": {"endpoint": "\(endpoints["origin"]!)", "uplinkBytesPerSecond": \(rate)}},
             "regions": [\(entries.joined(separator: ",\n"))]}
            """
    }

    var state: String { vmib.stateDirectory }

    /// Kills every agent (SIGKILL, at once: callable from `defer`, so no agent outlives its
    /// test whatever happens) and removes the deployment's files.
    func stop() {
        for p in processes.values where p.isRunning { ChildProcess.kill9(p) }
        try? FileManager.default.removeItem(at: dir)
    }

    func kill9(_ name: String) async {
        guard let p = processes[name] else { return }
        ChildProcess.kill9(p)
        await ChildProcess.waitForExit(p)
    }

    /// An agent's request, with the deployment key unless another is given.
    func request(_ method: JSONRequest.Method, _ name: String, _ path: String, body: Data? = nil,
                 key: String = AgentDeployment.key) async throws -> JSONRequest.Response {
        try await JSONRequest.send(method, endpoints[name]! + path, body: body, bearer: key)
    }

    /// Bytes the agent has served to others since it started.
    func served(_ name: String) async throws -> Int64 {
        let r = try await request(.get, name, "/v1/health")
        let json = try JSONSerialization.jsonObject(with: r.body) as? [String: Any]
        return (json?["servedBytes"] as? NSNumber)?.int64Value ?? -1
    }

    /// SHA-256 of every file under a region's storage directory.
    func regionFiles(_ region: String) async throws -> [String] {
        let root = URL(fileURLWithPath: state).appendingPathComponent("regions/\(region)")
        guard let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var sums: [String] = []
        for case let url as URL in e where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            sums.append(try await TestFiles.sha256(url.path))
        }
        return sums
    }
}
