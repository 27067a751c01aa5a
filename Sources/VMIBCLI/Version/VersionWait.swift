import ArgumentParser
import VMIBService

struct VersionWait: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait", abstract: "Wait until a version is replicated everywhere (doing the work in embedded mode).",
        discussion: "Exits 0 when every region is Completed, 1 when a region failed.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var version: VersionOptions

    func run() async throws {
        let service = try global.backend()
        let ref = try version.ref(service)
        try await ReplicationRun.follow(service, ref, requeueFailed: false, output: global.output)
    }
}
