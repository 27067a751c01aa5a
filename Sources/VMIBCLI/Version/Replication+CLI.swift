import VMIBCore
import VMIBService

/// Runs the controller on a version with live progress, prints the outcome and fails the
/// command (exit 1) when a region failed, naming each failed region and its cause.
enum ReplicationRun {
    static func run(_ service: VMIBService, _ ref: VersionRef, requeueFailed: Bool, output: OutputFormat) async throws {
        if try service.details(ref).version.provisioningState == .Deleting {
            // An interrupted delete: finish it.
            try await service.purge(ref)
            return Terminal.out("finished deleting version \(ref.version)")
        }
        let progress = LiveProgress()
        let outcome = try await progress.watch(service, ref) {
            try await service.reconcile(ref, requeueFailed: requeueFailed, observer: progress)
        }
        try report(service, ref, output: output)
        if outcome.state == .Failed {
            let failed = outcome.status.summary.filter { $0.state == .Failed }
            throw CLIFailure(message: "version \(ref.version) failed in \(failed.count) region\(failed.count == 1 ? "" : "s"): "
                             + failed.map { "\($0.region) (\($0.details))" }.joined(separator: "; "), exitCode: 1)
        }
    }

    /// Embedded: runs the controller; against a server: polls the version until its desired
    /// state is reached (the server's controller does the work). Same output, same exit codes.
    static func follow(_ backend: any VMIBBackend, _ ref: VersionRef, requeueFailed: Bool, output: OutputFormat) async throws {
        if let service = backend as? VMIBService {
            return try await run(service, ref, requeueFailed: requeueFailed, output: output)
        }
        guard let remote = backend as? RemoteBackend else { return }
        if requeueFailed {
            if try await remote.details(ref).version.provisioningState == .Deleting {
                // An interrupted delete: the server's controller finishes it.
                try await remote.waitUntilGone(ref)
                return Terminal.out("finished deleting version \(ref.version)")
            }
            try await remote.requeueFailed(ref)
        }
        let done = try await remote.waitForReplication(ref)
        try await show(backend, ref, output: output)
        if done.version.provisioningState == .Failed {
            let failed = done.status.summary.filter { $0.state == .Failed }
            throw CLIFailure(message: "version \(ref.version) failed in \(failed.count) region\(failed.count == 1 ? "" : "s"): "
                             + failed.map { "\($0.region) (\($0.details))" }.joined(separator: "; "), exitCode: 1)
        }
    }

    static func show(_ backend: any VMIBBackend, _ ref: VersionRef, output: OutputFormat) async throws {
        if let service = backend as? VMIBService { return try report(service, ref, output: output) }
        let details = try await backend.details(ref)
        if output == .json { return try JSONOutput.print(VersionView(details.version, details: details)) }
        Terminal.out("version \(ref.version) of \(ref.image.gallery.gallery)/\(ref.image.image): provisioningState \(details.version.provisioningState.rawValue)")
        Terminal.out(StatusTable.render(details.status))
    }

    static func report(_ service: VMIBService, _ ref: VersionRef, output: OutputFormat) throws {
        let details = try service.details(ref)
        if output == .json { return try JSONOutput.print(VersionView(details.version, details: details)) }
        Terminal.out("version \(ref.version) of \(ref.image.gallery.gallery)/\(ref.image.image): provisioningState \(details.version.provisioningState.rawValue)")
        Terminal.out(StatusTable.render(details.status))
    }
}
