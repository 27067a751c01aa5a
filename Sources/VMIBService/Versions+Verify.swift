import Foundation
import VMIBCore
import VMIBReplication

extension Versions {
    /// Checks every Completed replica of a version now (`version verify`): a HEAD each, and
    /// with `deep` a full re-hash, through each region's one budget. Missing or corrupt
    /// replicas go back to Pending and are re-made before this returns (or fail).
    /// - Throws: `DomainError.notFound` naming `--version` for an unknown version.
    public func verify(_ ref: VersionRef, deep: Bool,
                       observer: (any ReplicationObserver)? = nil) async throws -> ReplicationController.VerifyReport {
        _ = try details(ref)
        return try await replication().verify(ref, deep: deep, observer: observer)
    }

    /// The same for a process whose controller runs as a daemon (the server): the checks
    /// are queued for its next pass over the version, and this returns at once. The version
    /// reads Updating until that pass has checked and re-made what it found (a follower
    /// waits for that, as for any change); its generation is left alone.
    public func requestVerification(_ ref: VersionRef, deep: Bool) async throws {
        let v = try details(ref).version
        let controller = try replication()
        if v.provisioningState != .Deleting { try store.setProvisioningState(.Updating, of: v.ref) }
        try await controller.requestVerification(v.ref, deep: deep)
    }

    /// Versions with a Completed replica due for a scheduled scrub under the topology's
    /// schedules (one store query), for the daemon to queue.
    public func withReplicasDue() throws -> [VersionRef] {
        try store.versionsWithReplicasDue(verifiedBefore: try replication().scrubCutoffs())
    }
}
