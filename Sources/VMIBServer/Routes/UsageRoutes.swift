import Foundation
import Hummingbird
import VMIBCore
import VMIBService
import VMIBWire

/// The usage figures (`vmib usage`), as `UsageReport` JSON:
///
///     GET /subscriptions/{s}/providers/Microsoft.Compute/vmibUsage?by=region&since=DATE
///     GET /subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Compute/vmibUsage
///
/// A Reader may read them. A caller scoped to one resource group sees that group's figures
/// only, whichever path it asks on; other scopes' figures never reach it.
enum UsageRoutes {
    static func add(to router: Router<ARMRequestContext>, api: API) {
        let action = "Microsoft.Compute/vmibUsage/read"
        router.get("/subscriptions/:subscriptionId/providers/Microsoft.Compute/vmibUsage") { request, context in
            let scope = try ScopeParams.check(request, context, api: api, access: .read, action: action, resourceGroupLevel: false)
            return try report(request, api: api, subscription: scope.subscription, resourceGroup: context.principal?.scope.resourceGroup)
        }
        router.get("/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/Microsoft.Compute/vmibUsage") { request, context in
            let scope = try ScopeParams.check(request, context, api: api, access: .read, action: action)
            return try report(request, api: api, subscription: scope.subscription, resourceGroup: scope.resourceGroup)
        }
    }

    private static func report(_ request: Request, api: API, subscription: String, resourceGroup: String?) throws -> Response {
        let query = request.uri.queryParameters
        let by = try query.get("by").map { text in
            guard let by = UsageGrouping(rawValue: text) else {
                throw ARMError(.badRequest, code: "InvalidParameter",
                               "'\(text)' is not a usage grouping; allowed: \(UsageGrouping.allCases.map(\.rawValue).joined(separator: ", "))",
                               target: "by")
            }
            return by
        } ?? .region
        let since = try armCall([.named("since"): "since"]) { try query.get("since").map { try ISO8601.parse($0, field: .named("since")) } }
        let r = try armCall { try api.service.usage.report(subscription: subscription, resourceGroup: resourceGroup, since: since, by: by) }
        return try ARMResponse.json(r)
    }
}
