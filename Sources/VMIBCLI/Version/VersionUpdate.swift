import ArgumentParser
import VMIBCore
import VMIBService

struct VersionUpdate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "Change a version's target regions, replica counts and flags in place.",
        discussion: """
            Every change is desired state: the controller copies to added regions, server-side copies \
            for higher counts, deletes surplus replicas and removed regions. Verified replicas that are \
            still wanted are never copied again. Without --no-wait, reconciles now with live progress.
            """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var version: VersionOptions
    @Option(name: .customLong("target-region"), help: "Add a region or change one: REGION[=COUNT[:STORAGE_TYPE]]; repeatable.")
    var targetRegions: [String] = []
    @Option(name: .customLong("remove-region"), help: "Remove a target region (its replicas are deleted; needs allowDeletionOfReplicatedLocations).")
    var removeRegions: [String] = []
    @Option(name: .customLong("expected-deployments"), help: "REGION=N: set the region's replica count from N expected concurrent deployments.")
    var expectedDeployments: [String] = []
    @Option(name: .customLong("exclude-from-latest"), help: "true or false, version-wide.") var excludeFromLatest: Bool?
    @Option(name: .customLong("exclude-region-from-latest"), help: "Exclude from latest in one region; repeatable.")
    var excludeRegions: [String] = []
    @Option(name: .customLong("include-region-in-latest"), help: "Undo a region's exclusion; repeatable.")
    var includeRegions: [String] = []
    @Option(name: .customLong("end-of-life"), help: "End-of-life date (ISO 8601), or 'none'.") var endOfLife: String?
    @Option(name: .customLong("allow-deletion-of-replicated-locations"), help: "true or false.") var allowDeletion: Bool?
    @Option(name: .customLong("block-deletion-before-end-of-life"), help: "true or false.") var blockDeletion: Bool?
    @Flag(name: .customLong("no-wait"), help: "Record the change and return.") var noWait = false
    @Option(name: .customLong("if-match"), help: "Apply only if the version is still at this generation (the ETag `version show` prints); exit 2 otherwise.")
    var ifMatch: Int64?

    func run() async throws {
        let service = try global.backend()
        var request = UpdateRequest(ref: try version.ref(service))
        request.setRegions = try targetRegions.map(TargetRegionSyntax.parse)
        request.removeRegions = removeRegions
        request.expectedDeployments = try expectedDeployments.map(ExpectedDeploymentsSyntax.parse)
        request.excludeFromLatest = excludeFromLatest
        request.excludeRegionsFromLatest = excludeRegions
        request.includeRegionsInLatest = includeRegions
        request.endOfLifeDate = endOfLife
        request.allowDeletionOfReplicatedLocations = allowDeletion
        request.blockDeletionBeforeEndOfLife = blockDeletion
        request.ifMatch = ifMatch
        let updated = try await service.update(request)
        if noWait || updated.provisioningState != .Updating {
            return try await ReplicationRun.show(service, updated.ref, output: global.output)
        }
        try await ReplicationRun.follow(service, updated.ref, requeueFailed: false, output: global.output)
    }
}
