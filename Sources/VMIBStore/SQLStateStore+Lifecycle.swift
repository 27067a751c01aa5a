import Foundation
import VMIBCore

/// Desired-state changes after publish: update, delete, rollback history.
extension SQLStateStore {
    public func updateVersion(_ v: ImageVersion, ifGeneration expected: Int64?,
                              provisioningState: ProvisioningState?) throws -> ImageVersion {
        let p = v.publishingProfile
        return try write { db in
            let id = try self.requireVersion(db, v.ref)
            let current = try db.one(Int64.self, "SELECT generation FROM versions WHERE id=?", [id]) ?? 0
            if let expected, expected != current {
                throw StoreError(.conflict, "version \(v.ref.version) of image '\(v.ref.image.image)' changed since it was read (generation \(current), not \(expected))")
            }
            try db.execute("""
                UPDATE versions SET replica_count=?, exclude_from_latest=?, end_of_life=?,
                    provisioning_state=coalesce(?, provisioning_state),
                    allow_deletion_of_replicated_locations=?, block_deletion_before_end_of_life=?,
                    lifecycle_state=?, replacement=?, generation=generation+1 WHERE id=?
                """, [p.replicaCount, p.excludeFromLatest, p.endOfLifeDate?.timeIntervalSince1970,
                                 provisioningState?.rawValue, v.safetyProfile.allowDeletionOfReplicatedLocations,
                                 v.safetyProfile.blockDeletionBeforeEndOfLife, v.lifecycle.state.rawValue,
                                 v.lifecycle.replacement?.description, id])
            try db.execute("DELETE FROM target_regions WHERE version_id=?", [id])
            try self.insertTargets(db, id, p.targetRegions)
            guard let row = try db.row("SELECT * FROM versions WHERE id=?", [id]) else {
                throw StoreError(.notFound, "version \(v.ref.version) of image '\(v.ref.image.image)' does not exist")
            }
            return try self.version(db, row)
        }
    }

    public func deleteVersionRecord(_ ref: VersionRef, fence: Fence?, releaseOrigin: (String) throws -> Void) throws {
        try write { db in
            let id = try self.requireVersion(db, ref)
            if fence != nil { try self.bumpStatusGeneration(db, id, fence: fence) }
            if let sha256 = try db.one(String.self, "SELECT sha256 FROM versions WHERE id=?", [id]) {
                if try db.execute("UPDATE origins SET refs = refs - 1 WHERE sha256=? AND refs > 1", [sha256]) == 0 {
                    try db.execute("DELETE FROM origins WHERE sha256=?", [sha256])
                    try releaseOrigin(sha256)
                }
            }
            try db.execute("DELETE FROM replicas WHERE version_id=?", [id])
            try db.execute("DELETE FROM target_regions WHERE version_id=?", [id])
            try db.execute("DELETE FROM versions WHERE id=?", [id])
            try self.deleteEnvelope(db, of: ref.id)
        }
    }

    public func deleteImage(_ ref: ImageRef) throws {
        let g = ref.gallery
        try write { db in
            let n = try db.one(Int.self, "SELECT count(*) FROM versions WHERE subscription=? AND resource_group=? AND gallery=? AND image=?", [g.subscription, g.resourceGroup, g.gallery, ref.image]) ?? 0
            if n > 0 {
                throw StoreError(.refused, "image definition '\(ref.image)' still has \(n) version\(n == 1 ? "" : "s"); delete them first")
            }
            let deleted = try db.execute("DELETE FROM images WHERE subscription=? AND resource_group=? AND gallery=? AND name=?",
                                         [g.subscription, g.resourceGroup, g.gallery, ref.image])
            if deleted == 0 {
                throw StoreError(.notFound, "image definition '\(ref.image)' does not exist in gallery '\(g.gallery)'")
            }
            try self.deleteEnvelope(db, of: ref.id)
        }
    }

    public func completedReplicaCounts(of ref: VersionRef) throws -> [String: Int] {
        try read { db in
            guard let id = try self.versionID(db, ref) else { return [:] }
            let rows = try db.rows("""
                SELECT t.region AS region, count(r.idx) AS n FROM target_regions t
                LEFT JOIN replicas r ON r.version_id = t.version_id AND r.region = t.region
                    AND r.idx <= t.replica_count AND r.state = 'Completed'
                    AND r.storage_account_type = t.storage_account_type
                WHERE t.version_id = ? GROUP BY t.region
                """, [id])
            return Dictionary(rows.map { ($0["region"] as String, $0["n"] as Int) }, uniquingKeysWith: { a, _ in a })
        }
    }

    public func rollbacks(of image: ImageRef) throws -> [RollbackEntry] {
        let g = image.gallery
        return try read { db in
            try db.rows("""
                SELECT * FROM rollbacks WHERE subscription=? AND resource_group=? AND gallery=? AND image=? ORDER BY id
                """, [g.subscription, g.resourceGroup, g.gallery, image.image]).map { row in
                let changes = (try? JSONDecoder().decode([FlagChange].self, from: Data((row["changes"] as String).utf8))) ?? []
                let from: String? = row["from_version"]
                return RollbackEntry(
                    id: row["id"], image: image, kind: RollbackEntry.Kind(rawValue: row["kind"]) ?? .rollback,
                    at: Date(timeIntervalSince1970: row["at"]), principal: row["principal"],
                    from: try from.map { try VersionNumber(parsing: $0) }, to: try VersionNumber(parsing: row["to_version"]),
                    region: row["region"], changes: changes, undoneBy: row["undone_by"])
            }
        }
    }

    public func recordRollback(_ entry: RollbackEntry, undoing: Int64?) throws -> RollbackEntry {
        let g = entry.image.gallery
        return try write { db in
            for c in entry.changes {
                let id = try self.requireVersion(db, entry.image.version(c.version))
                if let region = c.region {
                    try db.execute("UPDATE target_regions SET exclude_from_latest=? WHERE version_id=? AND region=?", [c.to, id, region])
                } else {
                    try db.execute("UPDATE versions SET exclude_from_latest=?, generation=generation+1 WHERE id=?", [c.to, id])
                }
            }
            let changes = String(decoding: try JSONEncoder().encode(entry.changes), as: UTF8.self)
            let id = try db.one(Int64.self, """
                INSERT INTO rollbacks (subscription, resource_group, gallery, image, kind, at, principal,
                    from_version, to_version, region, changes) VALUES (?,?,?,?,?,?,?,?,?,?,?) RETURNING id
                """, [g.subscription, g.resourceGroup, g.gallery, entry.image.image, entry.kind.rawValue,
                                 entry.at.timeIntervalSince1970, entry.principal, entry.from?.description,
                                 entry.to.description, entry.region, changes])
            var saved = entry
            saved.id = id ?? 0
            if let undoing {
                try db.execute("UPDATE rollbacks SET undone_by=? WHERE id=?", [saved.id, undoing])
            }
            return saved
        }
    }
}
