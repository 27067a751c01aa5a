import Foundation
import VMIBCore

/// The state store: desired and actual state, templates and usage, in SQL that SQLite and
/// PostgreSQL both take. SQLite (one file, WAL mode) is the embedded default; PostgreSQL is
/// what several servers share (`--store postgres://…`).
public final class SQLStateStore: StateStore {
    let database: any SQLDatabase

    /// Opens (creating when missing) the SQLite database at `path` and applies pending migrations.
    /// - Throws: `StoreError.database` when the file cannot be opened or is from a newer vmib.
    public convenience init(path: String) throws {
        try self.init(path: path, trace: nil)
    }

    /// With `trace`, the SQL of every statement any connection runs (tests count them).
    init(path: String, trace: (@Sendable (String) -> Void)?) throws {
        database = try SQLiteDatabase(path: path, trace: trace)
    }

    /// Connects to the PostgreSQL database at `url` (`postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`)
    /// and applies pending migrations.
    public init(postgres url: String) throws {
        database = try PostgresDatabase(url: url)
    }

    /// Opens `store`: a `postgres://` URL, else the path of a SQLite file.
    public static func open(_ store: String) throws -> SQLStateStore {
        store.hasPrefix("postgres://") || store.hasPrefix("postgresql://") ? try SQLStateStore(postgres: store) : try SQLStateStore(path: store)
    }

    /// Where the state is kept (a path, or a URL without its password).
    public var location: String { database.location }

    // MARK: galleries

    public func createGallery(_ g: Gallery) throws {
        try write { db in
            if try self.exists(db, "SELECT 1 FROM galleries WHERE subscription=? AND resource_group=? AND name=?",
                               [g.ref.subscription, g.ref.resourceGroup, g.ref.gallery]) {
                throw StoreError(.alreadyExists, "gallery '\(g.ref.gallery)' already exists in resource group '\(g.ref.resourceGroup)'")
            }
            try db.execute("INSERT INTO galleries (subscription, resource_group, name, description, created_at) VALUES (?,?,?,?,?)", [g.ref.subscription, g.ref.resourceGroup, g.ref.gallery, g.description,
                                       g.createdAt.timeIntervalSince1970])
        }
    }

    public func gallery(_ ref: GalleryRef) throws -> Gallery? {
        try read { db in
            try db.row("SELECT * FROM galleries WHERE subscription=? AND resource_group=? AND name=?", [ref.subscription, ref.resourceGroup, ref.gallery]).map(Self.gallery)
        }
    }

    public func galleries(subscription: String, resourceGroup: String?) throws -> [Gallery] {
        try read { db in
            let rows = try db.rows("""
                SELECT * FROM galleries WHERE subscription=? AND (? IS NULL OR resource_group=?)
                ORDER BY resource_group, name
                """, [subscription, resourceGroup, resourceGroup])
            return rows.map(Self.gallery)
        }
    }

    public func deleteGallery(_ ref: GalleryRef) throws {
        try write { db in
            let images = try db.one(Int.self, "SELECT count(*) FROM images WHERE subscription=? AND resource_group=? AND gallery=?", [ref.subscription, ref.resourceGroup, ref.gallery]) ?? 0
            if images > 0 {
                throw StoreError(.refused, "gallery '\(ref.gallery)' still has \(images) image definition\(images == 1 ? "" : "s"); delete them first")
            }
            let deleted = try db.execute("DELETE FROM galleries WHERE subscription=? AND resource_group=? AND name=?",
                                         [ref.subscription, ref.resourceGroup, ref.gallery])
            if deleted == 0 {
                throw StoreError(.notFound, "gallery '\(ref.gallery)' does not exist in resource group '\(ref.resourceGroup)'")
            }
            try self.deleteEnvelope(db, of: ref.id)
        }
    }

    // MARK: images

