import GRDB

extension Schema {
    /// A version's replication mode (Azure's `publishingProfile.replicationMode`), fixed at
    /// creation: Full, or Shallow (one replica in the source region, a reference to the
    /// origin copy). Versions recorded before it were all replicated fully: they read Full.
    static func registerReplicationMode(_ m: inout DatabaseMigrator) {
        m.registerMigration("v10-version-replication-mode") { db in
            try db.execute(sql: "ALTER TABLE versions ADD COLUMN replication_mode TEXT NOT NULL DEFAULT 'Full'")
        }
    }
}
