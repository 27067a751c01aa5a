import ArgumentParser
import VMIBService
import VMIBWire

struct ImageLatest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latest",
        abstract: "The version 'latest' resolves to, in one region or in every target region.",
        discussion: "The highest version that is Active, not excluded from latest (version-wide or in the region), not past its end of life, and whose replicas in the region are all Completed.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var image: ImageParentOptions
    @Option(help: "Region (default: every target region of the version).") var region: String?

    func run() async throws {
        let service = try global.backend()
        let v = try await service.latestVersion(of: try image.ref(service), region: region)
        if global.output == .json { return try JSONOutput.print(VersionResource(v, for: .cli)) }
        Terminal.out(v.ref.version.description)
    }
}
