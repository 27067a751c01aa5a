import Foundation
import VMIBCore

/// Desired and actual state of galleries, images, versions and replicas.
///
/// Each call is one transaction. Users' changes (galleries, versions, target regions) and
/// the controller's (replicas, provisioning state) go through separate calls, so neither
/// overwrites the other's half.
public protocol StateStore: Sendable {
    func createGallery(_ gallery: Gallery) throws
    func gallery(_ ref: GalleryRef) throws -> Gallery?
    /// Galleries of a subscription, optionally of one resource group, by name.
    func galleries(subscription: String, resourceGroup: String?) throws -> [Gallery]
    /// Deletes a gallery; refused while it holds image definitions (the error gives the count).
    func deleteGallery(_ ref: GalleryRef) throws

    func createImage(_ image: ImageDefinition) throws
    func image(_ ref: ImageRef) throws -> ImageDefinition?
    func images(in gallery: GalleryRef) throws -> [ImageDefinition]

    /// Records a version, its target regions and its first replica records
    /// (`ImageVersion.initialReplicas`: Pending, or a Shallow version's Completed reference),
    /// and takes a reference on its origin disk, in one transaction; `check` runs inside it
    /// (the origin file must still be there: a delete of the last version using it removes
    /// it in its own transaction).
    func createVersion(_ version: ImageVersion, check: () throws -> Void) throws
    func version(_ ref: VersionRef) throws -> ImageVersion?
    /// A version's generation and status generation, from its row alone (one indexed read,
    /// no target regions or replicas); nil when it does not exist. Read it before the
    /// version: what is read after is at least as new as the tag.
    func versionTag(_ ref: VersionRef) throws -> VersionTag?
    /// Versions of an image, highest first.
    func versions(of image: ImageRef) throws -> [ImageVersion]
    /// Versions the controller still has work for (provisioning state Creating, Updating or Deleting).
    func versionsWithPendingWork() throws -> [VersionRef]
    /// Records the controller's outcome, only while the version is still at generation
    /// `ifGeneration` (nil: unconditionally). Does not bump the generation.
    /// - Returns: false when the generation moved (a user changed the version meanwhile).
    ///   With `fence`, refused (`StoreError.fenced`) once another server took the version's lease over,
    ///   as every write of the controller's below that takes one.
    func setProvisioningState(_ state: ProvisioningState, of ref: VersionRef, ifGeneration: Int64?, fence: Fence?) throws -> Bool
    /// A user's retry: failed replicas go back to Pending (attempts reset) and the version
    /// to Updating with a new generation, in one transaction. Returns how many were failed.
    func requeueFailedReplicas(of ref: VersionRef, at now: Date) throws -> Int

    /// Replaces a version's desired state (publishing profile with its target regions,
    /// safety profile, lifecycle) and bumps its generation, in one transaction; replica
    /// records are left to the controller.
    /// - Parameters:
    ///   - ifGeneration: refuse (`StoreError.conflict`) unless the record is at this generation.
    ///   - provisioningState: written only when given: a change that does not mean to
    ///     restart or stop replication leaves the controller's state alone.
    /// - Returns: the version as stored, with its new generation.
    @discardableResult
    func updateVersion(_ version: ImageVersion, ifGeneration: Int64?, provisioningState: ProvisioningState?) throws -> ImageVersion
    /// Removes a version's record with its target regions and replica records and drops its
    /// reference on the origin disk, in one transaction; when it was the last reference,
    /// `releaseOrigin(sha256)` runs inside that transaction (it removes the file).
    func deleteVersionRecord(_ ref: VersionRef, fence: Fence?, releaseOrigin: (String) throws -> Void) throws
    /// Deletes an image definition; refused while it has versions (the error gives the count).
    func deleteImage(_ ref: ImageRef) throws

    /// Replica records by region and state across every version of a subscription, counted
    /// in one grouped statement (for metrics: no walk over the records).
    func replicaCounts(subscription: String) throws -> [String: [Replica.State: Int]]

    /// Completed replicas per target region, counting only wanted indices of the wanted type.
    func completedReplicaCounts(of ref: VersionRef) throws -> [String: Int]

    /// The image's rollback history, oldest first.
    func rollbacks(of image: ImageRef) throws -> [RollbackEntry]
    /// Applies an entry's flag changes to the versions and records it, in one transaction;
    /// for an undo, marks the entry it reverts. Returns the entry with its id.
    func recordRollback(_ entry: RollbackEntry, undoing: Int64?) throws -> RollbackEntry

