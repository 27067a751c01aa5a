import GRDB

extension Schema {
    /// Image templates and their runs (issue: templates and the build engine).
    static func registerTemplates(_ m: inout DatabaseMigrator) {
        m.registerMigration("v2-templates-runs") { db in
            try db.execute(sql: """
                CREATE TABLE templates (
                    subscription TEXT NOT NULL, resource_group TEXT NOT NULL COLLATE NOCASE,
                    name TEXT NOT NULL COLLATE NOCASE, body TEXT NOT NULL, created_at REAL NOT NULL,
                    PRIMARY KEY (subscription, resource_group, name));
                CREATE TABLE template_runs (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
                    subscription TEXT NOT NULL, resource_group TEXT NOT NULL COLLATE NOCASE,
                    template TEXT NOT NULL COLLATE NOCASE,
                    state TEXT NOT NULL, sub_state TEXT, message TEXT NOT NULL,
                    start_time REAL NOT NULL, end_time REAL, staging TEXT NOT NULL, worker_pid INTEGER,
                    FOREIGN KEY (subscription, resource_group, template)
                        REFERENCES templates (subscription, resource_group, name) ON DELETE CASCADE);
                CREATE INDEX template_runs_by_template ON template_runs (subscription, resource_group, template);
                CREATE TABLE run_outputs (
                    subscription TEXT NOT NULL, resource_group TEXT NOT NULL COLLATE NOCASE,
                    template TEXT NOT NULL COLLATE NOCASE, name TEXT NOT NULL COLLATE NOCASE,
                    run_id TEXT NOT NULL, type TEXT NOT NULL, artifact_id TEXT, artifact_uri TEXT,
                    provisioning_state TEXT NOT NULL, message TEXT,
                    PRIMARY KEY (subscription, resource_group, template, name),
                    FOREIGN KEY (subscription, resource_group, template)
                        REFERENCES templates (subscription, resource_group, name) ON DELETE CASCADE);
                CREATE TABLE managed_images (
                    subscription TEXT NOT NULL, resource_group TEXT NOT NULL COLLATE NOCASE,
                    name TEXT NOT NULL COLLATE NOCASE, location TEXT NOT NULL, path TEXT NOT NULL,
                    sha256 TEXT NOT NULL, size_bytes INTEGER NOT NULL, created_at REAL NOT NULL,
                    PRIMARY KEY (subscription, resource_group, name));
                """)
        }
    }
}
