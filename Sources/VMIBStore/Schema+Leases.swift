import GRDB

extension Schema {
    static let leasesMigration = "v14-leases"
    /// Leases on work (issue 15): one row per key (a version's replication, a template run),
    /// its holder, until when, and a fencing token that grows with every new holder. Written
    /// in SQL that SQLite and PostgreSQL both take: the same migration on both.
    static let leasesSQL = """
        CREATE TABLE leases (
            key TEXT PRIMARY KEY NOT NULL, holder TEXT NOT NULL,
            token BIGINT NOT NULL, expires_at DOUBLE PRECISION NOT NULL);
        """

    static func registerLeases(_ m: inout DatabaseMigrator) {
        m.registerMigration(leasesMigration) { db in try db.execute(sql: leasesSQL) }
    }
}
