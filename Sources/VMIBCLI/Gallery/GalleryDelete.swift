import ArgumentParser
import VMIBService

struct GalleryDelete: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete an empty gallery.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var gallery: GalleryNameOptions

    func run() throws {
        let service = try global.service()
        let ref = try service.galleryRef(resourceGroup: gallery.resourceGroup.value, name: gallery.name, field: "--name")
        try service.deleteGallery(ref)
        if global.output == .json { return try JSONOutput.print(["deleted": ref.id]) }
        Terminal.out("deleted gallery \(ref.gallery)")
    }
}
