import ArgumentParser
import VMIBService

struct VersionReconcile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile", abstract: "Retry failed regions and close any gap between desired and actual replicas.",
        discussion: "Verified replicas are never copied again. Exits 1 if a region still fails.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var version: VersionOptions

    func run() async throws {
        let service = try global.service()
        let ref = try version.ref(service)
        try await ReplicationRun.run(service, ref, requeueFailed: true, output: global.output)
    }
}
