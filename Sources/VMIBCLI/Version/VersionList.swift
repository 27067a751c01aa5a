import ArgumentParser
import Foundation
import VMIBCore
import VMIBWire
import VMIBService

struct VersionList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List an image's versions, highest first.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var image: ImageParentOptions

    func run() async throws {
        let service = try global.backend()
        let versions = try await service.versions(of: try image.ref(service))
        if global.output == .json { return try JSONOutput.print(versions.map { VersionResource($0, for: .cli) }) }
        var t = Table("VERSION", "STATE", "PROVISIONING", "REGIONS", "REPLICAS", "EXCLUDED", "END OF LIFE", "SIZE")
        for v in versions {
            let p = v.publishingProfile
            let excludedIn = p.targetRegions.filter(\.excludeFromLatest).map(\.name)
            t.add(v.ref.version.description,
                  v.lifecycle.state.rawValue + (v.lifecycle.replacement.map { " (use \($0))" } ?? ""),
                  v.provisioningState.rawValue, "\(p.targetRegions.count)",
                  "\(p.targetRegions.reduce(0) { $0 + $1.regionalReplicaCount })",
                  p.excludeFromLatest ? "yes" : (excludedIn.isEmpty ? "no" : "in " + excludedIn.joined(separator: ",")),
                  p.endOfLifeDate.map(ISO8601.format) ?? "-",
                  "\(v.storageProfile.sizeBytes)")
        }
        Terminal.out(t.rendered)
    }
}
