import GRDB

extension Schema {
    /// Image templates and their runs (issue: templates and the build engine).
    static func registerTemplates(_ m: inout DatabaseMigrator) {}
}