    func replicas(of ref: VersionRef) throws -> [Replica]
    /// One region's replica records (the controller's per-region passes read only these).
    func replicas(of ref: VersionRef, region: String) throws -> [Replica]
    func replica(of ref: VersionRef, region: String, index: Int) throws -> Replica?
    /// Inserts or replaces one replica record. This and `deleteReplica`, like every write of
    /// the controller, bump the version's status generation in the same transaction.
    func saveReplica(_ replica: Replica, of ref: VersionRef, fence: Fence?) throws
    func deleteReplica(region: String, index: Int, of ref: VersionRef, fence: Fence?) throws

    /// Full versions (not being deleted) with a Completed replica due for a scrub: in a region of
    /// `cutoffs`, last verified before that region's cutoff (or never). Regions not named
    /// are not scrubbed on a schedule. One query, oldest version first.
    func versionsWithReplicasDue(verifiedBefore cutoffs: [String: Date]) throws -> [VersionRef]
    /// A check that held: the replica's lastVerifiedAt (and, for a re-hash,
    /// lastDeepVerifiedAt) becomes `at`, only while it is still Completed.
    /// - Returns: false when the replica is gone or no longer Completed.
    @discardableResult
    func recordVerification(region: String, index: Int, of ref: VersionRef, at: Date, deep: Bool, fence: Fence?) throws -> Bool
    /// What a scrub does with a Completed replica found missing or corrupt: Pending again
    /// (attempts reset, its ETag and verification times cleared, `reason` as its lastError)
    /// and the version Updating, in one transaction, so the controller re-makes it. The
    /// version's generation is left alone: nothing a user owns changed.
    /// - Returns: false when the replica was not Completed (already being re-made, or gone).
    @discardableResult
    func requeueDamagedReplica(region: String, index: Int, of ref: VersionRef, reason: String, at: Date, fence: Fence?) throws -> Bool

    /// A resource's Resource Manager envelope (location, tags), by id, case-insensitively;
    /// nil for a resource created without one (by the CLI).
    func envelope(of id: String) throws -> ResourceEnvelope?
    /// The envelopes of the resources below `parent` (its images, or an image's versions), by lower-cased id.
    func envelopes(under parent: String) throws -> [String: ResourceEnvelope]
    func saveEnvelope(_ envelope: ResourceEnvelope, of id: String) throws
}

extension StateStore {
    /// Records a version (no origin check).
    public func createVersion(_ version: ImageVersion) throws { try createVersion(version, check: {}) }

    /// Removes a version's record; the origin file, if its last reference, is left to the caller.
    public func deleteVersionRecord(_ ref: VersionRef) throws { try deleteVersionRecord(ref, fence: nil, releaseOrigin: { _ in }) }

    /// Unfenced: a user's write, or a process that holds no lease (one server on SQLite).
    public func deleteVersionRecord(_ ref: VersionRef, releaseOrigin: (String) throws -> Void) throws {
        try deleteVersionRecord(ref, fence: nil, releaseOrigin: releaseOrigin)
    }
    public func saveReplica(_ replica: Replica, of ref: VersionRef) throws { try saveReplica(replica, of: ref, fence: nil) }
    public func deleteReplica(region: String, index: Int, of ref: VersionRef) throws {
        try deleteReplica(region: region, index: index, of: ref, fence: nil)
    }
    public func setProvisioningState(_ state: ProvisioningState, of ref: VersionRef, ifGeneration: Int64?) throws -> Bool {
        try setProvisioningState(state, of: ref, ifGeneration: ifGeneration, fence: nil)
    }
    @discardableResult
    public func recordVerification(region: String, index: Int, of ref: VersionRef, at: Date, deep: Bool) throws -> Bool {
        try recordVerification(region: region, index: index, of: ref, at: at, deep: deep, fence: nil)
    }
    @discardableResult
    public func requeueDamagedReplica(region: String, index: Int, of ref: VersionRef, reason: String, at: Date) throws -> Bool {
        try requeueDamagedReplica(region: region, index: index, of: ref, reason: reason, at: at, fence: nil)
    }

    /// Replaces the desired state and provisioning state unconditionally (no compare-and-set).
    public func updateVersion(_ version: ImageVersion) throws {
        try updateVersion(version, ifGeneration: nil, provisioningState: version.provisioningState)
    }

    /// Records a provisioning state unconditionally.
    public func setProvisioningState(_ state: ProvisioningState, of ref: VersionRef) throws {
        _ = try setProvisioningState(state, of: ref, ifGeneration: nil)
    }
}
