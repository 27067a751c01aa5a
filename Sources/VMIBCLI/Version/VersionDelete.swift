import ArgumentParser
import VMIBService

struct VersionDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a version: its replicas in every region, then the record.",
        discussion: "An interrupted delete finishes when run again. Refused before the end of life when safetyProfile.blockDeletionBeforeEndOfLife is set, and while the version is the target of the latest rollback unless --force.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var version: VersionOptions
    @Flag(help: "Delete even if the version is the target of the latest rollback.") var force = false
    @Option(name: .customLong("if-match"), help: "Delete only if the version is still at this generation (the ETag `version show` prints).")
    var ifMatch: Int64?

    func run() async throws {
        let backend = try global.backend()
        let ref = try version.ref(backend)
        try await backend.deleteVersion(ref, force: force, ifMatch: ifMatch)
        if global.output == .json { return try JSONOutput.print(["deleted": ref.id]) }
        Terminal.out("deleted version \(ref.version) of \(ref.image.gallery.gallery)/\(ref.image.image) and its replicas in every region")
    }
}
