import ArgumentParser
import VMIBService

struct GalleryList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List galleries.")
    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("resource-group"), help: "Only this resource group (default: all).") var resourceGroup: String?

    func run() throws {
        let galleries = try global.service().galleries(resourceGroup: resourceGroup)
        if global.output == .json { return try JSONOutput.print(galleries.map(GalleryView.init)) }
        var t = Table("NAME", "RESOURCE GROUP", "DESCRIPTION")
        for g in galleries { t.add(g.ref.gallery, g.ref.resourceGroup, g.description ?? "") }
        Terminal.out(t.rendered)
    }
}
