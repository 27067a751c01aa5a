import VMIBCore
import VMIBWire
import VMIBService

/// Follows a version's replication with live progress, prints the outcome and fails the
/// command (exit 1) when a region failed, naming each failed region and its cause. Embedded,
/// the controller runs here; against a server, its controller does the work. Same output,
/// same exit codes.
enum ReplicationRun {
    static func follow(_ backend: any VMIBBackend, _ ref: VersionRef, requeueFailed: Bool, output: OutputFormat) async throws {
        try await report(try await backend.replicate(ref, requeueFailed: requeueFailed, progress: LiveProgress()), backend, ref, output: output)
    }

    /// Prints how replication ended; exit 1 when a region failed.
    static func report(_ end: ReplicationEnd, _ backend: any VMIBBackend, _ ref: VersionRef, output: OutputFormat) async throws {
        guard case .settled(let done) = end else { return Terminal.out("finished deleting version \(ref.version)") }
        try await show(backend, ref, output: output)
        if done.version.provisioningState == .Failed {
            let failed = done.status.summary.filter { $0.state == .Failed }
            throw CLIFailure(message: "version \(ref.version) failed in \(failed.count) region\(failed.count == 1 ? "" : "s"): "
                             + failed.map { "\($0.region) (\($0.details))" }.joined(separator: "; "), exitCode: 1)
        }
    }

    static func show(_ backend: any VMIBBackend, _ ref: VersionRef, output: OutputFormat) async throws {
        let details = try await backend.details(ref)
        if output == .json { return try JSONOutput.print(VersionResource(details.version, for: .cli, details: details)) }
        Terminal.out("version \(ref.version) of \(ref.image.gallery.gallery)/\(ref.image.image): provisioningState \(details.version.provisioningState.rawValue)")
        Terminal.out(StatusTable.render(details.status))
    }
}
