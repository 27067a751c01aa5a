import ArgumentParser
import Foundation
import VMIBCore
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
        var perReplica = 20
        if let text = env["VMIB_DEPLOYMENTS_PER_REPLICA"], !text.isEmpty {
            guard let n = Int(text), (1...10_000).contains(n) else {
                throw DomainError.invalid("VMIB_DEPLOYMENTS_PER_REPLICA", "'\(text)' is not allowed; expected an integer 1…10000 (Azure advises 20)")
            }
            perReplica = n
        }
        return try VMIBService(configuration: ServiceConfiguration(
            stateDirectory: ServiceConfiguration.stateDirectory(option: stateDirectory, environment: env),
            topologyFile: topology, subscription: subscription, environment: env, deploymentsPerReplica: perReplica))
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

/// Who runs this command, as recorded in rollback history: $USER, else the account name.
enum Principal {
    static var current: String {
        if let user = ProcessInfo.processInfo.environment["USER"], !user.isEmpty { return user }
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "uid \(geteuid())"
    }
}
