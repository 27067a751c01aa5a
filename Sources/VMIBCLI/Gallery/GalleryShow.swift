import ArgumentParser
import VMIBService
import VMIBWire

struct GalleryShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a gallery and its image definitions.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var gallery: GalleryNameOptions

    func run() async throws {
        let service = try global.backend()
        let ref = try service.galleryRef(resourceGroup: gallery.resourceGroup.value, name: gallery.name)
        let g = try await service.gallery(ref)
        if global.output == .json { return try JSONOutput.print(GalleryResource(g, for: .cli)) }
        let images = try await service.images(in: ref)
        Terminal.out("gallery \(g.ref.gallery)\nid: \(g.ref.id)\ndescription: \(g.description ?? "")\nimages: \(images.map(\.ref.image).joined(separator: ", "))")
    }
}
