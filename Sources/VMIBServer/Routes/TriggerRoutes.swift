import Foundation
import Hummingbird
import VMIBCore
import VMIBService
import VMIBWire

/// Microsoft.VirtualMachineImages/imageTemplates/{t}/triggers (kind SourceImage): PUT
/// (201 created; the same PUT again 200, unchanged), GET, list, DELETE (204). The server's
/// `TriggerService` checks them; a run one starts shows in the template's lastRunStatus.
enum TriggerRoutes {
    static let path = TemplateRoutes.path + "/:imageTemplateName/triggers"

    static func add(to router: Router<ARMRequestContext>, api: API) {
        let one = RouterPath(path + "/:triggerName")
        router.put(one) { request, context -> Response in
            let key = try triggerKey(request, context, api: api, access: .write)
            let body = try await JSONBody.parse(request, context: context)
            let payload = try body.decode(TriggerPayload.self, as: "Trigger")
            try body["properties"]?.object(allowing: TriggerProperties.members, type: "TriggerProperties")
            let kind = try armCall { try TriggerKind(parsing: payload.properties.kind) }
            let result = try TemplateRoutes.templateCall {
                // Its runs start with no caller: whoever creates it must be one who may run the template.
                try api.service.triggers.create(key, kind: kind, principal: context.principal?.name) {
                    try TemplateAuthorization.check($0, context: context)
                }
            }
            return try ARMResponse.json(TriggerResource(result.trigger), status: result.created ? .created : .ok)
        }
        router.get(one) { request, context -> Response in
            let key = try triggerKey(request, context, api: api, access: .read)
            return try ARMResponse.json(TriggerResource(try TemplateRoutes.templateCall { try api.service.triggers.get(key) }))
        }
        router.delete(one) { request, context -> Response in
            let key = try triggerKey(request, context, api: api, access: .write)
            // Deleted now, or there was none: ARM's 204 either way (a missing template is a 404,
            // and any other failure its own error).
            try TemplateRoutes.templateCall {
                do { try api.service.triggers.delete(key) } catch let e as DomainError where e.code == .notFound && e.field == .trigger {}
            }
            return ARMResponse.empty(.noContent)
        }
        router.get(RouterPath(path)) { request, context -> Response in
            let template = try TemplateRoutes.templateKey(request, context, api: api, access: .read)
            let list = try TemplateRoutes.templateCall { try api.service.triggers.list(template) }
            return try ARMResponse.json(ARMList(value: list.map(TriggerResource.init)))
        }
    }

    static func triggerKey(_ request: Request, _ context: ARMRequestContext, api: API, access: Access) throws -> TriggerKey {
        let template = try TemplateRoutes.templateKey(request, context, api: api, access: access)
        let name = try context.parameters.name("triggerName")
        return try armCall { try api.service.triggers.key(template, name: name) }
    }
}