    public func createImage(_ i: ImageDefinition) throws {
        let g = i.ref.gallery
        try write { db in
            guard try self.exists(db, "SELECT 1 FROM galleries WHERE subscription=? AND resource_group=? AND name=?",
                                  [g.subscription, g.resourceGroup, g.gallery]) else {
                throw StoreError(.notFound, "gallery '\(g.gallery)' does not exist in resource group '\(g.resourceGroup)'")
            }
            if try self.exists(db, "SELECT 1 FROM images WHERE subscription=? AND resource_group=? AND gallery=? AND name=?",
                               [g.subscription, g.resourceGroup, g.gallery, i.ref.image]) {
                throw StoreError(.alreadyExists, "image definition '\(i.ref.image)' already exists in gallery '\(g.gallery)'")
            }
            try db.execute("""
                INSERT INTO images (subscription, resource_group, gallery, name, os_type, os_state, hyper_v_generation,
                    publisher, offer, sku, description, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
                """, [
                g.subscription, g.resourceGroup, g.gallery, i.ref.image, i.osType.rawValue, i.osState.rawValue,
                i.hyperVGeneration.rawValue, i.identifier.publisher, i.identifier.offer, i.identifier.sku,
                i.description, i.createdAt.timeIntervalSince1970])
        }
    }

    public func image(_ ref: ImageRef) throws -> ImageDefinition? {
        let g = ref.gallery
        return try read { db in
            try db.row("SELECT * FROM images WHERE subscription=? AND resource_group=? AND gallery=? AND name=?", [g.subscription, g.resourceGroup, g.gallery, ref.image]).map(Self.image)
        }
    }

    public func images(in g: GalleryRef) throws -> [ImageDefinition] {
        try read { db in
            try db.rows("SELECT * FROM images WHERE subscription=? AND resource_group=? AND gallery=? ORDER BY name", [g.subscription, g.resourceGroup, g.gallery]).map(Self.image)
        }
    }

    // MARK: versions

    public func createVersion(_ v: ImageVersion, check: () throws -> Void) throws {
        let i = v.ref.image, g = i.gallery, p = v.publishingProfile, s = v.storageProfile
        try write { db in
            try check()
            guard try self.exists(db, "SELECT 1 FROM images WHERE subscription=? AND resource_group=? AND gallery=? AND name=?",
                                  [g.subscription, g.resourceGroup, g.gallery, i.image]) else {
                throw StoreError(.notFound, "image definition '\(i.image)' does not exist in gallery '\(g.gallery)'")
            }
            if try self.versionID(db, v.ref) != nil {
                throw StoreError(.alreadyExists, "version \(v.ref.version) of image '\(i.image)' already exists")
            }
            let id: Int64 = try db.one(Int64.self, """
                INSERT INTO versions (subscription, resource_group, gallery, image, major, minor, patch,
                    replica_count, exclude_from_latest, end_of_life, published_at, source_path, size_bytes,
                    sha256, md5, provisioning_state, allow_deletion_of_replicated_locations,
                    block_deletion_before_end_of_life, lifecycle_state, replacement, replication_mode)
                    VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id
                """, [
                    g.subscription, g.resourceGroup, g.gallery, i.image,
                    Int64(v.ref.version.major), Int64(v.ref.version.minor), Int64(v.ref.version.patch),
                    p.replicaCount, p.excludeFromLatest, p.endOfLifeDate?.timeIntervalSince1970,
                    p.publishedDate.timeIntervalSince1970, s.sourcePath, s.sizeBytes, s.sha256, s.md5,
                    v.provisioningState.rawValue, v.safetyProfile.allowDeletionOfReplicatedLocations,
                    v.safetyProfile.blockDeletionBeforeEndOfLife, v.lifecycle.state.rawValue,
                    v.lifecycle.replacement?.description, p.replicationMode.rawValue]) ?? 0
            try db.execute("INSERT INTO origins (sha256, refs) VALUES (?, 1) ON CONFLICT (sha256) DO UPDATE SET refs = origins.refs + 1", [s.sha256])
            try self.insertTargets(db, id, p.targetRegions)
            try self.insertNewReplicas(db, id, v.initialReplicas())
        }
    }

    public func version(_ ref: VersionRef) throws -> ImageVersion? {
        try read { db in
            guard let id = try self.versionID(db, ref),
                  let row = try db.row("SELECT * FROM versions WHERE id=?", [id]) else { return nil }
            return try self.version(db, row)
        }
    }

