import ArgumentParser
import VMIBService
import VMIBWire

struct GalleryCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a gallery.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var gallery: GalleryNameOptions
    @Option(help: "Description.") var description: String?

    func run() async throws {
        let service = try global.backend()
        let ref = try service.galleryRef(resourceGroup: gallery.resourceGroup.value, name: gallery.name)
        let g = try await service.createGallery(ref, description: description)
        if global.output == .json { return try JSONOutput.print(GalleryResource(g, for: .cli)) }
        Terminal.out("created gallery \(g.ref.gallery) (\(g.ref.id))")
    }
}
