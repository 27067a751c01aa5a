import Foundation
import VMIBCore

/// Reads that answer a server's frequent questions without loading records: whether a
/// version changed, and how many replicas each region holds in each state.
extension SQLStateStore {
    public func versionTag(_ ref: VersionRef) throws -> VersionTag? {
        let i = ref.image, g = i.gallery
        // One statement is consistent on its own: no BEGIN and COMMIT around it (a third of
        // this read's cost on the API's hottest path). The versions' unique index answers it.
        return try unsafeRead { db in
            try db.row("""
                SELECT generation, status_generation, published_at FROM versions
                WHERE subscription=? AND resource_group=? AND gallery=? AND image=? AND major=? AND minor=? AND patch=?
                """, [g.subscription, g.resourceGroup, g.gallery, i.image,
                      Int64(ref.version.major), Int64(ref.version.minor), Int64(ref.version.patch)])
                .map { VersionTag(generation: $0[0], statusGeneration: $0[1], publishedDate: Date(timeIntervalSince1970: $0[2])) }
        }
    }

    public func replicaCounts(subscription: String) throws -> [String: [Replica.State: Int]] {
        try read { db in
            var counts: [String: [Replica.State: Int]] = [:]
            let rows = try db.rows("""
                SELECT r.region, r.state, count(*) FROM replicas r JOIN versions v ON v.id = r.version_id
                WHERE v.subscription=? GROUP BY r.region, r.state
                """, [subscription])
            for row in rows {
                guard let state = Replica.State(rawValue: row[1]) else { continue }
                counts[row[0], default: [:]][state, default: 0] += row[2] as Int
            }
            return counts
        }
    }

    /// Within a write of the controller's (a replica record, the provisioning state).
    /// With `fence`, the write is refused (`StoreError.fenced`) unless the fence is still the
    /// lease of its key, checked in this same statement: a write of leased work makes it
    /// first, so the whole transaction is refused with it.
    func bumpStatusGeneration(_ db: any SQLSession, _ versionID: Int64, fence: Fence? = nil) throws {
        guard let fence else {
            try db.execute("UPDATE versions SET status_generation=status_generation+1 WHERE id=?", [versionID])
            return
        }
        let bumped = try db.execute("""
            UPDATE versions SET status_generation=status_generation+1
            WHERE id=? AND EXISTS (SELECT 1 FROM leases WHERE key=? AND token=?)
            """, [versionID, fence.key, fence.token])
        if bumped == 0 {
            try Self.refuseStale(db, fence)
            throw StoreError(.fenced, "the lease on \(fence.key) was not found; a write carrying token \(fence.token) was refused")
        }
    }
}
