/// Where the usage figures (names given percent-encoded) (`UsageReport`, from VMIBCore, as JSON) are served: a
/// subscription's, or one resource group's. Query: `by=region|image|template`,
/// `since=ISO 8601 date`.
public enum UsageWire {
    public static let apiVersion = "2025-03-03"

    public static func path(subscription: String, resourceGroup: String?) -> String {
        "/subscriptions/\(subscription)" + (resourceGroup.map { "/resourceGroups/\($0)" } ?? "") + "/providers/Microsoft.Compute/vmibUsage"
    }
}
