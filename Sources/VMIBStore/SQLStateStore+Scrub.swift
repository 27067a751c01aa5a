import Foundation
import VMIBCore

extension SQLStateStore {
    public func versionsWithReplicasDue(verifiedBefore cutoffs: [String: Date]) throws -> [VersionRef] {
        guard !cutoffs.isEmpty else { return [] }
        // A Shallow version's replica is a reference to the origin copy: no object to check.
        // One (region, cutoff) pair per served region, as a VALUES table joined on the
        // replicas' (state, region, last_verified_at) index.
        let pairs = cutoffs.sorted { $0.key < $1.key }
        let values = Array(repeating: "(?, ?)", count: pairs.count).joined(separator: ", ")
        var arguments: [any SQLBindable] = []
        for (region, cutoff) in pairs { arguments += [region, cutoff.timeIntervalSince1970] }
        return try read { db in
            try db.rows("""
                WITH due(region, cutoff) AS (VALUES \(values))
                SELECT * FROM versions v WHERE v.provisioning_state <> 'Deleting' AND v.replication_mode = 'Full' AND EXISTS (
                    SELECT 1 FROM replicas r JOIN due d ON r.region = d.region COLLATE NOCASE
                    WHERE r.version_id = v.id AND r.state = 'Completed'
                      AND (r.last_verified_at IS NULL OR r.last_verified_at < d.cutoff))
                ORDER BY v.id
                """, [any SQLBindable](arguments)).map(Self.versionRef)
        }
    }

    public func recordVerification(region: String, index: Int, of ref: VersionRef, at: Date, deep: Bool, fence: Fence?) throws -> Bool {
        try write { db in
            guard let id = try self.versionID(db, ref) else { return false }
            if fence != nil { try self.bumpStatusGeneration(db, id, fence: fence) }
            let updated = try db.execute("""
                UPDATE replicas SET last_verified_at=?,
                    last_deep_verified_at=CASE WHEN ? <> 0 THEN ? ELSE last_deep_verified_at END
                WHERE version_id=? AND region=? AND idx=? AND state='Completed'
                """, [at.timeIntervalSince1970, deep, at.timeIntervalSince1970, id, region, index])
            guard updated == 1 else { return false }
            // The version's JSON shows when each replica was last verified.
            try self.bumpStatusGeneration(db, id)
            return true
        }
    }

    public func requeueDamagedReplica(region: String, index: Int, of ref: VersionRef, reason: String, at: Date,
                                      fence: Fence?) throws -> Bool {
        try write { db in
            guard let id = try self.versionID(db, ref) else { return false }
            if fence != nil { try self.bumpStatusGeneration(db, id, fence: fence) }
            let requeued = try db.execute("""
                UPDATE replicas SET state='Pending', attempts=0, bytes_done=0, last_error=?, verified_digest=NULL,
                    upload_id=NULL, etag=NULL, last_verified_at=NULL, last_deep_verified_at=NULL, updated_at=?
                WHERE version_id=? AND region=? AND idx=? AND state='Completed'
                """, [reason, at.timeIntervalSince1970, id, region, index])
            guard requeued == 1 else { return false }
            try db.execute("UPDATE versions SET provisioning_state='Updating' WHERE id=? AND provisioning_state <> 'Deleting'", [id])
            try self.bumpStatusGeneration(db, id)
            return true
        }
    }
}
