import ArgumentParser
import VMIBService
import VMIBWire

struct ImageResolve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve", abstract: "Resolve a version for a deployment: a number or 'latest'.",
        discussion: "A Deprecated version resolves with a warning; an Obsolete one is refused (exit 2).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var image: ImageParentOptions
    @Option(name: .customLong("version"), help: "Major.Minor.Patch or latest.") var version: String = "latest"
    @Option(help: "Region of the deployment.") var region: String?

    func run() async throws {
        let service = try global.backend()
        let r = try await service.resolveVersion(try image.ref(service), version: version, region: region)
        if let warning = r.warning { Terminal.warning(warning) }
        if global.output == .json { return try JSONOutput.print(VersionResource(r.version, for: .cli)) }
        Terminal.out(r.version.ref.id)
    }
}
