import ArgumentParser
import VMIBCore
import VMIBService

struct VersionPublish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish", abstract: "Publish a disk image as a new version and replicate it.",
        discussion: "Without --no-wait, replicates now with live progress and exits 1 if a region failed. `version create` (Azure CLI's word) is the same command.",
        aliases: ["create"])
    @OptionGroup var global: GlobalOptions
    @OptionGroup var version: VersionOptions
    @OptionGroup var publish: PublishOptions
    @Flag(name: .customLong("no-wait"), help: "Record the version and return; replicate later with `version wait` or `version reconcile`.")
    var noWait = false
    @Flag(name: .customLong("dry-run"), help: "Check the request and print the plan (bytes per link, the relay tree with agents, and an estimate with a price sheet); change nothing. The same as `version plan`.")
    var dryRun = false

    func run() async throws {
        let service = try global.backend()
        let ref = try version.ref(service)
        let request = try publish.request(ref.image, version: version.version)
        if dryRun { return try await VersionPlan.show(service, request, output: global.output) }
        let published = try await service.publish(request)
        if noWait { return try await ReplicationRun.show(service, published.ref, output: global.output) }
        try await ReplicationRun.follow(service, published.ref, requeueFailed: false, output: global.output)
    }
}

/// What a publish asks for, beside the version's address: the disk, the target regions and
/// the version's profile. Shared by `version publish` and `version plan`.
struct PublishOptions: ParsableArguments {
    @Option(help: "The disk image file (raw or VHD).") var disk: String
    @Option(name: .customLong("target-region"), help: "REGION[=COUNT[:STORAGE_TYPE]], repeatable; e.g. eastus=2, westeurope=1:Premium_LRS.")
    var targetRegions: [String] = []
    @Option(name: .customLong("replica-count"), help: "Replicas per region where a target region names no count (1…100).")
    var replicaCount: Int?
    @Flag(name: .customLong("exclude-from-latest"), help: "Never resolve 'latest' to this version.") var excludeFromLatest = false
    @Option(name: .customLong("end-of-life"), help: "End-of-life date, ISO 8601.") var endOfLife: String?
    @Option(name: .customLong("expected-deployments"), help: "REGION=N: replica count from N expected concurrent VM deployments (1 replica per 20 by default, $VMIB_DEPLOYMENTS_PER_REPLICA), bounded 1…100; repeatable.")
    var expectedDeployments: [String] = []
    @Flag(name: .customLong("allow-deletion-of-replicated-locations"), help: "safetyProfile: allow removing target regions later.")
    var allowDeletion = false
    @Flag(name: .customLong("block-deletion-before-end-of-life"), help: "safetyProfile: refuse deleting the version before its end of life.")
    var blockDeletion = false
    @Option(name: .customLong("replication-mode"), help: "Full (default: a verified copy in every target region) or Shallow (one replica in the home region, a reference to the origin copy: usable at once, no bytes copied; target region defaults to the home region).")
    var replicationMode: String?

    func request(_ image: ImageRef, version: String) throws -> PublishRequest {
        let mode = try replicationMode.map { try ReplicationMode(parsing: $0, field: .replicationMode) } ?? .Full
        return PublishRequest(
            image: image, version: version, disk: disk,
            targetRegions: try targetRegions.map(TargetRegionSyntax.parse), replicaCount: replicaCount,
            excludeFromLatest: excludeFromLatest, endOfLifeDate: endOfLife,
            expectedDeployments: try expectedDeployments.map(ExpectedDeploymentsSyntax.parse),
            safetyProfile: SafetyProfile(allowDeletionOfReplicatedLocations: allowDeletion, blockDeletionBeforeEndOfLife: blockDeletion),
            replicationMode: mode)
    }
}

/// `REGION[=COUNT[:STORAGE_TYPE]]`.
enum TargetRegionSyntax {
    static func parse(_ text: String) throws -> TargetRegionRequest {
        let form = "expected REGION[=COUNT[:STORAGE_TYPE]], e.g. eastus=2 or westeurope=1:Premium_LRS"
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let name = parts.first, !name.isEmpty else { throw DomainError.invalid(.targetRegions, "'\(text)': \(form)") }
        guard parts.count == 2 else { return TargetRegionRequest(name: name) }
        let rest = parts[1].split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let count = Int(rest[0]) else {
            throw DomainError.invalid(.targetRegions, "'\(text)': replica count '\(rest[0])' is not an integer (allowed: 1…100); \(form)")
        }
        return TargetRegionRequest(name: name, regionalReplicaCount: count, storageAccountType: rest.count == 2 ? rest[1] : nil)
    }
}

/// `REGION=N`.
enum ExpectedDeploymentsSyntax {
    static func parse(_ text: String) throws -> (region: String, deployments: Int) {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, let n = Int(parts[1]) else {
            throw DomainError.invalid(.expectedDeployments, "'\(text)': expected REGION=N with N a positive integer, e.g. eastus=400")
        }
        return (parts[0], n)
    }
}
