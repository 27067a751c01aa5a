import ArgumentParser

/// `vmib`: the command-line tool. Embedded by default: it works on the state directory of
/// this machine and runs the replication itself.
public struct VMIBCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "vmib",
        abstract: "Build VM images and replicate gallery image versions across regions.",
        discussion: """
            Exit codes: 0 success, 1 the operation ran and failed (e.g. a region failed), \
            2 bad input or refusal (nothing was changed).
            """,
        subcommands: [RegionsCommand.self, GalleryCommand.self, ImageCommand.self, VersionCommand.self, TemplateCommand.self, ServeCommand.self,
                      BuildVMCommand.self])

    public init() {}
}

/// Runs `vmib` with these arguments and returns the process exit code.
public enum VMIBMain {
    public static func run(_ arguments: [String]) async -> Int32 {
        let command: any ParsableCommand
        do {
            command = try VMIBCommand.parseAsRoot(arguments)
        } catch {
            let code = VMIBCommand.exitCode(for: error)
            if code == .success {
                print(VMIBCommand.fullMessage(for: error))
                return 0
            }
            Terminal.error(VMIBCommand.message(for: error).components(separatedBy: "\n").first ?? "\(error)")
            return 2
        }
        do {
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                var sync = command
                try sync.run()
            }
            return 0
        } catch let exit as ExitCode {
            return exit.rawValue
        } catch {
            let failure = CLIFailure(error)
            if !failure.isOurs {
                // Errors of the argument parser itself: help for a command group, validation.
                let code = VMIBCommand.exitCode(for: error)
                if code == .success {
                    print(VMIBCommand.fullMessage(for: error))
                    return 0
                }
                if code == .validationFailure {
                    Terminal.error(VMIBCommand.message(for: error))
                    return 2
                }
            }
            Terminal.error(failure.message)
            return failure.exitCode
        }
    }
}
