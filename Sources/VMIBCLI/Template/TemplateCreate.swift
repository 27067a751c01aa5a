import ArgumentParser
import Foundation
import VMIBCore
import VMIBService

struct TemplateCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create an image template from an Azure imageTemplate body or an ARM deployment template.",
        discussion: "Templates are immutable: creating again with the same body changes nothing; a different body is refused.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var template: TemplateOptions
    @Option(help: "The template file (JSON).") var file: String
    @Option(name: .customLong("parameter"), help: "name=value for a deployment template's parameter; repeatable.")
    var parameters: [String] = []

    func run() async throws {
        let service = try global.backend()
        let key = try template.key(service)
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw DomainError.invalid(.templateDocument, "cannot read '\(file)'")
        }
        var values: [String: String] = [:]
        for p in parameters {
            guard let eq = p.firstIndex(of: "="), eq != p.startIndex else {
                throw DomainError.invalid(.templateParameter, "'\(p)': expected name=value")
            }
            values[String(p[..<eq])] = String(p[p.index(after: eq)...])
        }
        var result = try await service.createTemplate(CreateTemplateRequest(key: key, document: text, parameters: values))
        for w in result.warnings { Terminal.warning(w) }
        // autoRun Enabled: a new template runs at once (a server has started it already).
        if result.created && result.details.template.autoRun && result.details.lastRun == nil {
            let run = try await service.runTemplate(key, wait: false)
            result.details = try await service.templateDetails(key)
            if global.output != .json { Terminal.out("autoRun: run \(run.id) started") }
        }
        if global.output == .json { return try TemplateView.print(result.details) }
        Terminal.out(result.created ? "created image template \(key.name)" : "image template \(key.name) exists with this body: unchanged")
        Terminal.out("id: \(key.id)")
    }
}
