import ArgumentParser
import Foundation
import VMIBService

struct VersionShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a version; with --replication-status, per region.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var version: VersionOptions
    @Flag(name: .customLong("replication-status"), help: "Include replicationStatus (aggregatedState and per-region summary) and the replicas.")
    var replicationStatus = false

    func run() throws {
        let service = try global.service()
        let details = try service.details(try version.ref(service))
        let v = details.version
        if global.output == .json {
            return try JSONOutput.print(VersionView(v, details: replicationStatus ? details : nil))
        }
        Terminal.out("""
            version \(v.ref.version)
            id: \(v.ref.id)
            provisioningState: \(v.provisioningState.rawValue)
            size: \(v.storageProfile.sizeBytes) bytes  sha256: \(v.storageProfile.sha256)
            excludeFromLatest: \(v.publishingProfile.excludeFromLatest)  endOfLifeDate: \(v.publishingProfile.endOfLifeDate.map { ISO8601DateFormatter().string(from: $0) } ?? "none")
            targetRegions: \(v.publishingProfile.targetRegions.map { "\($0.name)=\($0.regionalReplicaCount):\($0.storageAccountType.rawValue)" }.joined(separator: " "))
            """)
        if replicationStatus { Terminal.out(StatusTable.render(details.status)) }
    }
}
