import ArgumentParser
import VMIBService

struct TemplateDelete: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a template, its runs, run outputs and staging areas.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var template: TemplateOptions

    func run() throws {
        let service = try global.service()
        let key = try template.key(service)
        try service.deleteTemplate(key)
        Terminal.out("deleted image template \(key.name) and its staging areas")
    }
}
