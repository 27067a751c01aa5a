import ArgumentParser
import Foundation
import VMIBCore
import VMIBService

struct TemplateUpdate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "Change a template's tags, identity, distribution or vmProfile (Azure's template update).",
        discussion: """
            --file holds Azure's ImageTemplateUpdateParameters: {"tags": {…}, "identity": {…}, \
            "properties": {"distribute": […], "vmProfile": {…}}}. The members given replace the stored ones; \
            the result is validated like a new template. Refused while a run is active.
            """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var template: TemplateOptions
    @Option(help: "The update (JSON).") var file: String

    func run() async throws {
        let backend = try global.backend()
        let key = try template.key(backend)
        guard let data = FileManager.default.contents(atPath: file) else { throw DomainError.invalid(.templateDocument, "cannot read '\(file)'") }
        let patch: JSONValue
        do { patch = try JSONParser.parse(String(decoding: data, as: UTF8.self)) } catch {
            throw DomainError.invalid(.templateDocument, "'\(file)' is not JSON: \(error)")
        }
        guard patch.objectValue != nil else { throw DomainError.invalid(.templateDocument, "'\(file)' must hold a JSON object") }
        let d = try await backend.updateTemplate(key, patch: patch)
        if global.output == .json { return try TemplateView.print(d) }
        Terminal.out("updated image template \(key.name)")
        Terminal.out("distribute: \(d.template.distribute.map { "\($0.typeName) '\($0.runOutputName)'" }.joined(separator: ", "))")
    }
}
