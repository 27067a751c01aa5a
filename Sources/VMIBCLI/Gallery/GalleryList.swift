import ArgumentParser
import VMIBService
import VMIBWire

struct GalleryList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List galleries.")
    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("resource-group"), help: "Only this resource group (default: all).") var resourceGroup: String?

    func run() async throws {
        let galleries = try await global.backend().galleries(resourceGroup: resourceGroup)
        if global.output == .json { return try JSONOutput.print(galleries.map { GalleryResource($0, for: .cli) }) }
        var t = Table("NAME", "RESOURCE GROUP", "DESCRIPTION")
        for g in galleries { t.add(g.ref.gallery, g.ref.resourceGroup, g.description ?? "") }
        Terminal.out(t.rendered)
    }
}
