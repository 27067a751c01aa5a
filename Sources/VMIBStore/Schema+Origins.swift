import GRDB

extension Schema {
    /// Origin copies are shared by every version with the same disk digest: a reference
    /// count per digest, changed in the transaction that creates or deletes a version, so
    /// the last delete removes the file and a concurrent publish of the same disk never
    /// loses it. Filled from the versions that exist.
    static func registerOriginReferences(_ m: inout DatabaseMigrator) {
        m.registerMigration("v5-origin-references") { db in
            try db.execute(sql: """
                CREATE TABLE origins (sha256 TEXT PRIMARY KEY NOT NULL, refs INTEGER NOT NULL CHECK (refs > 0));
                INSERT INTO origins (sha256, refs) SELECT sha256, count(*) FROM versions GROUP BY sha256;
                """)
        }
    }
}
