import GRDB

extension Schema {
    /// Usage events (issue 16): append-only, one row per replica made or run ended, kept
    /// after the version or template they describe is deleted (what moved, moved). What is
    /// stored is not recorded here: it is read from the replicas.
    static func registerUsage(_ m: inout DatabaseMigrator) {
        m.registerMigration("v11-usage") { db in
            try db.execute(sql: """
                CREATE TABLE usage_events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    kind TEXT NOT NULL, at REAL NOT NULL,
                    subscription TEXT NOT NULL, resource_group TEXT NOT NULL COLLATE NOCASE,
                    gallery TEXT COLLATE NOCASE, image TEXT COLLATE NOCASE, version TEXT,
                    template TEXT COLLATE NOCASE, run_id TEXT,
                    from_region TEXT, to_region TEXT, storage_account_type TEXT,
                    bytes INTEGER NOT NULL, requests INTEGER NOT NULL, seconds REAL NOT NULL);
                CREATE INDEX usage_events_by_time ON usage_events (subscription, at);
                """)
        }
    }
}
