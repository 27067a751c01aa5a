import ArgumentParser
import VMIBService

struct VersionList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List an image's versions, highest first.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var image: ImageParentOptions

    func run() throws {
        let service = try global.service()
        let versions = try service.versions(of: try image.ref(service))
        if global.output == .json { return try JSONOutput.print(versions.map { VersionView($0) }) }
        var t = Table("VERSION", "PROVISIONING", "REGIONS", "REPLICAS", "EXCLUDED", "SIZE")
        for v in versions {
            let p = v.publishingProfile
            t.add(v.ref.version.description, v.provisioningState.rawValue, "\(p.targetRegions.count)",
                  "\(p.targetRegions.reduce(0) { $0 + $1.regionalReplicaCount })", p.excludeFromLatest ? "yes" : "no",
                  "\(v.storageProfile.sizeBytes)")
        }
        Terminal.out(t.rendered)
    }
}
