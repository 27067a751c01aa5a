import Foundation
import VMIBTestSupport

/// A vmib deployment for end-to-end tests: one real S3 server (rclone) per region, a
/// topology file pointing at them, a state directory, and a gallery with one image.
final class S3Deployment: @unchecked Sendable {
    static let regionNames = ["eastus", "eastus2", "westus", "westus2", "northeurope", "westeurope", "westcentralus"]

    let dir: URL
    var servers: [String: RcloneS3Server] = [:]
    /// Regions whose endpoint is overridden (a proxy, or a port with nothing behind it).
    var endpoints: [String: String] = [:]
    /// The ports of down regions, held (bound, not listening) so that no other server takes
    /// them; release one just before starting the region's server on it.
    var reservations: [String: LoopbackPort.Reservation] = [:]
    let vmib: VMIBProcess
    let topologyPath: String

    /// - Parameters:
    ///   - regions: how many regions (from `regionNames`).
    ///   - limits: per-region `limits` objects for the topology.
    ///   - downRegions: regions whose server is not started (their port stays closed).
    init(regions: Int, limits: [String: String] = [:], downRegions: Set<String> = [],
         retry: String = #"{"maxAttempts": 3, "baseDelayMs": 100, "maxDelayMs": 400}"#) async throws {
        dir = try TestFiles.directory("vmib-e2e")
        topologyPath = dir.appendingPathComponent("topology.json").path
        for name in Self.regionNames.prefix(regions) {
            if downRegions.contains(name) {
                let reservation = try LoopbackPort.Reservation()
                reservations[name] = reservation
                endpoints[name] = "http://127.0.0.1:\(reservation.port)"
            } else {
                servers[name] = try await RcloneS3Server(buckets: [name])
            }
        }
        vmib = VMIBProcess(stateDirectory: dir.appendingPathComponent("state").path, topology: topologyPath,
                           environment: ["VMIB_TEST_KEY": RcloneS3Server.accessKey, "VMIB_TEST_SECRET": RcloneS3Server.secretKey])
        try writeTopology(limits: limits, retry: retry)
        try expectSuccess(await vmib.run("gallery", "create", "--name", "G"))
        try expectSuccess(await vmib.run("image", "create", "--gallery", "G", "--name", "I", "--os-type", "Linux",
                                   "--os-state", "Generalized", "--publisher", "P", "--offer", "O", "--sku", "S"))
    }

    var regions: [String] { Self.regionNames.filter { servers[$0] != nil || endpoints[$0] != nil } }

    func endpoint(_ region: String) -> String { endpoints[region] ?? servers[region]!.endpoint }

    func writeTopology(limits: [String: String] = [:], retry: String) throws {
        let entries = regions.map { name in
            """
            {"name": "\(name)", "storage": {"Standard_LRS": {"kind": "s3", "endpoint": "\(endpoint(name))", "bucket": "\(name)",
              "accessKeyEnv": "VMIB_TEST_KEY", "secretKeyEnv": "VMIB_TEST_SECRET"}},
             "limits": \(limits[name] ?? #"{"concurrentTransfers": 4}"#)}
            """
        }
        let text = #"{"name": "e2e", "defaults": {"retry": \#(retry)}, "regions": [\#(entries.joined(separator: ",\n"))]}"#
        try text.write(toFile: topologyPath, atomically: true, encoding: .utf8)
    }

    /// A disk image of `mib` MiB of pseudo-random bytes.
    func disk(mib: Int, seed: UInt64 = 7) throws -> String {
        let url = dir.appendingPathComponent("disk-\(mib)-\(seed).raw")
        try TestFiles.random(url, bytes: mib << 20, seed: seed)
        return url.path
    }

    func objectPath(_ region: String, replica index: Int, version: String = "1.0.0") -> String {
        servers[region]!.objectPath(bucket: region, key: "vmib/00000000-0000-0000-0000-000000000000/vmib/G/I/\(version)/replica-\(index)")
    }

    func status(_ version: String = "1.0.0") async throws -> [String: Any] {
        let r = try await vmib.run("version", "show", "--gallery", "G", "--image", "I", "--version", version,
                             "--replication-status", "--replicas", "--output", "json")
        try expectSuccess(r)
        return try r.json() as? [String: Any] ?? [:]
    }

    func remove() {
        for s in servers.values { s.remove() }
        for r in reservations.values { r.release() }
        try? FileManager.default.removeItem(at: dir)
    }

    deinit { remove() }
}

struct CommandFailed: Error, CustomStringConvertible {
    var description: String
}

func expectSuccess(_ r: VMIBProcess.Result) throws {
    guard r.exitCode == 0 else { throw CommandFailed(description: "exit \(r.exitCode): \(r.stderr)\(r.stdout)") }
}

extension Dictionary where Key == String, Value == Any {
    var properties: [String: Any] { self["properties"] as? [String: Any] ?? [:] }
    var replicationStatus: [String: Any] { properties["replicationStatus"] as? [String: Any] ?? [:] }
    var aggregatedState: String? { replicationStatus["aggregatedState"] as? String }
    var summary: [[String: Any]] { replicationStatus["summary"] as? [[String: Any]] ?? [] }
    var replicas: [[String: Any]] { properties["replicas"] as? [[String: Any]] ?? [] }
    var provisioningState: String? { properties["provisioningState"] as? String }
    func region(_ name: String) -> [String: Any]? { summary.first { $0["region"] as? String == name } }
}
