import ArgumentParser
import VMIBService
import VMIBWire

struct ImageList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List a gallery's image definitions.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var parent: GalleryParentOptions

    func run() async throws {
        let service = try global.backend()
        let images = try await service.images(in: try parent.ref(service))
        if global.output == .json { return try JSONOutput.print(images.map { ImageResource($0, for: .cli) }) }
        var t = Table("NAME", "OS", "STATE", "GEN", "PUBLISHER", "OFFER", "SKU")
        for i in images {
            t.add(i.ref.image, i.osType.rawValue, i.osState.rawValue, i.hyperVGeneration.rawValue,
                  i.identifier.publisher, i.identifier.offer, i.identifier.sku)
        }
        Terminal.out(t.rendered)
    }
}
