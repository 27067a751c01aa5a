import Foundation
import VMIBCore
import VMIBService

/// Azure-shaped JSON for templates: the body as accepted, plus id, name, provisioningState
/// and lastRunStatus.
enum TemplateView {
    static func json(_ d: TemplateDetails) -> JSONValue { TemplateJSON.resource(d) }

    static func runStatus(_ r: TemplateRun) -> JSONValue { TemplateJSON.runStatus(r) }

    static func iso(_ d: Date) -> String { TemplateJSON.iso(d) }

    static func print(_ d: TemplateDetails) throws { try printJSON(json(d)) }

    static func printJSON(_ v: JSONValue) throws {
        let object = try JSONSerialization.jsonObject(with: Data(v.text.utf8))
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        Terminal.out(String(decoding: data, as: UTF8.self))
    }

    static func statusLine(_ r: TemplateRun) -> String {
        "\(r.state.rawValue)\(r.subState.map { "/\($0.rawValue)" } ?? ""): \(r.message)"
    }
}
