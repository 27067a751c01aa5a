import Foundation
import GRDB
import VMIBCore

/// Reads that answer a server's frequent questions without loading records: whether a
/// version changed, and how many replicas each region holds in each state.
extension SQLiteStateStore {
    public func versionTag(_ ref: VersionRef) throws -> VersionTag? {
        let i = ref.image, g = i.gallery
        // One statement is consistent on its own: no BEGIN and COMMIT around it (a third of
        // this read's cost on the API's hottest path). The versions' unique index answers
        // it; a cached statement skips the parse.
        return try unsafeRead { db in
            let statement = try db.cachedStatement(sql: """
                SELECT generation, status_generation, published_at FROM versions
                WHERE subscription=? AND resource_group=? AND gallery=? AND image=? AND major=? AND minor=? AND patch=?
                """)
            return try Row.fetchOne(statement, arguments: [
                g.subscription, g.resourceGroup, g.gallery, i.image,
                Int64(ref.version.major), Int64(ref.version.minor), Int64(ref.version.patch),
            ]).map { VersionTag(generation: $0[0], statusGeneration: $0[1], publishedDate: Date(timeIntervalSince1970: $0[2])) }
        }
    }

    public func replicaCounts(subscription: String) throws -> [String: [Replica.State: Int]] {
        try read { db in
            var counts: [String: [Replica.State: Int]] = [:]
            let rows = try Row.fetchAll(db, sql: """
                SELECT r.region, r.state, count(*) FROM replicas r JOIN versions v ON v.id = r.version_id
                WHERE v.subscription=? GROUP BY r.region, r.state
                """, arguments: [subscription])
            for row in rows {
                guard let state = Replica.State(rawValue: row[1]) else { continue }
                counts[row[0], default: [:]][state, default: 0] += row[2] as Int
            }
            return counts
        }
    }

    /// Within a write of the controller's (a replica record, the provisioning state).
    func bumpStatusGeneration(_ db: Database, _ versionID: Int64) throws {
        try db.execute(sql: "UPDATE versions SET status_generation=status_generation+1 WHERE id=?", arguments: [versionID])
    }
}
