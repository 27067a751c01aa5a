import Foundation
import VMIBCore

/// Row mapping and the small helpers every statement shares.
extension SQLStateStore {
    func read<T>(_ body: (any SQLSession) throws -> T) throws -> T { try database.read(body) }

    /// A read outside a transaction: only for a single statement, which is consistent on its own.
    func unsafeRead<T>(_ body: (any SQLSession) throws -> T) throws -> T { try database.single(body) }

    func write<T>(_ body: (any SQLSession) throws -> T) throws -> T { try database.write(body) }

    func exists(_ db: any SQLSession, _ sql: String, _ arguments: [any SQLBindable]) throws -> Bool {
        try db.row(sql, arguments) != nil
    }

    func versionID(_ db: any SQLSession, _ ref: VersionRef) throws -> Int64? {
        let i = ref.image, g = i.gallery
        return try db.one(Int64.self, """
            SELECT id FROM versions WHERE subscription=? AND resource_group=? AND gallery=? AND image=?
            AND major=? AND minor=? AND patch=?
            """, [g.subscription, g.resourceGroup, g.gallery, i.image,
                             Int64(ref.version.major), Int64(ref.version.minor), Int64(ref.version.patch)])
    }

    func requireVersion(_ db: any SQLSession, _ ref: VersionRef) throws -> Int64 {
        guard let id = try versionID(db, ref) else {
            throw StoreError(.notFound, "version \(ref.version) of image '\(ref.image.image)' does not exist")
        }
        return id
    }

    static let replicaColumns = """
        version_id, region, idx, storage_account_type, state, bytes_done, attempts, retries, last_error, verified_digest,
        upload_id, updated_at, etag, last_verified_at, last_deep_verified_at, link_bytes, earlier_version_bytes, link_source
        """

    static func replicaValues(_ versionID: Int64, _ r: Replica) -> [any SQLBindable] {
        [versionID, r.region, r.index, r.storageAccountType.rawValue, r.state.rawValue, r.bytesDone,
         r.attempts, r.retries, r.lastError, r.verifiedDigest, r.uploadID, r.updatedAt.timeIntervalSince1970,
         r.etag, r.lastVerifiedAt?.timeIntervalSince1970, r.lastDeepVerifiedAt?.timeIntervalSince1970,
         r.linkBytes, r.earlierVersionBytes, r.linkSource]
    }

    func insertReplica(_ db: any SQLSession, _ versionID: Int64, _ r: Replica) throws {
        try db.execute("""
            INSERT INTO replicas (\(Self.replicaColumns)) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
            ON CONFLICT (version_id, region, idx) DO UPDATE SET storage_account_type=excluded.storage_account_type,
                state=excluded.state, bytes_done=excluded.bytes_done, attempts=excluded.attempts, retries=excluded.retries,
                last_error=excluded.last_error, verified_digest=excluded.verified_digest, upload_id=excluded.upload_id,
                updated_at=excluded.updated_at, etag=excluded.etag, last_verified_at=excluded.last_verified_at,
                last_deep_verified_at=excluded.last_deep_verified_at, link_bytes=excluded.link_bytes,
                earlier_version_bytes=excluded.earlier_version_bytes, link_source=excluded.link_source
            """, Self.replicaValues(versionID, r))
    }

    /// A new version's replica records, many rows per statement (a publish to 60 regions × 100
    /// replicas records 6000: one round trip each was 1.7 s on PostgreSQL).
    func insertNewReplicas(_ db: any SQLSession, _ versionID: Int64, _ replicas: [Replica]) throws {
        try insertRows(db, table: "replicas", columns: Self.replicaColumns, width: 18,
                       rows: replicas.map { Self.replicaValues(versionID, $0) })
    }

    /// `INSERT INTO table (columns) VALUES (…), (…), …` in statements of at most 500 rows
    /// (SQLite takes up to 32766 arguments per statement, PostgreSQL 65535).
    func insertRows(_ db: any SQLSession, table: String, columns: String, width: Int, rows: [[any SQLBindable]]) throws {
        let row = "(" + Array(repeating: "?", count: width).joined(separator: ",") + ")"
        var start = 0
        while start < rows.count {
            let batch = rows[start..<min(start + 500, rows.count)]
            try db.execute("INSERT INTO \(table) (\(columns)) VALUES " + Array(repeating: row, count: batch.count).joined(separator: ","),
                           batch.flatMap { $0 })
            start += batch.count
        }
    }

    func insertTargets(_ db: any SQLSession, _ versionID: Int64, _ targets: [TargetRegion]) throws {
        let rows: [[any SQLBindable]] = targets.enumerated().map { position, t in
            var basis = "explicit", deployments: Int? = nil, per: Int? = nil
            switch t.countBasis {
            case .explicit: break
            case .defaultReplicaCount: basis = "default"
            case .expectedDeployments(let n, let p): basis = "deployments"; deployments = n; per = p
            }
            return [versionID, position, t.name, t.regionalReplicaCount, t.storageAccountType.rawValue,
                    t.excludeFromLatest, basis, deployments, per]
        }
        try insertRows(db, table: "target_regions", columns: """
            version_id, position, region, replica_count, storage_account_type, exclude_from_latest, count_basis,
            expected_deployments, deployments_per_replica
            """, width: 9, rows: rows)
    }

    static func countBasis(_ t: SQLRow) -> ReplicaCountBasis {
        switch t["count_basis"] as String {
        case "default": return .defaultReplicaCount
        case "deployments": return .expectedDeployments(t["expected_deployments"] ?? 0, perReplica: t["deployments_per_replica"] ?? 20)
        default: return .explicit
        }
    }

