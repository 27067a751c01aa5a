import GRDB

extension Schema {
    /// What a replica's later checks (scrub) compare with and when they last held: the
    /// object's ETag as made, and the times its bytes were last proven (by any check, and by a re-hash). The index finds
    /// Completed replicas due for a check without a walk over every record.
    static func registerReplicaVerification(_ m: inout DatabaseMigrator) {
        m.registerMigration("v6-replica-verification") { db in
            try db.execute(sql: """
                ALTER TABLE replicas ADD COLUMN etag TEXT;
                ALTER TABLE replicas ADD COLUMN last_verified_at REAL;
                ALTER TABLE replicas ADD COLUMN last_deep_verified_at REAL;
                CREATE INDEX replicas_by_verification ON replicas (state, region, last_verified_at);
                """)
        }
    }
}
