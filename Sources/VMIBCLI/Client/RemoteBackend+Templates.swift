import Foundation
import VMIBCore
import VMIBService
import VMIBTransfer
import VMIBWire

/// Image templates over HTTP (Microsoft.VirtualMachineImages/imageTemplates).
extension RemoteBackend {
    static let imageBuilderAPI = "2025-10-01"

    /// The template's name is the server's to check (`ResourceName.validateTemplate`); it is
    /// only percent-encoded into the request path (`templatePath`), so any name reaches it
    /// (but `.` and `..`, which the URL resolves away and the server answers 404, a refusal too).
    func templateKey(resourceGroup: String, name: String) throws -> TemplateKey {
        TemplateKey(subscription: subscription, resourceGroup: resourceGroup, name: name)
    }

    /// `key.id` with each name one percent-encoded path segment.
    static func templatePath(_ key: TemplateKey) -> String {
        "/subscriptions/\(query(key.subscription))/resourceGroups/\(query(key.resourceGroup))/providers/\(ImageTemplate.resourceType)/\(query(key.name))"
    }

    func templateCall(_ method: JSONRequest.Method, _ path: String, body: JSONValue? = nil) async throws -> JSONRequest.Response {
        try await call(method, path, body: body, apiVersion: Self.imageBuilderAPI)
    }

    /// A deployment template is evaluated here and the imageTemplate resource in it is sent,
    /// as Azure's tools do. `resourceGroup().location` is the server's answer: the first
    /// build region its topology lists (as `Templates.resourceGroupLocation`), asked only
    /// for a deployment template.
    func createTemplate(_ request: CreateTemplateRequest) async throws -> CreateTemplateResult {
        let isDeployment = (try? JSONParser.parse(request.document)).map(ARMDeployment.isDeployment) ?? false
        let location = isDeployment ? try await firstBuildRegion() : ""
        let scope = ARMDeployment.Scope(subscriptionID: request.key.subscription, resourceGroup: request.key.resourceGroup, location: location)
        var resource = try ARMDeployment.resolveImageTemplate(request.document, parameters: request.parameters, scope: scope)
        if case .object(var members) = resource {
            members.removeAll { ["dependsOn", "comments"].contains($0.key) }
            resource = .object(members)
        }
        let r = try await templateCall(.put, Self.templatePath(request.key), body: resource)
        return CreateTemplateResult(remote: try Self.templateDetails(r.body, key: request.key), created: r.status == 201)
    }

    func updateTemplate(_ key: TemplateKey, patch: JSONValue) async throws -> TemplateDetails {
        try Self.templateDetails(try await templateCall(.patch, Self.templatePath(key), body: patch).body, key: key)
    }

    func templateDetails(_ key: TemplateKey) async throws -> TemplateDetails {
        try Self.templateDetails(try await templateCall(.get, Self.templatePath(key)).body, key: key)
    }

    func templates(resourceGroup: String?) async throws -> [TemplateDetails] {
        let path = resourceGroup.map { "/subscriptions/\(subscription)/resourceGroups/\(Self.query($0))/providers/Microsoft.VirtualMachineImages/imageTemplates" }
            ?? "/subscriptions/\(subscription)/providers/Microsoft.VirtualMachineImages/imageTemplates"
        let r = try await templateCall(.get, path)
        guard case .array(let items)? = (try? JSONParser.parse(String(decoding: r.body, as: UTF8.self)))?["value"] else {
            throw CLIFailure(message: "unexpected answer from the server: no value[]", exitCode: 1)
        }
        return try items.map { item in
            guard let id = item["id"]?.stringValue, let key = Self.templateKey(id: id) else {
                throw CLIFailure(message: "unexpected answer from the server: a template without an id", exitCode: 1)
            }
            return try Self.templateDetails(item, key: key)
        }
    }

    func plan(_ key: TemplateKey) async throws -> TemplatePlan {
        try Self.answer(TemplatePlan.self, try await templateCall(.get, Self.templatePath(key) + "/plan"))
    }

    func runLogText(_ key: TemplateKey) async throws -> String {
        struct Log: Decodable { var content: String }
        return try Self.answer(Log.self, try await templateCall(.get, Self.templatePath(key) + "/logs")).content
    }

    func deleteTemplate(_ key: TemplateKey) async throws {
        _ = try await templateDetails(key)
        _ = try await templateCall(.delete, Self.templatePath(key))
    }