    func version(_ db: any SQLSession, _ row: SQLRow) throws -> ImageVersion {
        let id: Int64 = row["id"]
        let targets = try db.rows("SELECT * FROM target_regions WHERE version_id=? ORDER BY position", [id]).map(Self.target)
        return Self.version(row, targets: targets)
    }

    static func target(_ t: SQLRow) -> TargetRegion {
        TargetRegion(name: t["region"], regionalReplicaCount: t["replica_count"],
                     storageAccountType: StorageAccountType(rawValue: t["storage_account_type"]) ?? .Standard_LRS,
                     excludeFromLatest: t["exclude_from_latest"], countBasis: Self.countBasis(t))
    }

    static func version(_ row: SQLRow, targets: [TargetRegion]) -> ImageVersion {
        let eol: Double? = row["end_of_life"]
        return ImageVersion(
            ref: Self.versionRef(row),
            publishingProfile: PublishingProfile(
                targetRegions: targets, replicaCount: row["replica_count"], excludeFromLatest: row["exclude_from_latest"],
                endOfLifeDate: eol.map(Date.init(timeIntervalSince1970:)),
                publishedDate: Date(timeIntervalSince1970: row["published_at"]),
                replicationMode: ReplicationMode(rawValue: row["replication_mode"]) ?? .Full),
            storageProfile: StorageProfile(sourcePath: row["source_path"], sizeBytes: row["size_bytes"],
                                           sha256: row["sha256"], md5: row["md5"]),
            provisioningState: ProvisioningState(rawValue: row["provisioning_state"]) ?? .Failed,
            safetyProfile: SafetyProfile(allowDeletionOfReplicatedLocations: row["allow_deletion_of_replicated_locations"],
                                         blockDeletionBeforeEndOfLife: row["block_deletion_before_end_of_life"]),
            lifecycle: Lifecycle(state: Lifecycle.State(rawValue: row["lifecycle_state"]) ?? .Active,
                                 replacement: (row["replacement"] as String?).flatMap { try? VersionNumber(parsing: $0) }),
            generation: row["generation"])
    }

    static func versionRef(_ row: SQLRow) -> VersionRef {
        let g = GalleryRef(subscription: row["subscription"], resourceGroup: row["resource_group"], gallery: row["gallery"])
        let v = VersionNumber(UInt32(row["major"] as Int64), UInt32(row["minor"] as Int64), UInt32(row["patch"] as Int64))
        return g.image(row["image"]).version(v)
    }

    static func gallery(_ row: SQLRow) -> Gallery {
        Gallery(ref: GalleryRef(subscription: row["subscription"], resourceGroup: row["resource_group"], gallery: row["name"]),
                description: row["description"], createdAt: Date(timeIntervalSince1970: row["created_at"]),
                generation: row["generation"])
    }

    static func image(_ row: SQLRow) -> ImageDefinition {
        let g = GalleryRef(subscription: row["subscription"], resourceGroup: row["resource_group"], gallery: row["gallery"])
        return ImageDefinition(
            ref: g.image(row["name"]),
            osType: ImageDefinition.OSType(rawValue: row["os_type"]) ?? .Linux,
            osState: ImageDefinition.OSState(rawValue: row["os_state"]) ?? .Generalized,
            hyperVGeneration: ImageDefinition.HyperVGeneration(rawValue: row["hyper_v_generation"]) ?? .V1,
            identifier: .init(publisher: row["publisher"], offer: row["offer"], sku: row["sku"]),
            description: row["description"], createdAt: Date(timeIntervalSince1970: row["created_at"]),
            generation: row["generation"])
    }

    /// A replica from `SELECT region, idx, storage_account_type, state, bytes_done, attempts,
    /// retries, last_error, verified_digest, upload_id, updated_at, etag, last_verified_at,
    /// last_deep_verified_at, link_bytes, earlier_version_bytes, link_source`.
    static func replicaByPosition(_ row: SQLRow) -> Replica {
        var r = Replica(region: row[0], index: row[1],
                storageAccountType: StorageAccountType(rawValue: row[2]) ?? .Standard_LRS,
                state: Replica.State(rawValue: row[3]) ?? .Pending, bytesDone: row[4],
                attempts: row[5], retries: row[6], lastError: row[7], verifiedDigest: row[8], uploadID: row[9],
                updatedAt: Date(timeIntervalSince1970: row[10]), etag: row[11],
                lastVerifiedAt: (row[12] as Double?).map(Date.init(timeIntervalSince1970:)),
                lastDeepVerifiedAt: (row[13] as Double?).map(Date.init(timeIntervalSince1970:)))
        r.linkBytes = row[14]
        r.earlierVersionBytes = row[15]
        r.linkSource = row[16]
        return r
    }

    static func replica(_ row: SQLRow) -> Replica {
        var r = Replica(region: row["region"], index: row["idx"],
                storageAccountType: StorageAccountType(rawValue: row["storage_account_type"]) ?? .Standard_LRS,
                state: Replica.State(rawValue: row["state"]) ?? .Pending, bytesDone: row["bytes_done"],
                attempts: row["attempts"], retries: row["retries"], lastError: row["last_error"],
                verifiedDigest: row["verified_digest"], uploadID: row["upload_id"],
                updatedAt: Date(timeIntervalSince1970: row["updated_at"]), etag: row["etag"],
                lastVerifiedAt: (row["last_verified_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
                lastDeepVerifiedAt: (row["last_deep_verified_at"] as Double?).map(Date.init(timeIntervalSince1970:)))
        r.linkBytes = row["link_bytes"]
        r.earlierVersionBytes = row["earlier_version_bytes"]
        r.linkSource = row["link_source"]
        return r
    }
}
