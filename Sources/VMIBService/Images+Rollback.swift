import Foundation
import VMIBCore
import VMIBStore

extension Images {
    /// Makes an earlier version latest again by excluding every newer one from latest
    /// (version-wide, or in `region` only), in one transaction, and records who did it.
    /// - Parameter to: the target; nil means the version that qualified before the current latest.
    /// - Throws: `DomainError` naming the reason (a single version, a target that is excluded,
    ///   past end of life, missing or not Completed); nothing changes then.
    public func rollback(_ image: ImageRef, to: String?, region: String?, principal: String, now: Date = Date()) throws -> RollbackEntry {
        let region = try region.map { try catalog.region(named: $0, field: .region).name }
        let all = try root.versions.list(of: image)
        let number = try to.map { try VersionNumber(parsing: $0, field: .rollbackTarget) }
        if let number, !all.contains(where: { $0.ref.version == number }) {
            throw DomainError.invalid(.rollbackTarget, "version \(number) of image '\(image.image)' does not exist (deleted, or never published)")
        }
        guard all.count > 1 else {
            throw DomainError(.refused, field: .image, "image '\(image.image)' has \(all.count) version\(all.count == 1 ? "" : "s"): there is nothing to roll back to")
        }
        let current = try? root.versions.latest(of: image, region: region, now: now)
        let target: ImageVersion
        if let number, let v = all.first(where: { $0.ref.version == number }) {
            if let current, current.ref.version == number {
                throw DomainError(.refused, field: .rollbackTarget, "version \(number) is already latest\(region.map { " in \($0)" } ?? "")")
            }
            // Judge the target as it will be once newer versions are excluded.
            if let why = LatestPolicy.disqualification(of: v, completed: try store.completedReplicaCounts(of: v.ref), region: region, now: now) {
                throw DomainError(.refused, field: .rollbackTarget, "cannot roll back to it: \(why)")
            }
            target = v
        } else {
            guard let current else {
                throw DomainError(.refused, field: .image, "no version of '\(image.image)' is latest\(region.map { " in \($0)" } ?? ""), so there is no previous one; name one with --to")
            }
            var previous: ImageVersion?
            var reasons: [String] = []
            for v in all where v.ref.version < current.ref.version {
                if let why = LatestPolicy.disqualification(of: v, completed: try store.completedReplicaCounts(of: v.ref), region: region, now: now) {
                    reasons.append(why)
                } else { previous = v; break }
            }
            guard let previous else {
                throw DomainError(.refused, field: .image, "no version older than \(current.ref.version) can be latest: " + (reasons.isEmpty ? "there is none" : reasons.joined(separator: "; ")))
            }
            target = previous
        }
        let changes = RollbackPlanner.changes(toMakeLatest: target.ref.version, among: all, region: region)
        let entry = RollbackEntry(image: image, kind: .rollback, at: now, principal: principal, from: current?.ref.version,
                                  to: target.ref.version, region: region, changes: changes)
        return try store.recordRollback(entry, undoing: nil)
    }

    /// Restores the flags the last rollback changed, and records the undo.
    public func undoRollback(_ image: ImageRef, principal: String, now: Date = Date()) throws -> RollbackEntry {
        _ = try get(image)
        guard let last = try store.rollbacks(of: image).last(where: { $0.kind == .rollback && $0.undoneBy == nil }) else {
            throw DomainError(.refused, field: .undo, "image '\(image.image)' has no rollback to undo")
        }
        let existing = Set(try root.versions.list(of: image).map(\.ref.version))
        let changes = last.changes.filter { existing.contains($0.version) }.map(\.reversed)
        let entry = RollbackEntry(image: image, kind: .undo, at: now, principal: principal, from: last.to,
                                  to: last.from ?? last.to, region: last.region, changes: changes)
        return try store.recordRollback(entry, undoing: last.id)
    }

    public func history(_ image: ImageRef) throws -> [RollbackEntry] {
        _ = try get(image)
        return try store.rollbacks(of: image)
    }
}
