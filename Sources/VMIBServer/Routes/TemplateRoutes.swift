import Hummingbird

/// Microsoft.VirtualMachineImages/imageTemplates: the shell of the routes. Authorization,
/// api-version (Image Builder's versions), name and body validation, 404s and empty lists
/// answer as Azure does; creating a template answers 501 NotImplemented until the template
/// engine (VMIBService+Templates, issue 4) is on main.
enum TemplateRoutes {
    static let path = "/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/Microsoft.VirtualMachineImages/imageTemplates"
    static let namePattern = #"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,62}[A-Za-z0-9_])?$"#

    static func add(to router: Router<ARMRequestContext>, api: API) {
        @Sendable func template(_ request: Request, _ context: ARMRequestContext, _ access: Access) throws -> String {
            _ = try ScopeParams.check(request, context, api: api, access: access,
                                      action: "Microsoft.VirtualMachineImages/imageTemplates/\(access == .read ? "read" : "write")",
                                      apiVersions: APIVersion.imageBuilder)
            let name = try context.parameters.require("imageTemplateName")
            guard name.range(of: namePattern, options: .regularExpression) != nil else {
                throw ARMError.invalidParameter("The image template name '\(name)' is invalid: 1-64 letters, digits, '-', '_', '.', starting with a letter or digit.", target: "imageTemplateName")
            }
            return name
        }
        @Sendable func notFound(_ name: String) -> ARMError {
            ARMError.notFound("The image template '\(name)' was not found.", target: "imageTemplateName")
        }
        let one = RouterPath(path + "/:imageTemplateName")
        router.put(one) { request, context -> Response in
            _ = try template(request, context, .write)
            let body = try await JSONBody.parse(request, context: context)
            try body.object(allowing: ["location", "tags", "identity", "properties", "id", "name", "type"], type: "ImageTemplate")
            _ = try body.required(try body.string("location"), "location")
            _ = try body.required(body["properties"], "properties")
            throw ARMError(.notImplemented, code: "NotImplemented",
                           "Image templates are not available on this server yet: the template engine is not part of this build.")
        }
        router.get(one) { request, context -> Response in throw notFound(try template(request, context, .read)) }
        router.delete(one) { request, context in _ = try template(request, context, .write); return ARMResponse.empty(.noContent) }
        for action in ["run", "cancel"] {
            router.post(RouterPath(path + "/:imageTemplateName/\(action)")) { request, context -> Response in throw notFound(try template(request, context, .write)) }
        }
        router.get(RouterPath(path + "/:imageTemplateName/runOutputs")) { request, context -> Response in throw notFound(try template(request, context, .read)) }
        router.get(RouterPath(path + "/:imageTemplateName/runOutputs/:runOutputName")) { request, context -> Response in
            throw notFound(try template(request, context, .read))
        }
        router.get(RouterPath(path)) { request, context in
            _ = try ScopeParams.check(request, context, api: api, access: .read, action: "Microsoft.VirtualMachineImages/imageTemplates/read",
                                      apiVersions: APIVersion.imageBuilder)
            return try ARMResponse.json(ARMList<String>(value: []))
        }
        router.get("/subscriptions/:subscriptionId/providers/Microsoft.VirtualMachineImages/imageTemplates") { request, context in
            _ = try ScopeParams.check(request, context, api: api, access: .read, action: "Microsoft.VirtualMachineImages/imageTemplates/read",
                                      apiVersions: APIVersion.imageBuilder, resourceGroupLevel: false)
            return try ARMResponse.json(ARMList<String>(value: []))
        }
    }
}
