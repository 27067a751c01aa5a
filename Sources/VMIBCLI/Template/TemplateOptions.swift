import ArgumentParser
import VMIBCore
import VMIBService

/// A template's name (`--name T` or a bare `T`) and resource group.
struct TemplateOptions: ParsableArguments {
    @OptionGroup var resourceGroup: ResourceGroupOption
    @Option(name: .customLong("name"), help: "The image template's name.") var nameOption: String?
    @Argument(help: "The image template's name (instead of --name).") var nameArgument: String?

    func key(_ service: any VMIBBackend) throws -> TemplateKey {
        guard let name = nameOption ?? nameArgument else {
            throw DomainError.invalid(.template, "the image template's name is required (--name T)")
        }
        return try service.templateKey(resourceGroup: resourceGroup.value, name: name)
    }
}
