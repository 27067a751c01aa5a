import Foundation
import VMIBCore

/// Finds and reads the files under `topology/`: the region catalog and the default
/// deployment topology. They are looked for beside the executable (a checkout's
/// `.build/debug/vmib` finds the checkout's `topology/`), then in the install locations.
enum TopologyFiles {
    static func directory(environment: [String: String]) -> String? {
        if let dir = environment["VMIB_TOPOLOGY_DIR"], !dir.isEmpty { return dir }
        var candidates: [String] = []
        var dir = URL(fileURLWithPath: CommandLine.arguments.first.map(resolvedExecutable) ?? "").deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(dir.appendingPathComponent("topology").path)
            dir.deleteLastPathComponent()
        }
        candidates += [FileManager.default.currentDirectoryPath + "/topology", "/usr/local/share/vmib/topology", "/usr/share/vmib/topology"]
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/azure-public.json") }
    }

    private static func resolvedExecutable(_ arg0: String) -> String {
        let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? arg0
        return ServiceConfiguration.absolute(path)
    }

    static func catalog(_ config: ServiceConfiguration) throws -> RegionCatalog {
        guard let path = config.catalogFile ?? directory(environment: config.environment).map({ $0 + "/azure-public.json" }) else {
            throw DomainError.invalid(.named("catalog"), "cannot find topology/azure-public.json; set VMIB_TOPOLOGY_DIR to the folder that holds it")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DomainError.invalid(.named("catalog"), "cannot read \(path)")
        }
        do { return try RegionCatalog(json: data) } catch {
            throw DomainError.invalid(.named("catalog"), "\(path) is not a region catalog: \(error)")
        }
    }

    /// The deployment topology: `--topology`/`VMIB_TOPOLOGY`, else `topology/local.json`,
    /// else every build region as directories under the state directory, one per storage
    /// account type (Standard_LRS, the default, at `regions/<name>`), as `local.json` has them.
    static func topology(_ config: ServiceConfiguration, catalog: RegionCatalog) throws -> DeploymentTopology {
        let explicit = config.topologyFile ?? config.environment["VMIB_TOPOLOGY"].flatMap { $0.isEmpty ? nil : $0 }
        let path = explicit ?? directory(environment: config.environment).map { $0 + "/local.json" }
        if let path, explicit != nil || FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw DomainError.invalid(.topology, "cannot read topology file \(path)")
            }
            return try TopologyParser.parse(text, catalog: catalog, file: "--topology \(path)")
        }
        return DeploymentTopology(name: "built-in local", regions: catalog.buildRegions.map { region in
            .init(name: region.name, displayName: region.displayName,
                  storage: StorageAccountType.allCases.map { type in
                      (type, .directory(path: "regions/\(region.name)" + (type == .Standard_LRS ? "" : ".\(type.rawValue)")))
                  }, limits: .default)
        })
    }
}
