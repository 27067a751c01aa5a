import Foundation
import VMIBCore

/// Resource Manager envelopes. Ids are case-insensitive, as Resource Manager's are; deleting
/// a gallery, image or version record deletes its envelope in the same transaction.
extension SQLStateStore {
    public func envelope(of id: String) throws -> ResourceEnvelope? {
        try read { db in
            try db.row("SELECT location, tags FROM resource_envelopes WHERE id=?", [id.lowercased()])
                .map { Self.envelope(location: $0[0], tags: $0[1]) }
        }
    }

    public func envelopes(under parent: String) throws -> [String: ResourceEnvelope] {
        let prefix = parent.lowercased() + "/"
        return try read { db in
            var out: [String: ResourceEnvelope] = [:]
            for row in try db.rows("SELECT id, location, tags FROM resource_envelopes WHERE substr(id, 1, CAST(? AS INTEGER)) = ?", [prefix.count, prefix]) {
                out[row[0]] = Self.envelope(location: row[1], tags: row[2])
            }
            return out
        }
    }

    public func saveEnvelope(_ e: ResourceEnvelope, of id: String) throws {
        let tags = String(decoding: try JSONEncoder.sorted.encode(e.tags), as: UTF8.self)
        try write { db in
            let old = try db.row("SELECT location, tags FROM resource_envelopes WHERE id=?", [id.lowercased()])
            if let old, old[0] as String == e.location, old[1] as String == tags { return }
            try db.execute("INSERT INTO resource_envelopes (id, location, tags) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET location=excluded.location, tags=excluded.tags", [id.lowercased(), e.location, tags])
            // Tags are part of the resource: its ETag moves with them.
            if old != nil { try self.bumpGeneration(db, ofResource: id) } else { try self.bumpStatusGeneration(db, ofResource: id) }
        }
    }

    /// The first envelope of a version made without one (its PUT records it right after the
    /// version, or a CLI-made version gets one): not a change of desired state, yet the
    /// version's JSON changes (location), so what was rendered before must not be served.
    private func bumpStatusGeneration(_ db: any SQLSession, ofResource id: String) throws {
        try db.execute("""
            UPDATE versions SET status_generation=status_generation+1
            WHERE \(Self.versionIDExpression) = ?
            """, [id.lowercased()])
    }

    private static let versionIDExpression = """
        lower('/subscriptions/' || subscription || '/resourceGroups/' || resource_group || '/providers/Microsoft.Compute/galleries/'
              || gallery || '/images/' || image || '/versions/' || major || '.' || minor || '.' || patch)
        """

    /// Bumps the generation of the gallery, image or version record that `id` names.
    private func bumpGeneration(_ db: any SQLSession, ofResource id: String) throws {
        let base = "lower('/subscriptions/' || subscription || '/resourceGroups/' || resource_group || '/providers/Microsoft.Compute/galleries/'"
        try db.execute("UPDATE galleries SET generation=generation+1 WHERE \(base) || name) = ?", [id.lowercased()])
        try db.execute("UPDATE images SET generation=generation+1 WHERE \(base) || gallery || '/images/' || name) = ?", [id.lowercased()])
        try db.execute("""
            UPDATE versions SET generation=generation+1
            WHERE \(base) || gallery || '/images/' || image || '/versions/' || major || '.' || minor || '.' || patch) = ?
            """, [id.lowercased()])
    }

    /// Within a write that removes the resource's record.
    func deleteEnvelope(_ db: any SQLSession, of id: String) throws {
        try db.execute("DELETE FROM resource_envelopes WHERE id=?", [id.lowercased()])
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
