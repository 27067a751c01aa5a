import ArgumentParser
import VMIBService

struct GalleryDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete an empty gallery.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var gallery: GalleryNameOptions

    func run() async throws {
        let service = try global.backend()
        let ref = try service.galleryRef(resourceGroup: gallery.resourceGroup.value, name: gallery.name)
        try await service.deleteGallery(ref)
        if global.output == .json { return try JSONOutput.print(["deleted": ref.id]) }
        Terminal.out("deleted gallery \(ref.gallery)")
    }
}
