import GRDB

extension Schema {
    /// Resource Manager envelopes (location, tags) by lower-cased resource id.
    static func registerEnvelopes(_ m: inout DatabaseMigrator) {
        m.registerMigration("v3-resource-envelopes") { db in
            try db.execute(sql: """
                CREATE TABLE resource_envelopes (
                    id TEXT PRIMARY KEY NOT NULL, location TEXT NOT NULL, tags TEXT NOT NULL);
                """)
        }
    }
}
