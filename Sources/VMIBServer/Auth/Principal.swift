/// Who a token belongs to, what it may do and where.
public struct Principal: Sendable, Hashable {
    public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
        /// May read.
        case Reader
        /// May read and write.
        case Contributor
    }

    /// A subscription, or one resource group in it.
    public struct Scope: Sendable, Hashable {
        public var subscription: String
        public var resourceGroup: String?

        /// Parses `/subscriptions/S` or `/subscriptions/S/resourceGroups/RG`.
        public init?(_ text: String) {
            let parts = text.split(separator: "/").map(String.init)
            guard parts.count == 2 || parts.count == 4, parts[0].lowercased() == "subscriptions", !parts[1].isEmpty else { return nil }
            subscription = parts[1]
            if parts.count == 4 {
                guard parts[2].lowercased() == "resourcegroups", !parts[3].isEmpty else { return nil }
                resourceGroup = parts[3]
            }
        }

        public init(subscription: String, resourceGroup: String? = nil) {
            self.subscription = subscription; self.resourceGroup = resourceGroup
        }

        /// Whether a resource in `subscription`/`resourceGroup` lies inside this scope (resource
        /// group nil: the request is about the whole subscription). Names compare without case, as in Azure.
        public func covers(subscription s: String, resourceGroup rg: String?) -> Bool {
            guard subscription.lowercased() == s.lowercased() else { return false }
            guard let mine = resourceGroup else { return true }
            guard let rg else { return false }
            return mine.lowercased() == rg.lowercased()
        }

        public var description: String {
            "/subscriptions/\(subscription)" + (resourceGroup.map { "/resourceGroups/\($0)" } ?? "")
        }
    }

    public var name: String
    public var role: Role
    public var scope: Scope

    public init(name: String, role: Role, scope: Scope) {
        self.name = name; self.role = role; self.scope = scope
    }
}
