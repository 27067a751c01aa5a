import Foundation
import HTTPTypes
import Hummingbird
import VMIBCore
import VMIBService

/// Microsoft.VirtualMachineImages/imageTemplates, through VMIBService's template use cases:
/// PUT (create; the same body again is unchanged; another body is a 409), PATCH (tags,
/// identity, properties.distribute and properties.vmProfile, as Azure allows), GET (with
/// lastRunStatus), DELETE (202 + operation), list by resource group and subscription, POST
/// `run` (202; the operation ends when the run does), POST `cancel`, GET `runOutputs[/name]`.
enum TemplateRoutes {
    static let path = "/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/Microsoft.VirtualMachineImages/imageTemplates"

    /// Starts a run of `key` for the caller: POST …/run, and Azure's autoRun (a template whose
    /// `autoRun.state` is Enabled runs when it is created or updated).
    @discardableResult
    static func startRun(_ key: TemplateKey, api: API, context: ARMRequestContext) throws -> TemplateRun {
        let run = try templateCall { try api.service.runs.start(key) { try TemplateAuthorization.check($0, context: context) } }
        carryOut(run, api: api)
        return run
    }

    /// Counts a run just recorded, and has the server's TemplateRunService build it (the
    /// operation reads its progress from the store); a run recorded Failed is counted ended.
    static func carryOut(_ run: TemplateRun, api: API) {
        api.metrics.runStarted()
        if run.state == .Running {
            TemplateRunService.carryOut(run.id, api: api)
        } else {
            api.metrics.runEnded(state: run.state.rawValue)
        }
    }