    public func versions(of i: ImageRef) throws -> [ImageVersion] {
        let g = i.gallery
        let key: [any SQLBindable] = [g.subscription, g.resourceGroup, g.gallery, i.image]
        return try read { db in
            // Every version's target regions in one statement (one per version was most of
            // `image latest`'s time on PostgreSQL, where each is a round trip).
            var targets: [Int64: [TargetRegion]] = [:]
            for t in try db.rows("""
                SELECT t.* FROM target_regions t JOIN versions v ON v.id = t.version_id
                WHERE v.subscription=? AND v.resource_group=? AND v.gallery=? AND v.image=? ORDER BY t.version_id, t.position
                """, key) {
                targets[t["version_id"], default: []].append(Self.target(t))
            }
            return try db.rows("""
                SELECT * FROM versions WHERE subscription=? AND resource_group=? AND gallery=? AND image=?
                ORDER BY major DESC, minor DESC, patch DESC
                """, key).map { Self.version($0, targets: targets[$0["id"] as Int64] ?? []) }
        }
    }

    public func versionsWithPendingWork() throws -> [VersionRef] {
        try read { db in
            try db.rows("SELECT * FROM versions WHERE provisioning_state IN ('Creating','Updating','Deleting') ORDER BY id")
                .map(Self.versionRef)
        }
    }

    public func setProvisioningState(_ state: ProvisioningState, of ref: VersionRef, ifGeneration expected: Int64?,
                                     fence: Fence?) throws -> Bool {
        try write { db in
            let id = try self.requireVersion(db, ref)
            if fence != nil { try self.bumpStatusGeneration(db, id, fence: fence) }
            return try db.execute("""
                UPDATE versions SET provisioning_state=?, status_generation=status_generation+1
                WHERE id=? AND (? IS NULL OR generation=?)
                """, [state.rawValue, id, expected, expected]) == 1
        }
    }

    public func requeueFailedReplicas(of ref: VersionRef, at now: Date) throws -> Int {
        try write { db in
            let id = try self.requireVersion(db, ref)
            let n = try db.execute("UPDATE replicas SET state='Pending', attempts=0, updated_at=? WHERE version_id=? AND state='Failed'",
                                   [now.timeIntervalSince1970, id])
            if n > 0 {
                try db.execute("""
                    UPDATE versions SET provisioning_state='Updating', generation=generation+1,
                        status_generation=status_generation+1 WHERE id=?
                    """, [id])
            }
            return n
        }
    }

    // MARK: replicas

    public func replicas(of ref: VersionRef) throws -> [Replica] {
        try read { db in
            guard let id = try self.versionID(db, ref) else { return [] }
            // Columns by position, not by name: a version can hold 6000 records (60 regions x
            // 100), and looking 12 names up per row was most of `version show`'s time.
            return try db.rows("""
                SELECT region, idx, storage_account_type, state, bytes_done, attempts, retries, last_error,
                       verified_digest, upload_id, updated_at, etag, last_verified_at, last_deep_verified_at,
                       link_bytes, earlier_version_bytes, link_source
                FROM replicas WHERE version_id=? ORDER BY region, idx
                """, [id]).map(Self.replicaByPosition)
        }
    }

    public func replicas(of ref: VersionRef, region: String) throws -> [Replica] {
        try read { db in
            guard let id = try self.versionID(db, ref) else { return [] }
            return try db.rows("SELECT * FROM replicas WHERE version_id=? AND region=? ORDER BY idx", [id, region]).map(Self.replica)
        }
    }

    public func replica(of ref: VersionRef, region: String, index: Int) throws -> Replica? {
        try read { db in
            guard let id = try self.versionID(db, ref) else { return nil }
            return try db.row("SELECT * FROM replicas WHERE version_id=? AND region=? AND idx=?", [id, region, index]).map(Self.replica)
        }
    }

    public func saveReplica(_ r: Replica, of ref: VersionRef, fence: Fence?) throws {
        try write { db in
            let id = try self.requireVersion(db, ref)
            try self.bumpStatusGeneration(db, id, fence: fence)
            try self.insertReplica(db, id, r)
        }
    }

    public func deleteReplica(region: String, index: Int, of ref: VersionRef, fence: Fence?) throws {
        try write { db in
            let id = try self.requireVersion(db, ref)
            if fence != nil { try self.bumpStatusGeneration(db, id, fence: fence) }
            let deleted = try db.execute("DELETE FROM replicas WHERE version_id=? AND region=? AND idx=?", [id, region, index])
            if deleted > 0 { try self.bumpStatusGeneration(db, id) }
        }
    }
}
