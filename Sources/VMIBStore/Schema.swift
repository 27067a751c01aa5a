import GRDB

/// The store's versioned migrations, applied in order from an empty file. A migration,
/// once released, is never edited: a change is a new migration. Each concern registers
/// its own in a `Schema+Concern.swift` file, called here in release order.
enum Schema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        registerGalleryV1(&m)
        registerGalleryLifecycle(&m)
        registerTemplates(&m)
        registerEnvelopes(&m)
        registerGenerations(&m)
        registerOriginReferences(&m)
        registerReplicaVerification(&m)
        registerStatusGenerations(&m)
        registerTemplatePrincipals(&m)
        registerTemplateTriggers(&m)
        registerReplicationMode(&m)
        registerUsage(&m)
        registerReplicaDelta(&m)
        registerReplicaLinkSource(&m)
        registerLeases(&m)
        return m
    }

    static func registerGalleryV1(_ m: inout DatabaseMigrator) {
        m.registerMigration("v1-galleries-images-versions-replicas") { db in
            try db.execute(sql: """
                CREATE TABLE galleries (
                    subscription TEXT NOT NULL, resource_group TEXT NOT NULL COLLATE NOCASE,
                    name TEXT NOT NULL COLLATE NOCASE, description TEXT, created_at REAL NOT NULL,
                    PRIMARY KEY (subscription, resource_group, name));
                CREATE TABLE images (
                    subscription TEXT NOT NULL, resource_group TEXT NOT NULL COLLATE NOCASE,
                    gallery TEXT NOT NULL COLLATE NOCASE, name TEXT NOT NULL COLLATE NOCASE,
                    os_type TEXT NOT NULL, os_state TEXT NOT NULL, hyper_v_generation TEXT NOT NULL,
                    publisher TEXT NOT NULL, offer TEXT NOT NULL, sku TEXT NOT NULL,
                    description TEXT, created_at REAL NOT NULL,
                    PRIMARY KEY (subscription, resource_group, gallery, name),
                    FOREIGN KEY (subscription, resource_group, gallery)
                        REFERENCES galleries (subscription, resource_group, name));
                CREATE TABLE versions (
                    id INTEGER PRIMARY KEY,
                    subscription TEXT NOT NULL, resource_group TEXT NOT NULL COLLATE NOCASE,
                    gallery TEXT NOT NULL COLLATE NOCASE, image TEXT NOT NULL COLLATE NOCASE,
                    major INTEGER NOT NULL, minor INTEGER NOT NULL, patch INTEGER NOT NULL,
                    replica_count INTEGER NOT NULL, exclude_from_latest INTEGER NOT NULL,
                    end_of_life REAL, published_at REAL NOT NULL,
                    source_path TEXT NOT NULL, size_bytes INTEGER NOT NULL,
                    sha256 TEXT NOT NULL, md5 TEXT NOT NULL,
                    provisioning_state TEXT NOT NULL,
                    UNIQUE (subscription, resource_group, gallery, image, major, minor, patch),
                    FOREIGN KEY (subscription, resource_group, gallery, image)
                        REFERENCES images (subscription, resource_group, gallery, name));
                CREATE INDEX versions_by_state ON versions (provisioning_state);
                CREATE TABLE target_regions (
                    version_id INTEGER NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
                    position INTEGER NOT NULL, region TEXT NOT NULL,
                    replica_count INTEGER NOT NULL, storage_account_type TEXT NOT NULL,
                    exclude_from_latest INTEGER NOT NULL,
                    PRIMARY KEY (version_id, region));
                CREATE TABLE replicas (
                    version_id INTEGER NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
                    region TEXT NOT NULL, idx INTEGER NOT NULL,
                    storage_account_type TEXT NOT NULL, state TEXT NOT NULL,
                    bytes_done INTEGER NOT NULL, attempts INTEGER NOT NULL, retries INTEGER NOT NULL,
                    last_error TEXT, verified_digest TEXT, upload_id TEXT, updated_at REAL NOT NULL,
                    PRIMARY KEY (version_id, region, idx));
                """)
        }
    }
}
