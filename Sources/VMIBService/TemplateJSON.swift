import Foundation
import VMIBCore

/// Azure-shaped JSON of templates, run statuses and run outputs: one rendering for the CLI
/// (`template show --output json`) and the HTTP API (GET imageTemplates/T), so that a client
/// of either sees the same document.
public enum TemplateJSON {
    /// The body as accepted, plus id, name, type, provisioningState and lastRunStatus.
    public static func resource(_ d: TemplateDetails) -> JSONValue {
        var members = d.template.body.objectValue ?? []
        members.removeAll { ["id", "name", "type"].contains($0.key) }
        var props = members.first { $0.key == "properties" }?.value.objectValue ?? []
        props.removeAll { ["provisioningState", "lastRunStatus", "exactStagingResourceGroup", "provisioningError"].contains($0.key) }
        props.append(("provisioningState", .string("Succeeded")))
        if let r = d.lastRun {
            props.append(("lastRunStatus", runStatus(r)))
            props.append(("exactStagingResourceGroup", .string((r.staging as NSString).lastPathComponent)))
        }
        members.removeAll { $0.key == "properties" || $0.key == "systemData" }
        return .object([("id", .string(d.record.key.id)), ("name", .string(d.record.key.name)),
                        ("type", .string(ImageTemplate.resourceType))] + members
                       + [("systemData", systemData(d.record)), ("properties", .object(props))])
    }

    /// Azure's systemData: who created the template and who last changed it, and when.
    static func systemData(_ r: TemplateRecord) -> JSONValue {
        var m: [(key: String, value: JSONValue)] = []
        if let by = r.createdBy { m += [("createdBy", .string(by)), ("createdByType", .string("User"))] }
        m.append(("createdAt", .string(iso(r.createdAt))))
        if let by = r.lastModifiedBy { m += [("lastModifiedBy", .string(by)), ("lastModifiedByType", .string("User"))] }
        if let at = r.lastModifiedAt { m.append(("lastModifiedAt", .string(iso(at)))) }
        return .object(m)
    }

    /// Azure's ImageTemplateLastRunStatus, plus vmib's runId, stagingArea and (for a run a
    /// trigger started) triggeredBy.
    public static func runStatus(_ r: TemplateRun) -> JSONValue {
        var m: [(key: String, value: JSONValue)] = [("startTime", .string(iso(r.startTime)))]
        if let e = r.endTime { m.append(("endTime", .string(iso(e)))) }
        m.append(("runState", .string(r.state.rawValue)))
        if let s = r.subState { m.append(("runSubState", .string(s.rawValue))) }
        m.append(("message", .string(r.message)))
        m.append(("runId", .string(r.id)))
        m.append(("stagingArea", .string(r.staging)))
        if let t = r.triggeredBy {
            m.append(("triggeredBy", .object([("trigger", .string(t.trigger)), ("sourceVersion", .string(t.sourceVersion))])))
        }
        return .object(m)
    }

    /// Azure's RunOutput resource.
    public static func runOutput(_ o: RunOutput, of key: TemplateKey) -> JSONValue {
        var props: [(key: String, value: JSONValue)] = []
        if let a = o.artifactId { props.append(("artifactId", .string(a))) }
        if let u = o.artifactUri { props.append(("artifactUri", .string(u))) }
        props.append(("provisioningState", .string(o.provisioningState)))
        if let m = o.message { props.append(("message", .string(m))) }
        return .object([("name", .string(o.name)), ("type", .string("Microsoft.VirtualMachineImages/imageTemplates/runOutputs")),
                        ("id", .string("\(key.id)/runOutputs/\(o.name)")), ("properties", .object(props))])
    }

    public static func iso(_ d: Date) -> String { ISO8601.format(d) }
}
