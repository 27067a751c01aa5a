import ArgumentParser
import VMIBService

struct VersionReconcile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile", abstract: "Retry failed regions and close any gap between desired and actual replicas.",
        discussion: "Verified replicas are never copied again. Exits 1 if a region still fails.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var version: VersionOptions

    func run() async throws {
        let backend = try global.backend()
        try await ReplicationRun.follow(backend, try version.ref(backend), requeueFailed: true, output: global.output)
    }
}
