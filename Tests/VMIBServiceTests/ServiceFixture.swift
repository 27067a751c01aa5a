import Foundation
import VMIBCore
import VMIBService
import VMIBTestSupport

/// A `VMIBService` in this process over a fresh state directory and the repository's
/// topology (`topology/local.json`): the service's use cases called directly, with no CLI
/// and no server in between.
struct ServiceFixture {
    let directory: URL
    let service: VMIBService

    /// - Parameter configure: changes to the configuration (a shorter build minute).
    init(_ label: String = "vmib-service", configure: (inout ServiceConfiguration) -> Void = { _ in }) throws {
        directory = try TestFiles.directory(label)
        var env = ProcessInfo.processInfo.environment
        env["VMIB_TOPOLOGY_DIR"] = RepositoryPaths.root.appendingPathComponent("topology").path
        env["VMIB_TOPOLOGY"] = nil
        var configuration = ServiceConfiguration(stateDirectory: directory.appendingPathComponent("state").path, environment: env)
        configure(&configuration)
        service = try VMIBService(configuration: configuration)
    }

    func key(_ name: String, resourceGroup: String = "rg1") throws -> TemplateKey {
        try service.templates.key(resourceGroup: resourceGroup, name: name)
    }

    /// Every template's stored body, by name: what a refused call must leave as it was.
    func storedTemplates() throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try service.templates.list(resourceGroup: nil).map { ($0.record.key.name, $0.record.body) })
    }

    func removeAll() { try? FileManager.default.removeItem(at: directory) }
}
