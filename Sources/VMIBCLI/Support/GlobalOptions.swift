import ArgumentParser
import Foundation
import VMIBService

/// Options every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("state-dir"), help: "State directory (default: $VMIB_STATE_DIR or ~/.vmib).")
    var stateDirectory: String?

    @Option(name: .customLong("topology"), help: "Deployment topology file (default: $VMIB_TOPOLOGY, topology/local.json or the built-in local topology).")
    var topology: String?

    @Option(name: .customLong("output"), help: "Output format: table or json.")
    var output: OutputFormat = .table

    func service() throws -> VMIBService {
        let env = ProcessInfo.processInfo.environment
        let subscription = env["VMIB_SUBSCRIPTION"].flatMap { $0.isEmpty ? nil : $0 } ?? ServiceConfiguration.defaultSubscription
        return try VMIBService(configuration: ServiceConfiguration(
            stateDirectory: ServiceConfiguration.stateDirectory(option: stateDirectory, environment: env),
            topologyFile: topology, subscription: subscription, environment: env))
    }
}

/// `--resource-group`, defaulting to $VMIB_RESOURCE_GROUP or "vmib".
struct ResourceGroupOption: ParsableArguments {
    @Option(name: .customLong("resource-group"), help: "Resource group (default: $VMIB_RESOURCE_GROUP or 'vmib').")
    var resourceGroup: String?

    var value: String {
        resourceGroup ?? ProcessInfo.processInfo.environment["VMIB_RESOURCE_GROUP"].flatMap { $0.isEmpty ? nil : $0 } ?? "vmib"
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}
