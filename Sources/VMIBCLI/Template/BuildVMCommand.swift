import ArgumentParser
import Foundation
import VMIBBuild

/// Drives one build VM for a run (started by the run, not by people): libguestfs lives in
/// this process, never in a server's.
struct BuildVMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "build-vm", abstract: "Drive a run's build VM.", shouldDisplay: false)
    @Option(name: .customLong("work")) var work: String

    func run() async throws {
        let status = await BuildVMWork.runChild(workFile: work)
        if status != 0 { throw ExitCode(status) }
    }
}
