import ArgumentParser
import VMIBCore
import VMIBService

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version", abstract: "Image versions: published builds, replicated to target regions.",
        subcommands: [VersionPublish.self, VersionPlan.self, VersionUpdate.self, VersionShow.self, VersionList.self, VersionWait.self,
                      VersionReconcile.self, VersionVerify.self, VersionDelete.self, VersionDeprecate.self])
}

/// `--resource-group`, `--gallery`, `--image`: the parent of a version.
struct ImageParentOptions: ParsableArguments {
    @OptionGroup var gallery: GalleryParentOptions
    @Option(name: .customLong("image"), help: "Image definition name.") var image: String

    func ref(_ service: any VMIBBackend) throws -> ImageRef { try gallery.ref(service).image(image) }
}

/// A version's full address on the command line.
struct VersionOptions: ParsableArguments {
    @OptionGroup var image: ImageParentOptions
    @Option(name: .customLong("version"), help: "Version, Major.Minor.Patch.") var version: String

    func ref(_ service: any VMIBBackend) throws -> VersionRef {
        try image.ref(service).version(try VersionNumber(parsing: version, field: .version))
    }
}
