import GRDB

extension Schema {
    /// Who created and who last changed a template (the API's principal; nil from the
    /// embedded CLI), rendered as Azure's `systemData`.
    static func registerTemplatePrincipals(_ m: inout DatabaseMigrator) {
        m.registerMigration("v8-template-principals") { db in
            try db.execute(sql: "ALTER TABLE templates ADD COLUMN created_by TEXT")
            try db.execute(sql: "ALTER TABLE templates ADD COLUMN last_modified_by TEXT")
            try db.execute(sql: "ALTER TABLE templates ADD COLUMN last_modified_at REAL")
        }
    }
}
