import Foundation
import VMIBCore
import VMIBReplication
import VMIBStore

/// What a long-running server needs beyond the use cases the CLI calls.
extension Versions {
    /// Versions whose desired state is not yet reached (Creating, Updating) or that are being
    /// deleted: what a controller running as a daemon picks up at start-up and keeps closing.
    public func withPendingWork() throws -> [VersionRef] {
        try store.versionsWithPendingWork()
    }

    /// Requeues a version's failed replicas for the controller that runs elsewhere in this
    /// process (the server's): `version reconcile` through the API.
    /// - Returns: how many replicas were requeued.
    @discardableResult
    public func requeueFailed(_ ref: VersionRef) throws -> Int {
        guard try details(ref).version.provisioningState != .Deleting else { return 0 }
        return try ReplicationController.requeueFailed(ref, in: store)
    }

    /// The origin copy of a version's disk, so a new version can be published from it.
    /// - Throws: `DomainError.notFound` when the version does not exist.
    public func originDisk(of ref: VersionRef) throws -> String {
        origin.path(for: try details(ref).version.storageProfile.sha256)
    }

    /// Replicas by region and state across every version of the served subscriptions, for
    /// metrics: one grouped query per subscription, however many records there are.
    public func replicaCensus() throws -> [String: [Replica.State: Int]] {
        var counts: [String: [Replica.State: Int]] = [:]
        for s in configuration.subscriptions {
            for (region, states) in try store.replicaCounts(subscription: s) {
                counts[region, default: [:]].merge(states, uniquingKeysWith: +)
            }
        }
        return counts
    }

    /// What names the version's current state (see `VersionTag`), from one indexed row;
    /// nil when the version does not exist. A reader that rendered the version at this tag
    /// before can serve that again; read it before `details` (never after), so the details
    /// are at least as new as the tag.
    public func tag(_ ref: VersionRef) throws -> VersionTag? {
        try store.versionTag(ref)
    }
}
