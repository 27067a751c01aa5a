import Foundation
import VMIBCore
import VMIBStore

/// Usage accounting: what the regions store, what moved over each link, the storage
/// operations and run minutes, and with the topology's price sheet an estimate.
public struct Usage: ServicePart {
    let root: VMIBService

    /// The usage figures of a subscription (optionally one resource group): storage as it is
    /// now, moves and runs at or after `since` (all with nil), summarized `by` region,
    /// image or template.
    public func report(subscription: String? = nil, resourceGroup: String? = nil, since: Date?,
                       by: UsageGrouping) throws -> UsageReport {
        let subscription = subscription ?? self.subscription
        var events = try root.usageStore.usageEvents(subscription: subscription, since: since)
        var stored = try root.usageStore.storedBytes(subscription: subscription)
        if let rg = resourceGroup?.lowercased() {
            events = events.filter { $0.resourceGroup.lowercased() == rg }
            stored = stored.filter { $0.resourceGroup.lowercased() == rg }
        }
        return UsageReport.make(events: events, stored: stored, since: since, by: by, prices: topology.prices)
    }
}

extension VMIBService {
    /// Usage accounting: stored and moved bytes, storage operations, run minutes, estimates.
    public var usage: Usage { Usage(root: self) }
}
