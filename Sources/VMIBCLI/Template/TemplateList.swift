import ArgumentParser
import VMIBCore
import VMIBService

struct TemplateList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List image templates.")
    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("resource-group"), help: "Only this resource group.") var resourceGroup: String?

    func run() throws {
        let service = try global.service()
        let all = try service.templates(resourceGroup: resourceGroup)
        if global.output == .json { return try TemplateView.printJSON(.object([("value", .array(all.map(TemplateView.json)))])) }
        var table = Table("RESOURCE GROUP", "NAME", "LOCATION", "SOURCE", "LAST RUN")
        for d in all {
            table.add(d.record.key.resourceGroup, d.record.key.name, d.template.location, d.template.source.typeName,
                      d.lastRun.map { $0.state.rawValue } ?? "-")
        }
        Terminal.out(table.rendered)
    }
}
