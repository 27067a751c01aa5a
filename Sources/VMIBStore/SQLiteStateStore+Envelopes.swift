import Foundation
import GRDB
import VMIBCore

/// Resource Manager envelopes. Ids are case-insensitive, as Resource Manager's are; deleting
/// a gallery, image or version record deletes its envelope in the same transaction.
extension SQLiteStateStore {
    public func envelope(of id: String) throws -> ResourceEnvelope? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT location, tags FROM resource_envelopes WHERE id=?", arguments: [id.lowercased()])
                .map { Self.envelope(location: $0[0], tags: $0[1]) }
        }
    }

    public func envelopes(under parent: String) throws -> [String: ResourceEnvelope] {
        let prefix = parent.lowercased() + "/"
        return try read { db in
            var out: [String: ResourceEnvelope] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, location, tags FROM resource_envelopes WHERE substr(id, 1, ?) = ?",
                                        arguments: [prefix.count, prefix]) {
                out[row[0]] = Self.envelope(location: row[1], tags: row[2])
            }
            return out
        }
    }

    public func saveEnvelope(_ e: ResourceEnvelope, of id: String) throws {
        let tags = String(decoding: try JSONEncoder.sorted.encode(e.tags), as: UTF8.self)
        try write { db in
            let old = try Row.fetchOne(db, sql: "SELECT location, tags FROM resource_envelopes WHERE id=?", arguments: [id.lowercased()])
            if let old, old[0] as String == e.location, old[1] as String == tags { return }
            try db.execute(sql: "INSERT OR REPLACE INTO resource_envelopes (id, location, tags) VALUES (?, ?, ?)",
                           arguments: [id.lowercased(), e.location, tags])
            // Tags are part of the resource: its ETag moves with them.
            if old != nil { try self.bumpGeneration(db, ofResource: id) } else { try self.bumpStatusGeneration(db, ofResource: id) }
        }
    }

    /// The first envelope of a version made without one (its PUT records it right after the
    /// version, or a CLI-made version gets one): not a change of desired state, yet the
    /// version's JSON changes (location), so what was rendered before must not be served.
    private func bumpStatusGeneration(_ db: Database, ofResource id: String) throws {
        try db.execute(sql: """
            UPDATE versions SET status_generation=status_generation+1
            WHERE \(Self.versionIDExpression) = ?
            """, arguments: [id.lowercased()])
    }

    private static let versionIDExpression = """
        lower('/subscriptions/' || subscription || '/resourceGroups/' || resource_group || '/providers/Microsoft.Compute/galleries/'
              || gallery || '/images/' || image || '/versions/' || major || '.' || minor || '.' || patch)
        """

    /// Bumps the generation of the gallery, image or version record that `id` names.
    private func bumpGeneration(_ db: Database, ofResource id: String) throws {
        let base = "lower('/subscriptions/' || subscription || '/resourceGroups/' || resource_group || '/providers/Microsoft.Compute/galleries/'"
        try db.execute(sql: "UPDATE galleries SET generation=generation+1 WHERE \(base) || name) = ?", arguments: [id.lowercased()])
        try db.execute(sql: "UPDATE images SET generation=generation+1 WHERE \(base) || gallery || '/images/' || name) = ?",
                       arguments: [id.lowercased()])
        try db.execute(sql: """
            UPDATE versions SET generation=generation+1
            WHERE \(base) || gallery || '/images/' || image || '/versions/' || major || '.' || minor || '.' || patch) = ?
            """, arguments: [id.lowercased()])
    }

    /// Within a write that removes the resource's record.
    func deleteEnvelope(_ db: Database, of id: String) throws {
        try db.execute(sql: "DELETE FROM resource_envelopes WHERE id=?", arguments: [id.lowercased()])
    }

    private static func envelope(location: String, tags: String) -> ResourceEnvelope {
        ResourceEnvelope(location: location, tags: (try? JSONDecoder().decode([String: String].self, from: Data(tags.utf8))) ?? [:])
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}
