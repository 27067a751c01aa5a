import ArgumentParser

struct GalleryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gallery", abstract: "Galleries: named collections of image definitions.",
        subcommands: [GalleryCreate.self, GalleryList.self, GalleryShow.self, GalleryDelete.self])
}

/// `--resource-group` and `--name` of a gallery.
struct GalleryNameOptions: ParsableArguments {
    @OptionGroup var resourceGroup: ResourceGroupOption
    @Option(name: .customLong("name"), help: "Gallery name.") var name: String
}
