import ArgumentParser
import VMIBService
import VMIBWire

struct ImageShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an image definition.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var parent: GalleryParentOptions
    @Option(help: "Image definition name.") var name: String

    func run() async throws {
        let service = try global.backend()
        let image = try await service.image(try parent.ref(service).image(name))
        if global.output == .json { return try JSONOutput.print(ImageResource(image, for: .cli)) }
        let versions = try await service.versions(of: image.ref)
        Terminal.out("""
            image \(image.ref.image)
            id: \(image.ref.id)
            osType: \(image.osType.rawValue)  osState: \(image.osState.rawValue)  hyperVGeneration: \(image.hyperVGeneration.rawValue)
            identifier: \(image.identifier.publisher)/\(image.identifier.offer)/\(image.identifier.sku)
            versions: \(versions.map(\.ref.version.description).joined(separator: ", "))
            """)
    }
}
