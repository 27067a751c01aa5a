import Foundation
import Hummingbird
import VMIBCore
import VMIBService

/// vmib's own read-only views of an image template, beside Azure's (whose customization log
/// lives in a staging storage account). The vmib CLI uses them in client mode.
///
///     GET …/imageTemplates/{t}/plan → TemplatePlan: source, customizers, fan-out with estimates
///     GET …/imageTemplates/{t}/logs → {"runId", "runState", "content"}: the last run's customization.log
enum TemplateInspectionRoutes {
    static let path = TemplateRoutes.path + "/:imageTemplateName"

    struct Log: Codable {
        var runId: String
        var runState: String
        var content: String
    }

    static func add(to router: Router<ARMRequestContext>, api: API) {
        router.get(RouterPath(path + "/plan")) { request, context in
            let key = try TemplateRoutes.templateKey(request, context, api: api, access: .read)
            return try ARMResponse.json(try TemplateRoutes.templateCall { try api.service.templates.plan(key) })
        }
        router.get(RouterPath(path + "/logs")) { request, context in
            let key = try TemplateRoutes.templateKey(request, context, api: api, access: .read)
            let (run, text) = try TemplateRoutes.templateCall { try api.service.runs.log(key) }
            return try ARMResponse.json(Log(runId: run.id, runState: run.state.rawValue, content: text))
        }
    }
}
