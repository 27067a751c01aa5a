import Foundation
import VMIBCore

extension SQLStateStore: UsageStore {
    public func recordUsage(_ e: UsageEvent) throws {
        try write { db in try Self.insertUsage(db, e) }
    }

    static func insertUsage(_ db: any SQLSession, _ e: UsageEvent) throws {
        try db.execute("""
            INSERT INTO usage_events (kind, at, subscription, resource_group, gallery, image, version, template, run_id,
                from_region, to_region, storage_account_type, bytes, requests, seconds) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
            """, [e.kind.rawValue, e.at.timeIntervalSince1970, e.subscription, e.resourceGroup, e.gallery, e.image,
                             e.version, e.template, e.runID, e.from, e.to, e.storageAccountType, e.bytes, e.requests, e.seconds])
    }

    public func usageEvents(subscription: String, since: Date?) throws -> [UsageEvent] {
        try read { db in
            try db.rows("SELECT * FROM usage_events WHERE subscription=? AND at >= ? ORDER BY at, id", [subscription, since?.timeIntervalSince1970 ?? -Double.greatestFiniteMagnitude]).compactMap { row in
                guard let kind = UsageEvent.Kind(rawValue: row["kind"]) else { return nil }
                return UsageEvent(kind: kind, at: Date(timeIntervalSince1970: row["at"]), subscription: row["subscription"],
                                  resourceGroup: row["resource_group"], gallery: row["gallery"], image: row["image"],
                                  version: row["version"], template: row["template"], runID: row["run_id"],
                                  from: row["from_region"], to: row["to_region"], storageAccountType: row["storage_account_type"],
                                  bytes: row["bytes"], requests: row["requests"], seconds: row["seconds"])
            }
        }
    }

    public func storedBytes(subscription: String) throws -> [StoredBytes] {
        try read { db in
            try db.rows("""
                SELECT r.region, r.storage_account_type, v.resource_group, v.gallery, v.image,
                       count(*) AS replicas, CAST(sum(v.size_bytes) AS BIGINT) AS bytes
                FROM replicas r JOIN versions v ON v.id = r.version_id
                WHERE v.subscription=? AND r.state='Completed' AND v.replication_mode='Full'
                GROUP BY r.region, r.storage_account_type, v.resource_group, v.gallery, v.image
                ORDER BY r.region, r.storage_account_type, v.resource_group, v.gallery, v.image
                """, [subscription]).map { row in
                StoredBytes(region: row["region"], storageAccountType: row["storage_account_type"], resourceGroup: row["resource_group"],
                            gallery: row["gallery"], image: row["image"], replicas: row["replicas"], bytes: row["bytes"])
            }
        }
    }
}

extension SQLStateStore {
    /// A stored template body's `location` (its build region), for a run's usage event.
    static func location(_ body: String) -> String? {
        guard case .string(let s)? = (try? JSONParser.parse(body))?["location"] else { return nil }
        return s
    }
}
