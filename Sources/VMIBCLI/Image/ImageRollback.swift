import ArgumentParser
import Foundation
import VMIBService

struct ImageRollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback", abstract: "Make an earlier version latest again (recorded; --undo reverts the last one).",
        discussion: "Excludes every newer version from latest, version-wide or in --region only, in one transaction.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var image: ImageParentOptions
    @Option(help: "The version to make latest (default: the one before the current latest).") var to: String?
    @Option(help: "Roll back in this region only.") var region: String?
    @Flag(help: "Restore the flags the last rollback changed.") var undo = false

    func validate() throws {
        if undo && (to != nil || region != nil) {
            throw ValidationError("--undo takes neither --to nor --region: it reverts the last rollback as recorded")
        }
    }

    func run() async throws {
        let service = try global.backend()
        let ref = try image.ref(service)
        let principal = Principal.current
        let entry = try await service.rollbackImage(ref, to: to, region: region, undo: undo, principal: principal)
        if global.output == .json { return try JSONOutput.print(entry) }
        let scope = entry.region.map { " in \($0)" } ?? ""
        Terminal.out("\(entry.kind == .undo ? "undid rollback" : "rolled back")\(scope): latest is now \(entry.to) (was \(entry.from?.description ?? "none")); "
                     + "\(entry.changes.count) flag\(entry.changes.count == 1 ? "" : "s") changed (entry #\(entry.id))")
    }
}