    static func add(to router: Router<ARMRequestContext>, api: API) {
        let one = RouterPath(path + "/:imageTemplateName")
        router.put(one) { request, context -> Response in
            let key = try templateKey(request, context, api: api, access: .write)
            let body = try await JSONBody.parse(request, context: context)
            try body.object(allowing: ["location", "tags", "identity", "properties", "id", "name", "type", "apiVersion", "systemData"],
                            type: "ImageTemplate")
            _ = try body.required(try body.string("location"), "location")
            _ = try body.required(body["properties"], "properties")
            _ = try body.stringMap("tags")
            try Preconditions.check(request, current: (try? api.service.templates.details(key))?.record.generation)
            var result = try templateCall {
                try api.service.templates.create(CreateTemplateRequest(key: key, document: body.value.text,
                                                                     principal: context.principal?.name)) {
                    try TemplateAuthorization.check($0, context: context)
                }
            }
            if result.created && result.details.template.autoRun {
                try startRun(key, api: api, context: context)
                result.details = try templateCall { try api.service.templates.details(key) }
            }
            return try json(TemplateJSON.resource(result.details), status: result.created ? .created : .ok,
                            headers: [Preconditions.header(result.details.record.generation)])
        }
        router.patch(one) { request, context -> Response in
            // ImageTemplateUpdateParameters: tags, identity, properties.distribute and .vmProfile.
            let key = try templateKey(request, context, api: api, access: .write)
            let body = try await JSONBody.parse(request, context: context)
            try body.object(allowing: ["tags", "identity", "properties"], type: "ImageTemplateUpdateParameters")
            _ = try body.stringMap("tags")
            if let props = body["properties"] {
                try props.object(allowing: ["distribute", "vmProfile"], type: "ImageTemplateUpdateParametersProperties")
            }
            try Preconditions.check(request, current: try templateCall { try api.service.templates.details(key) }.record.generation)
            var details = try templateCall {
                try api.service.templates.update(key, patch: body.value, principal: context.principal?.name) {
                    try TemplateAuthorization.check($0, context: context)
                }
            }
            if details.template.autoRun {
                try startRun(key, api: api, context: context)
                details = try templateCall { try api.service.templates.details(key) }
            }
            return try json(TemplateJSON.resource(details), headers: [Preconditions.header(details.record.generation)])
        }
        router.get(one) { request, context -> Response in
            let key = try templateKey(request, context, api: api, access: .read)
            let details = try templateCall { try api.service.templates.details(key) }
            return try json(TemplateJSON.resource(details), headers: [Preconditions.header(details.record.generation)])
        }
        router.delete(one) { request, context -> Response in
            let key = try templateKey(request, context, api: api, access: .write)
            let existing = try? api.service.templates.details(key)
            try Preconditions.check(request, current: existing?.record.generation)
            guard let details = existing else { return ARMResponse.empty(.noContent) }
            if let run = details.lastRun, run.state.isActive {
                throw ARMError(.conflict, code: "OperationNotAllowed",
                               "Image template '\(key.name)' has a run in progress (\(run.id)); cancel it first.", target: "imageTemplateName")
            }
            try templateCall { try api.service.templates.delete(key) }
            let op = TemplateOperation(kind: .delete, template: key, runID: nil)
            return ARMResponse.empty(.accepted, headers: headers(for: op, request: request, api: api))
        }
        router.post(RouterPath(path + "/:imageTemplateName/run")) { request, context -> Response in
            let key = try templateKey(request, context, api: api, access: .write)
            let run = try startRun(key, api: api, context: context)
            let op = TemplateOperation(kind: .run, template: key, runID: run.id)
            return ARMResponse.empty(.accepted, headers: headers(for: op, request: request, api: api))
        }
        router.post(RouterPath(path + "/:imageTemplateName/cancel")) { request, context -> Response in
            let key = try templateKey(request, context, api: api, access: .write)
            let run = try templateCall { try api.service.runs.cancel(key) }
            let op = TemplateOperation(kind: .cancel, template: key, runID: run.id)
            return ARMResponse.empty(.accepted, headers: headers(for: op, request: request, api: api))
        }
        // vmib's own (Azure keeps only the last run): every run of the template, newest first,
        // each as lastRunStatus shows one (with runId and, if a trigger started it, triggeredBy).
        router.get(RouterPath(path + "/:imageTemplateName/runs")) { request, context -> Response in
            let key = try templateKey(request, context, api: api, access: .read)
            let runs = try templateCall { try api.service.runs.list(key) }
            return try json(.object([("value", .array(runs.map(TemplateJSON.runStatus)))]))
        }
        router.get(RouterPath(path + "/:imageTemplateName/runOutputs")) { request, context -> Response in
            let key = try templateKey(request, context, api: api, access: .read)
            let outputs = try templateCall { try api.service.runs.outputs(key) }
            return try json(.object([("value", .array(outputs.map { TemplateJSON.runOutput($0, of: key) }))]))
        }
        router.get(RouterPath(path + "/:imageTemplateName/runOutputs/:runOutputName")) { request, context -> Response in
            let key = try templateKey(request, context, api: api, access: .read)
            let name = try context.parameters.name("runOutputName")
            let outputs = try templateCall { try api.service.runs.outputs(key) }
            guard let o = outputs.first(where: { $0.name == name }) else {
                throw ARMError.notFound("The run output '\(name)' of image template '\(key.name)' was not found.", target: "runOutputName")
            }
            return try json(TemplateJSON.runOutput(o, of: key))
        }
        router.get(RouterPath(path)) { request, context in
            let scope = try ScopeParams.check(request, context, api: api, access: .read, action: "Microsoft.VirtualMachineImages/imageTemplates/read",
                                              apiVersions: APIVersion.imageBuilder)
            let list = try templateCall { try api.service.templates.list(subscription: scope.subscription, resourceGroup: scope.resourceGroup) }
            return try json(.object([("value", .array(list.map(TemplateJSON.resource)))]))
        }
        router.get("/subscriptions/:subscriptionId/providers/Microsoft.VirtualMachineImages/imageTemplates") { request, context in
            let scope = try ScopeParams.check(request, context, api: api, access: .read, action: "Microsoft.VirtualMachineImages/imageTemplates/read",
                                              apiVersions: APIVersion.imageBuilder, resourceGroupLevel: false)
            let list = try templateCall { try api.service.templates.list(subscription: scope.subscription, resourceGroup: nil) }
                .filter { context.visible(resourceGroup: $0.record.key.resourceGroup) }
            return try json(.object([("value", .array(list.map(TemplateJSON.resource)))]))
        }
    }

