import ArgumentParser
import VMIBCore
import VMIBService

struct ImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image", abstract: "Image definitions: named image lines in a gallery.",
        subcommands: [ImageCreate.self, ImageList.self, ImageShow.self, ImageDelete.self, ImageLatest.self, ImageResolve.self,
                      ImageRollback.self, ImageHistory.self])
}

/// `--resource-group` and `--gallery`: the parent of an image definition.
struct GalleryParentOptions: ParsableArguments {
    @OptionGroup var resourceGroup: ResourceGroupOption
    @Option(name: .customLong("gallery"), help: "Gallery name.") var gallery: String

    func ref(_ service: any VMIBBackend) throws -> GalleryRef {
        try service.galleryRef(resourceGroup: resourceGroup.value, name: gallery)
    }
}
