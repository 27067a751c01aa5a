import ArgumentParser
import Foundation
import VMIBCLI

/// `vmib`: the command-line tool, with `serve` and `agent` (the only commands that link an HTTP server).
struct VMIBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: VMIBCommands.name, abstract: VMIBCommands.abstract, discussion: VMIBCommands.discussion,
        subcommands: VMIBCommands.subcommands + [ServeCommand.self, AgentCommand.self])
}

exit(await VMIBMain.run(VMIBCommand.self, Array(CommandLine.arguments.dropFirst())))