    func cancelRun(_ key: TemplateKey) async throws -> TemplateRun {
        _ = try await templateCall(.post, Self.templatePath(key) + "/cancel")
        guard let run = try await templateDetails(key).lastRun else {
            throw CLIFailure(message: "--name: image template '\(key.name)' has no run", exitCode: 2)
        }
        return run
    }

    func runs(_ key: TemplateKey) async throws -> [TemplateRun] {
        let r = try await templateCall(.get, Self.templatePath(key) + "/runs")
        guard case .array(let items)? = (try? JSONParser.parse(String(decoding: r.body, as: UTF8.self)))?["value"] else {
            throw CLIFailure(message: "unexpected answer from the server: no value[]", exitCode: 1)
        }
        return try items.map { item in
            guard let run = Self.run(item, key: key) else { throw CLIFailure(message: "unexpected answer from the server: a run without startTime or runState", exitCode: 1) }
            return run
        }
    }

    func runOutputs(_ key: TemplateKey) async throws -> [RunOutput] {
        let r = try await templateCall(.get, Self.templatePath(key) + "/runOutputs")
        guard case .array(let items)? = (try? JSONParser.parse(String(decoding: r.body, as: UTF8.self)))?["value"] else {
            throw CLIFailure(message: "unexpected answer from the server: no value[]", exitCode: 1)
        }
        let details = try await templateDetails(key)
        let lastRun = details.lastRun?.id ?? ""
        return items.map { o in
            let p = o["properties"], name = o["name"]?.stringValue ?? ""
            // Azure's runOutput has no distributor type; the template says which distributor made it.
            let type = details.template.distribute.first { $0.runOutputName == name }?.typeName ?? ""
            return RunOutput(name: name, runID: lastRun, type: type, artifactId: p?["artifactId"]?.stringValue,
                             artifactUri: p?["artifactUri"]?.stringValue, provisioningState: p?["provisioningState"]?.stringValue ?? "",
                             message: p?["message"]?.stringValue)
        }
    }

    /// Starts a run; without `wait`, returns it as recorded; with it, polls the run's
    /// operation until it ends and returns the run as it ended.
    func runTemplate(_ key: TemplateKey, wait: Bool) async throws -> TemplateRun {
        let started = try await templateCall(.post, Self.templatePath(key) + "/run")
        if wait, let url = started.headers["azure-asyncoperation"] {
            while true {
                let r: JSONRequest.Response
                do { r = try await JSONRequest.send(.get, url, bearer: token, insecure: insecure) } catch {
                    throw CLIFailure(message: "cannot reach the vmib server \(server): \(error)", exitCode: 1)
                }
                guard r.isSuccess else { throw Self.failure(r) }
                let status = (try? JSONParser.parse(String(decoding: r.body, as: UTF8.self)))?["status"]?.stringValue
                if status != "InProgress" { break }
                try await Task.sleep(for: .milliseconds(250))
            }
        }
        guard let run = try await templateDetails(key).lastRun else {
            throw CLIFailure(message: "the server started no run of '\(key.name)'", exitCode: 1)
        }
        return run
    }

    // MARK: triggers

    /// The name is the server's to check, as the template's.
    func triggerKey(_ template: TemplateKey, name: String) throws -> TriggerKey { TriggerKey(template: template, name: name) }

    static func triggerPath(_ key: TriggerKey) -> String { templatePath(key.template) + "/triggers/" + query(key.name) }

    func createTrigger(_ key: TriggerKey, kind: TriggerKind) async throws -> (trigger: TemplateTrigger, created: Bool) {
        let r = try await call(.put, Self.triggerPath(key), payload: TriggerPayload(kind: kind), apiVersion: Self.imageBuilderAPI)
        return (try Self.answer(TriggerResource.self, r).trigger(key), r.status == 201)
    }

    func trigger(_ key: TriggerKey) async throws -> TemplateTrigger {
        try Self.answer(TriggerResource.self, try await templateCall(.get, Self.triggerPath(key))).trigger(key)
    }

    func triggers(of template: TemplateKey) async throws -> [TemplateTrigger] {
        try Self.answer(ARMList<TriggerResource>.self, try await templateCall(.get, Self.templatePath(template) + "/triggers")).value.map {
            $0.trigger(TriggerKey(template: template, name: $0.name))
        }
    }

    /// The server answers 204 for a trigger that is not there; read it first, so that
    /// deleting a missing one is refused here as embedded.
    func deleteTrigger(_ key: TriggerKey) async throws {
        _ = try await trigger(key)
        _ = try await templateCall(.delete, Self.triggerPath(key))
    }

