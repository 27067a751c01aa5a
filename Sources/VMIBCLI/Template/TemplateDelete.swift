import ArgumentParser
import VMIBService

struct TemplateDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a template, its runs, run outputs and staging areas.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var template: TemplateOptions

    func run() async throws {
        let service = try global.backend()
        let key = try template.key(service)
        try await service.deleteTemplate(key)
        Terminal.out("deleted image template \(key.name) and its staging areas")
    }
}
