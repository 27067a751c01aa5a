import Foundation
import VMIBCore
import VMIBService

/// Azure-shaped JSON for templates: the body as accepted, plus id, name, provisioningState
/// and lastRunStatus.
enum TemplateView {
    static func json(_ d: TemplateDetails) -> JSONValue {
        var members = d.template.body.objectValue ?? []
        members.removeAll { ["id", "name", "type"].contains($0.key) }
        var props = members.first { $0.key == "properties" }?.value.objectValue ?? []
        props.removeAll { ["provisioningState", "lastRunStatus", "exactStagingResourceGroup", "provisioningError"].contains($0.key) }
        props.append(("provisioningState", .string("Succeeded")))
        if let r = d.lastRun {
            props.append(("lastRunStatus", runStatus(r)))
            props.append(("exactStagingResourceGroup", .string((r.staging as NSString).lastPathComponent)))
        }
        members.removeAll { $0.key == "properties" }
        return .object([("id", .string(d.record.key.id)), ("name", .string(d.record.key.name)),
                        ("type", .string(ImageTemplate.resourceType))] + members + [("properties", .object(props))])
    }

    static func runStatus(_ r: TemplateRun) -> JSONValue {
        var m: [(key: String, value: JSONValue)] = [("startTime", .string(iso(r.startTime)))]
        if let e = r.endTime { m.append(("endTime", .string(iso(e)))) }
        m.append(("runState", .string(r.state.rawValue)))
        if let s = r.subState { m.append(("runSubState", .string(s.rawValue))) }
        m.append(("message", .string(r.message)))
        m.append(("runId", .string(r.id)))
        m.append(("stagingArea", .string(r.staging)))
        return .object(m)
    }

    static func iso(_ d: Date) -> String { ISO8601DateFormatter().string(from: d) }

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
