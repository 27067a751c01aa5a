import ArgumentParser
import VMIBService

struct TemplateShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a template and its lastRunStatus.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var template: TemplateOptions

    func run() async throws {
        let service = try global.backend()
        let d = try await service.templateDetails(try template.key(service))
        if global.output == .json { return try TemplateView.print(d) }
        let t = d.template
        Terminal.out("""
            image template \(d.record.key.name)
            id: \(d.record.key.id)
            location: \(t.location)  buildTimeoutInMinutes: \(t.buildTimeoutInMinutes)  onCustomizerError: \(t.errorHandling.onCustomizerError.rawValue)
            source: \(t.source.typeName)
            customize: \(t.customize.map { "\($0.typeName) '\($0.name)'" }.joined(separator: ", "))
            distribute: \(t.distribute.map { "\($0.typeName) '\($0.runOutputName)'" }.joined(separator: ", "))
            """)
        if let r = d.lastRun {
            Terminal.out("""
                lastRunStatus: \(TemplateView.statusLine(r))
                  startTime: \(TemplateView.iso(r.startTime))  endTime: \(r.endTime.map(TemplateView.iso) ?? "-")
                  staging: \(r.staging)
                """)
        } else {
            Terminal.out("lastRunStatus: never run")
        }
    }
}
