import ArgumentParser

struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template", abstract: "Image templates: source, customizations, distribution.",
        subcommands: [])
}
