import ArgumentParser
import Foundation
import VMIBCore
import VMIBWire
import VMIBService

struct VersionShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a version; with --replication-status, per region.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var version: VersionOptions
    @Flag(name: .customLong("replication-status"), help: "Include replicationStatus: aggregatedState and the per-region summary.")
    var replicationStatus = false
    @Flag(name: .customLong("replicas"), help: "Include every replica (region, index, state, bytes, attempts, retries, last error, verified digest).")
    var replicas = false

    func run() async throws {
        let service = try global.backend()
        let details = try await service.details(try version.ref(service))
        let v = details.version
        if global.output == .json {
            return try JSONOutput.print(VersionResource(v, for: .cli, details: replicationStatus || replicas ? details : nil,
                                                    includeReplicas: replicas))
        }
        Terminal.out("""
            version \(v.ref.version)
            id: \(v.ref.id)
            provisioningState: \(v.provisioningState.rawValue)
            size: \(v.storageProfile.sizeBytes) bytes  sha256: \(v.storageProfile.sha256)
            excludeFromLatest: \(v.publishingProfile.excludeFromLatest)  endOfLifeDate: \(v.publishingProfile.endOfLifeDate.map(ISO8601.format) ?? "none")
            lifecycle: \(v.lifecycle.state.rawValue)\(v.lifecycle.replacement.map { " (replacement \($0))" } ?? "")
            safetyProfile: allowDeletionOfReplicatedLocations=\(v.safetyProfile.allowDeletionOfReplicatedLocations) blockDeletionBeforeEndOfLife=\(v.safetyProfile.blockDeletionBeforeEndOfLife)
            targetRegions:
            """)
        var t = Table("  REGION", "REPLICAS", "STORAGE", "EXCLUDED", "COUNT CHOSEN FROM")
        for r in v.publishingProfile.targetRegions {
            t.add("  " + r.name, "\(r.regionalReplicaCount)", r.storageAccountType.rawValue, r.excludeFromLatest ? "yes" : "no", r.countBasis.description)
        }
        Terminal.out(t.rendered)
        if replicationStatus { Terminal.out(StatusTable.render(details.status)) }
        if replicas {
            var t = Table("REGION", "INDEX", "STATE", "BYTES", "ATTEMPTS", "RETRIES", "VERIFIED SHA-256", "LAST ERROR")
            for r in details.replicas {
                t.add(r.region, "\(r.index)", r.state.rawValue, "\(r.bytesDone)", "\(r.attempts)", "\(r.retries)",
                      r.verifiedDigest ?? "-", r.lastError ?? "")
            }
            Terminal.out(t.rendered)
        }
    }
}
