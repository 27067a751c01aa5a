import Foundation
import VMIBCore
import VMIBReplication
import VMIBStore

extension Versions {
    /// Checks that a version may be deleted and records the intent (provisioningState
    /// Deleting); `purge` then removes its objects everywhere and the record.
    /// - Throws: `DomainError` when safetyProfile.blockDeletionBeforeEndOfLife forbids it, or
    ///   the version is the target of the latest rollback and `force` is false.
    public func beginDelete(_ ref: VersionRef, force: Bool, ifMatch: Int64? = nil, now: Date = Date()) throws {
        let v = try details(ref).version
        try checkPrecondition(ifMatch, v.generation, ref)
        guard v.provisioningState != .Deleting else { return }
        if v.safetyProfile.blockDeletionBeforeEndOfLife {
            guard let eol = v.publishingProfile.endOfLifeDate, eol <= now else {
                let when = v.publishingProfile.endOfLifeDate.map { "before its end of life \(ISO8601.format($0))" } ?? "(it has no endOfLifeDate)"
                throw DomainError(.refused, field: .version, "version \(ref.version) has safetyProfile.blockDeletionBeforeEndOfLife set and cannot be deleted \(when)")
            }
        }
        if !force, let last = try store.rollbacks(of: ref.image).last(where: { $0.kind == .rollback && $0.undoneBy == nil }),
           last.to == ref.version {
            throw DomainError(.refused, field: .version, "version \(ref.version) is the target of the latest rollback (#\(last.id)); undo it first or pass --force")
        }
        // A new generation: a pass that read the version before cannot record its outcome
        // over the delete.
        try store.updateVersion(v, ifGeneration: ifMatch ?? v.generation, provisioningState: .Deleting)
    }

    /// Deletes every replica object of a version being deleted in every region, then the
    /// record, then its origin copy if no other version uses it. Safe to repeat after a crash.
    public func purge(_ ref: VersionRef) async throws {
        let v = try details(ref).version
        guard v.provisioningState == .Deleting else {
            throw DomainError(.refused, field: .version, "version \(ref.version) is not being deleted")
        }
        // The controller's pass over a Deleting version stops its transfers, deletes its
        // objects under the regions' budgets, then the record and the origin's reference.
        try await replication().settle(ref)
    }
}
