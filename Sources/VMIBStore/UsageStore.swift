import Foundation
import VMIBCore

/// Usage accounting: events appended as work happens, and what the regions store now.
public protocol UsageStore: Sendable {
    /// Appends one event (never changed afterwards).
    func recordUsage(_ event: UsageEvent) throws
    /// A subscription's events at or after `since` (all with nil), oldest first.
    func usageEvents(subscription: String, since: Date?) throws -> [UsageEvent]
    /// Completed replicas × the version's size, per region, storage type and image, in one
    /// grouped statement. A Shallow version's replica is a reference to the origin copy and
    /// stores nothing in its region: it is not counted.
    func storedBytes(subscription: String) throws -> [StoredBytes]
}
