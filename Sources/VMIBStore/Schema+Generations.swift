import GRDB

extension Schema {
    /// A generation per record that every change of its desired state bumps: the ETag of
    /// the API and the compare-and-set token of the controller (a write based on an older
    /// generation lost a race and is refused, never applied over the newer one).
    static func registerGenerations(_ m: inout DatabaseMigrator) {
        m.registerMigration("v4-generations") { db in
            try db.execute(sql: """
                ALTER TABLE galleries ADD COLUMN generation INTEGER NOT NULL DEFAULT 1;
                ALTER TABLE images ADD COLUMN generation INTEGER NOT NULL DEFAULT 1;
                ALTER TABLE versions ADD COLUMN generation INTEGER NOT NULL DEFAULT 1;
                ALTER TABLE templates ADD COLUMN generation INTEGER NOT NULL DEFAULT 1;
                """)
        }
    }
}
