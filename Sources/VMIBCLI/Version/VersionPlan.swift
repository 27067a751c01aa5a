import ArgumentParser
import VMIBCore
import VMIBService

struct VersionPlan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "Show what publishing a version would move and store; change nothing.",
        discussion: "`version publish --dry-run` under its own name: the same checks, then the bytes per link, the relay tree when the topology has agents, and an estimate with a price sheet.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var version: VersionOptions
    @OptionGroup var publish: PublishOptions

    func run() async throws {
        let service = try global.backend()
        let ref = try version.ref(service)
        try await Self.show(service, try publish.request(ref.image, version: version.version), output: global.output)
    }

    /// Prints the plan of `request`: for people, or as JSON (a `TransferPlan`).
    static func show(_ service: any VMIBBackend, _ request: PublishRequest, output: OutputFormat) async throws {
        let plan = try await service.publishPlan(request)
        if output == .json { return try JSONOutput.print(plan) }
        let image = request.image
        Terminal.out((["plan for version \(request.version) of \(image.gallery.gallery)/\(image.image) (nothing recorded or copied)"]
                      + TransferPlanView.lines(plan)).joined(separator: "\n"))
    }
}
