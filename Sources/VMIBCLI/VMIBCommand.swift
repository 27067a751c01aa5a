import ArgumentParser

/// `vmib`'s command tree: the root command (in the `vmib` executable, which adds `serve`,
/// so that this library does not link the HTTP server) takes these as its subcommands.
/// Embedded by default: the commands work on the state directory of this machine and run
/// the replication themselves.
public enum VMIBCommands {
    public static let name = "vmib"
    public static let abstract = "Build VM images and replicate gallery image versions across regions."
    public static let discussion = """
        Exit codes: 0 success, 1 the operation ran and failed (e.g. a region failed), \
        2 bad input or refusal (nothing was changed).
        """
    /// Every command but `serve`.
    public static let subcommands: [any ParsableCommand.Type] = [
        RegionsCommand.self, GalleryCommand.self, ImageCommand.self, VersionCommand.self, TemplateCommand.self, BuildVMCommand.self, UsageCommand.self,
    ]
}

/// Runs a `vmib` root command with these arguments and returns the process exit code.
public enum VMIBMain {
    public static func run(_ root: any ParsableCommand.Type, _ arguments: [String]) async -> Int32 {
        let command: any ParsableCommand
        do {
            command = try root.parseAsRoot(arguments)
        } catch {
            let code = root.exitCode(for: error)
            if code == .success {
                print(root.fullMessage(for: error))
                return 0
            }
            Terminal.error(root.message(for: error).components(separatedBy: "\n").first ?? "\(error)")
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
            let failure = CLIFailure(error, command: type(of: command) as? any ParsableCommandNaming.Type)
            if !failure.isOurs {
                // Errors of the argument parser itself: help for a command group, validation.
                let code = root.exitCode(for: error)
                if code == .success {
                    print(root.fullMessage(for: error))
                    return 0
                }
                if code == .validationFailure {
                    Terminal.error(root.message(for: error))
                    return 2
                }
            }
            Terminal.error(failure.message)
            return failure.exitCode
        }
    }
}