    static func templateKey(_ request: Request, _ context: ARMRequestContext, api: API, access: Access) throws -> TemplateKey {
        let scope = try ScopeParams.check(request, context, api: api, access: access,
                                          action: "Microsoft.VirtualMachineImages/imageTemplates/\(access == .read ? "read" : "write")",
                                          apiVersions: APIVersion.imageBuilder)
        // The name rule is the service's (ResourceName.validateTemplate), checked once there.
        let name = try context.parameters.name("imageTemplateName")
        return try templateCall { try api.service.templates.key(subscription: scope.subscription, resourceGroup: scope.resourceGroup!, name: name) }
    }

    /// Runs a template use case. An invalid template is a 400 whose code is Azure's
    /// provisioningErrorCode (`BadPIRSource`, …) and whose target is the field path; a
    /// different body for an existing template is a 409.
    static func templateCall<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as DomainError {
            if e.code == .invalidArgument, let colon = e.message.firstIndex(of: ":"),
               let code = ProvisioningErrorCode(rawValue: String(e.message[..<colon])) {
                let text = e.message[e.message.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                let target = e.field.map(APIFields.name)
                throw ARMError(.badRequest, code: code.rawValue, "\(code.rawValue): \(text)", target: target,
                               details: [.init(code: "InvalidParameter", message: text, target: target)], field: e.field)
            }
            if e.code == .refused, e.message.contains("cannot be updated") {
                throw ARMError(.conflict, code: "PropertyChangeNotAllowed", e.message,
                               target: e.field == .template ? "properties" : e.field.map(APIFields.name), field: e.field)
            }
            throw ARMError(e)
        } catch {
            throw ARMError.from(error)
        }
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: [(String, String)] = []) throws -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json; charset=utf-8"
        for (name, v) in headers { if let n = HTTPField.Name(name) { fields[n] = v } }
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: value.text)))
    }

    /// Where to poll a template operation, and how often.
    static func headers(for op: TemplateOperation, request: Request, api: API) -> [(String, String)] {
        let scheme = api.settings.https ? "https" : "http"
        let host = request.head.authority ?? "127.0.0.1"
        let apiVersion = request.uri.queryParameters.get("api-version") ?? APIVersion.imageBuilder[0]
        let url = "\(scheme)://\(host)/subscriptions/\(op.template.subscription)/providers/Microsoft.VirtualMachineImages/locations/\(api.location)/operations/\(op.id)?api-version=\(apiVersion)"
        return [("Azure-AsyncOperation", url), ("Location", url + "&monitor=true"), ("Retry-After", "\(api.settings.retryAfterSeconds)")]
    }
}

/// The operation-status resource of template operations.
enum TemplateOperationRoutes {
    static let path = "/subscriptions/:subscriptionId/providers/Microsoft.VirtualMachineImages/locations/:location/operations/:operationId"

    static func add(to router: Router<ARMRequestContext>, api: API) {
        router.get(RouterPath(path)) { request, context in
            let subscription = try context.parameters.name("subscriptionId")
            guard let op = TemplateOperation(id: try context.parameters.require("operationId")),
                  op.template.subscription.lowercased() == subscription.lowercased() else {
                try context.authorize(.read, subscription: subscription, resourceGroup: nil, action: "Microsoft.VirtualMachineImages/locations/operations/read")
                throw ARMError(.notFound, code: "OperationNotFound", "The operation was not found.", target: "operationId")
            }
            try context.authorize(.read, subscription: subscription, resourceGroup: op.template.resourceGroup,
                                  action: "Microsoft.VirtualMachineImages/locations/operations/read")
            try APIVersion.require(request, supported: APIVersion.imageBuilder)
            let status = op.status(in: api.service)
            // The Location (monitor) URL answers 202 while the operation runs, as ARM's does.
            let monitor = request.uri.queryParameters.get("monitor") == "true"
            if monitor, status.status == "InProgress" {
                return ARMResponse.empty(.accepted, headers: [("Location", "\(request.uri)"), ("Retry-After", "\(api.settings.retryAfterSeconds)")])
            }
            return try ARMResponse.json(status)
        }
    }
}
