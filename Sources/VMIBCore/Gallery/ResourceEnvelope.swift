/// What Resource Manager keeps about a resource beside its properties: the location it was
/// created in and its tags. vmib records it for resources created through the API, so a
/// client reads back what it wrote (Terraform compares both to detect drift).
public struct ResourceEnvelope: Sendable, Hashable, Codable {
    public var location: String
    public var tags: [String: String]

    public init(location: String, tags: [String: String] = [:]) {
        self.location = location; self.tags = tags
    }
}
