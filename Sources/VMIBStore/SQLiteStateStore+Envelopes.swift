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
            try db.execute(sql: "INSERT OR REPLACE INTO resource_envelopes (id, location, tags) VALUES (?, ?, ?)",
                           arguments: [id.lowercased(), e.location, tags])
        }
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