    func checkTriggers(wait: Bool) async throws -> [TemplateRun] {
        throw CLIFailure(message: "--server: a server checks its templates' triggers itself (vmib serve --trigger-interval); trigger check is for the embedded mode", exitCode: 2)
    }

    // MARK: reading the server's template documents back

    static func templateKey(id: String) -> TemplateKey? {
        let p = id.split(separator: "/").map(String.init)
        guard p.count == 8, p[0].lowercased() == "subscriptions", p[2].lowercased() == "resourcegroups",
              p[6].lowercased() == "imagetemplates" else { return nil }
        return TemplateKey(subscription: p[1], resourceGroup: p[3], name: p[7])
    }

    static func templateDetails(_ data: Data, key: TemplateKey) throws -> TemplateDetails {
        let value: JSONValue
        do { value = try JSONParser.parse(String(decoding: data, as: UTF8.self)) } catch {
            throw CLIFailure(message: "unexpected answer from the server: \(error)", exitCode: 1)
        }
        return try templateDetails(value, key: key)
    }

    /// The body as created (without the read-only members the server added), parsed as the
    /// server parsed it, and the last run from lastRunStatus.
    static func templateDetails(_ value: JSONValue, key: TemplateKey) throws -> TemplateDetails {
        guard var members = value.objectValue else { throw CLIFailure(message: "unexpected answer from the server: not an object", exitCode: 1) }
        members.removeAll { ["id", "name", "type"].contains($0.key) }
        // Who created and changed it, as the server recorded them.
        let system = members.first { $0.key == "systemData" }?.value
        members.removeAll { $0.key == "systemData" }
        func date(_ name: String) -> Date? {
            system?[name]?.stringValue.flatMap(ISO8601.date(from:))
        }
        let record = TemplateRecord(key: key, body: "", createdAt: date("createdAt") ?? Date(),
                                    createdBy: system?["createdBy"]?.stringValue, lastModifiedBy: system?["lastModifiedBy"]?.stringValue,
                                    lastModifiedAt: date("lastModifiedAt"))
        var lastRun: TemplateRun?
        if let i = members.firstIndex(where: { $0.key == "properties" }), var props = members[i].value.objectValue {
            if let s = props.first(where: { $0.key == "lastRunStatus" })?.value {
                lastRun = run(s, key: key)
            }
            props.removeAll { ["provisioningState", "lastRunStatus", "exactStagingResourceGroup", "provisioningError"].contains($0.key) }
            members[i].value = .object(props)
        }
        let body = JSONValue.object(members)
        // The server validated the template against its build regions; read it the same way here.
        var strings: Set<String> = []
        func collect(_ v: JSONValue) {
            switch v {
            case .string(let s): strings.insert(s.lowercased().replacingOccurrences(of: " ", with: ""))
            case .array(let a): a.forEach(collect)
            case .object(let o): o.forEach { collect($0.value) }
            default: break
            }
        }
        collect(body)
        let location = (body["location"]?.stringValue ?? "").lowercased().replacingOccurrences(of: " ", with: "")
        let template = try TemplateParser.parse(body, name: key.name, resourceGroup: key.resourceGroup,
                                                context: .init(buildRegions: [location], knownRegions: strings)).template
        var stored = record
        stored.body = body.text
        return TemplateDetails(remote: stored, template: template, lastRun: lastRun)
    }

    static func run(_ s: JSONValue, key: TemplateKey) -> TemplateRun? {
        guard let start = s["startTime"]?.stringValue.flatMap(ISO8601.date(from:)),
              let state = s["runState"]?.stringValue.flatMap(RunState.init(rawValue:)) else { return nil }
        return TemplateRun(id: s["runId"]?.stringValue ?? "", template: key, state: state,
                           subState: s["runSubState"]?.stringValue.flatMap(RunSubState.init(rawValue:)),
                           message: s["message"]?.stringValue ?? "", startTime: start,
                           endTime: s["endTime"]?.stringValue.flatMap(ISO8601.date(from:)), staging: s["stagingArea"]?.stringValue ?? "",
                           triggeredBy: s["triggeredBy"].flatMap { t in
                               t["trigger"]?.stringValue.map { RunTrigger(trigger: $0, sourceVersion: t["sourceVersion"]?.stringValue ?? "") }
                           })
    }
}
