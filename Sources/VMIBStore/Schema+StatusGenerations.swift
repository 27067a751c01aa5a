import GRDB

extension Schema {
    /// A second counter on versions that the controller's writes bump (replica records,
    /// provisioning state), in the same transaction: with the generation it names one
    /// rendering of the version, so the API can serve a version's JSON from memory and
    /// answer If-None-Match without reading the replicas. The generation alone stays the
    /// compare-and-set token: a controller's progress never fails a user's If-Match.
    static func registerStatusGenerations(_ m: inout DatabaseMigrator) {
        m.registerMigration("v7-status-generation") { db in
            try db.execute(sql: "ALTER TABLE versions ADD COLUMN status_generation INTEGER NOT NULL DEFAULT 1")
        }
    }
}
