import ArgumentParser
import VMIBService

struct ImageDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete an image definition that has no versions.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var parent: GalleryParentOptions
    @Option(help: "Image definition name.") var name: String

    func run() async throws {
        let service = try global.backend()
        let ref = try parent.ref(service).image(name)
        try await service.deleteImage(ref)
        if global.output == .json { return try JSONOutput.print(["deleted": ref.id]) }
        Terminal.out("deleted image definition \(name)")
    }
}
