import ArgumentParser
import VMIBCore
import VMIBWire
import VMIBService

struct ImageCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create an image definition.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var parent: GalleryParentOptions
    @Option(help: "Image definition name.") var name: String
    @Option(name: .customLong("os-type"), help: "Linux or Windows.") var osType: String
    @Option(name: .customLong("os-state"), help: "Generalized or Specialized.") var osState: String
    @Option(name: .customLong("hyper-v-generation"), help: "V1 or V2.") var hyperVGeneration: String = "V2"
    @Option(help: "Identifier: publisher.") var publisher: String
    @Option(help: "Identifier: offer.") var offer: String
    @Option(help: "Identifier: SKU.") var sku: String
    @Option(help: "Description.") var description: String?

    func run() async throws {
        let service = try global.backend()
        let image = try await service.createImage(ImageRequest(
            ref: try parent.ref(service).image(name), osType: osType, osState: osState,
            hyperVGeneration: hyperVGeneration, publisher: publisher, offer: offer, sku: sku, description: description))
        if global.output == .json { return try JSONOutput.print(ImageResource(image, for: .cli)) }
        Terminal.out("created image definition \(image.ref.image) (\(image.ref.id))")
    }
}
