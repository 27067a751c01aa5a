import ArgumentParser
import VMIBCore
import VMIBService

struct TemplateList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List image templates.")
    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("resource-group"), help: "Only this resource group.") var resourceGroup: String?

    func run() async throws {
        let service = try global.backend()
        let all = try await service.templates(resourceGroup: resourceGroup)
        if global.output == .json { return try TemplateView.printJSON(.object([("value", .array(all.map(TemplateView.json)))])) }
        var table = Table("RESOURCE GROUP", "NAME", "LOCATION", "SOURCE", "LAST RUN")
        for d in all {
            table.add(d.record.key.resourceGroup, d.record.key.name, d.template.location, d.template.source.typeName,
                      d.lastRun.map { $0.state.rawValue } ?? "-")
        }
        Terminal.out(table.rendered)
    }
}
