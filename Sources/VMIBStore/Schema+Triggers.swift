import GRDB

extension Schema {
    /// Triggers on image templates (Azure's imageTemplates/triggers), and on each run the
    /// trigger and source version that started it. A trigger goes with its template.
    static func registerTemplateTriggers(_ m: inout DatabaseMigrator) {
        m.registerMigration("v9-template-triggers") { db in
            try db.execute(sql: """
                CREATE TABLE template_triggers (
                    subscription TEXT NOT NULL, resource_group TEXT NOT NULL COLLATE NOCASE,
                    template TEXT NOT NULL COLLATE NOCASE, name TEXT NOT NULL COLLATE NOCASE,
                    kind TEXT NOT NULL, created_at REAL NOT NULL, created_by TEXT,
                    last_source_version TEXT, last_triggered_version TEXT, last_run_id TEXT,
                    status_code TEXT NOT NULL, status_message TEXT NOT NULL, status_time REAL NOT NULL,
                    PRIMARY KEY (subscription, resource_group, template, name),
                    FOREIGN KEY (subscription, resource_group, template)
                        REFERENCES templates (subscription, resource_group, name) ON DELETE CASCADE);
                ALTER TABLE template_runs ADD COLUMN trigger_name TEXT;
                ALTER TABLE template_runs ADD COLUMN trigger_source_version TEXT;
                """)
        }
    }
}
