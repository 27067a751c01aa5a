import GRDB

extension Schema {
    /// Scale, latest, rollback, safe delete and lifecycle states.
    static func registerGalleryLifecycle(_ m: inout DatabaseMigrator) {
        m.registerMigration("v2-safety-lifecycle-rollbacks") { db in
            try db.execute(sql: """
                ALTER TABLE versions ADD COLUMN allow_deletion_of_replicated_locations INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE versions ADD COLUMN block_deletion_before_end_of_life INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE versions ADD COLUMN lifecycle_state TEXT NOT NULL DEFAULT 'Active';
                ALTER TABLE versions ADD COLUMN replacement TEXT;
                ALTER TABLE target_regions ADD COLUMN count_basis TEXT NOT NULL DEFAULT 'explicit';
                ALTER TABLE target_regions ADD COLUMN expected_deployments INTEGER;
                ALTER TABLE target_regions ADD COLUMN deployments_per_replica INTEGER;
                CREATE TABLE rollbacks (
                    id INTEGER PRIMARY KEY,
                    subscription TEXT NOT NULL, resource_group TEXT NOT NULL COLLATE NOCASE,
                    gallery TEXT NOT NULL COLLATE NOCASE, image TEXT NOT NULL COLLATE NOCASE,
                    kind TEXT NOT NULL, at REAL NOT NULL, principal TEXT NOT NULL,
                    from_version TEXT, to_version TEXT NOT NULL, region TEXT,
                    changes TEXT NOT NULL, undone_by INTEGER);
                CREATE INDEX rollbacks_by_image ON rollbacks (subscription, resource_group, gallery, image, id);
                """)
        }
    }
}
