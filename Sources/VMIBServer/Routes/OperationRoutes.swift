import Foundation
import Hummingbird
import VMIBCore

/// The operation-status resource an `Azure-AsyncOperation` header points at.
enum OperationRoutes {
    static let path = "/subscriptions/:subscriptionId/providers/Microsoft.Compute/locations/:location/operations/:operationId"

    static func add(to router: Router<ARMRequestContext>, api: API) {
        router.get(RouterPath(path)) { request, context in
            let subscription = try context.parameters.name("subscriptionId")
            guard let op = Operation(id: try context.parameters.require("operationId")),
                  op.version.image.gallery.subscription.lowercased() == subscription.lowercased() else {
                // Only this scope's own operations are looked at, so nothing is revealed here.
                try context.authorize(.read, subscription: subscription, resourceGroup: nil, action: "Microsoft.Compute/locations/operations/read")
                throw ARMError(.notFound, code: "OperationNotFound", "The operation was not found.", target: "operationId")
            }
            try context.authorize(.read, subscription: subscription, resourceGroup: op.version.image.gallery.resourceGroup,
                                  action: "Microsoft.Compute/locations/operations/read")
            try APIVersion.require(request, supported: APIVersion.compute)
            return try ARMResponse.json(op.status(in: api.service))
        }
    }

    /// Headers of a response that started `op`: where to poll, and how often.
    static func headers(for op: Operation, request: Request, api: API, location: Bool) -> [(String, String)] {
        let scheme = api.settings.https ? "https" : "http"
        let host = request.head.authority ?? "127.0.0.1"
        let apiVersion = request.uri.queryParameters.get("api-version") ?? APIVersion.compute[0]
        let url = "\(scheme)://\(host)/subscriptions/\(op.version.image.gallery.subscription)/providers/Microsoft.Compute/locations/\(api.location)/operations/\(op.id)?api-version=\(apiVersion)"
        var h = [("Azure-AsyncOperation", url), ("Retry-After", "\(api.settings.retryAfterSeconds)")]
        if location { h.append(("Location", url + "&monitor=true")) }
        return h
    }
}
