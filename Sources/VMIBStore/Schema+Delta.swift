import GRDB

extension Schema {
    /// Delta replication (issue 14): per replica, the bytes that crossed the link and the
    /// bytes copied in the region from an earlier version's object. NULL: not recorded.
    static func registerReplicaDelta(_ m: inout DatabaseMigrator) {
        m.registerMigration("v12-replica-delta") { db in
            try db.execute(sql: """
                ALTER TABLE replicas ADD COLUMN link_bytes INTEGER;
                ALTER TABLE replicas ADD COLUMN earlier_version_bytes INTEGER;
                """)
        }
    }

    /// Relay (issue 14): where a replica's link bytes came from when a region's agent made it
    /// (`origin` or the region that relayed them). NULL: from the origin by the controller.
    static func registerReplicaLinkSource(_ m: inout DatabaseMigrator) {
        m.registerMigration("v13-replica-link-source") { db in
            try db.execute(sql: "ALTER TABLE replicas ADD COLUMN link_source TEXT")
        }
    }
}
