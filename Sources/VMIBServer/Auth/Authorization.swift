import Hummingbird

/// Whether the caller may do this here. Checked before anything about the resource is read,
/// so a caller outside the scope learns nothing of what exists there.
enum Access {
    case read, write

    init(_ method: HTTPRequest.Method) {
        self = method == .get || method == .head ? .read : .write
    }
}

extension ARMRequestContext {
    /// - Parameter resourceGroup: nil for a subscription-wide request (a list), which a caller
    ///   scoped to one resource group may make: `visible(_:)` then filters what it sees.
    /// - Throws: 403 `AuthorizationFailed` when the scope does not cover it or a Reader writes.
    func authorize(_ access: Access, subscription: String, resourceGroup: String?, action: String) throws {
        guard let principal else { throw AuthMiddleware.unauthorized(code: "AuthenticationFailed", "Authentication failed.") }
        let scopeOK = resourceGroup == nil && access == .read
            ? principal.scope.subscription.lowercased() == subscription.lowercased()
            : principal.scope.covers(subscription: subscription, resourceGroup: resourceGroup)
        let scope = "/subscriptions/\(subscription)" + (resourceGroup.map { "/resourceGroups/\($0)" } ?? "")
        guard scopeOK, access == .read || principal.role == .Contributor else {
            throw ARMError(.forbidden, code: "AuthorizationFailed",
                           "The client '\(principal.name)' does not have authorization to perform action '\(action)' over scope '\(scope)' or the scope is invalid.")
        }
    }

    /// Whether a resource in this resource group may appear in a list the caller asked for.
    func visible(resourceGroup: String) -> Bool {
        guard let principal else { return false }
        return principal.scope.resourceGroup.map { $0.lowercased() == resourceGroup.lowercased() } ?? true
    }
}
