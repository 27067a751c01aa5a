import ArgumentParser
import Foundation
import VMIBCore
import VMIBService

struct ImageHistory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "List an image's rollbacks and undos.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var image: ImageParentOptions

    func run() async throws {
        let service = try global.backend()
        let entries = try await service.rollbackHistory(try image.ref(service))
        if global.output == .json { return try JSONOutput.print(entries) }
        var t = Table("ID", "KIND", "WHEN", "WHO", "FROM", "TO", "REGION", "FLAGS CHANGED", "UNDONE BY")
        for e in entries {
            t.add("\(e.id)", e.kind.rawValue, ISO8601.format(e.at), e.principal, e.from?.description ?? "-",
                  e.to.description, e.region ?? "all",
                  e.changes.map { "\($0.version)\($0.region.map { "@\($0)" } ?? ""):\($0.from)->\($0.to)" }.joined(separator: " "),
                  e.undoneBy.map { "#\($0)" } ?? "")
        }
        Terminal.out(t.rendered)
    }
}
