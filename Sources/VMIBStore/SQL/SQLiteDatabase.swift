import Foundation
import GRDB
import GRDBSQLite

/// The state in one SQLite file (WAL mode), through GRDB over the system libsqlite3: the
/// embedded default.
final class SQLiteDatabase: SQLDatabase {
    let pool: DatabasePool
    let location: String

    /// Opens (creating when missing) the database at `path` and applies pending migrations.
    /// With `trace`, the SQL of every statement any connection runs (tests count them).
    init(path: String, trace: (@Sendable (String) -> Void)?) throws {
        location = path
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            if let trace { db.trace(options: .statement) { trace($0.expandedDescription) } }
        }
        // Processes that open a new state directory at once (a server, its agents, a CLI)
        // take turns to open and migrate it: two migrating together both saw a migration
        // unapplied and the second failed on "duplicate column"; two switching a new file to
        // WAL together failed "database is locked" (no busy wait for that).
        let lock = open(path + ".open-lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if lock >= 0 { flock(lock, LOCK_EX) }
        defer { if lock >= 0 { flock(lock, LOCK_UN); close(lock) } }
        do {
            pool = try DatabasePool(path: path, configuration: config)
            let migrator = Schema.migrator
            if try pool.read({ try migrator.hasBeenSuperseded($0) }) {
                throw StoreError(.database, "\(path) was written by a newer vmib (unknown migrations); refusing to use it")
            }
            try migrator.migrate(pool)
        } catch let e as StoreError {
            throw e
        } catch {
            throw StoreError(.database, "cannot open state database \(path): \(error)")
        }
    }

    func read<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        do { return try pool.read { try body(Session(db: $0)) } } catch { throw Self.wrap(error) }
    }

    func write<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        do { return try pool.write { try body(Session(db: $0)) } } catch { throw Self.wrap(error) }
    }

    /// No BEGIN and COMMIT around one statement (a third of a one-row read's cost).
    func single<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        do { return try pool.unsafeRead { try body(Session(db: $0)) } } catch { throw Self.wrap(error) }
    }

    static func wrap(_ error: any Error) -> any Error {
        if error is StoreError { return error }
        if let e = error as? DatabaseError {
            let busy = e.resultCode == .SQLITE_BUSY || e.resultCode == .SQLITE_LOCKED
            return StoreError(.database, "state database: \(e.message ?? "\(e.resultCode)")", isTransient: busy)
        }
        // A caller's own check, run inside the transaction, keeps its meaning.
        return error
    }

    struct Session: SQLSession {
        let db: Database

        func execute(_ sql: String, _ arguments: [any SQLBindable]) throws -> Int {
            try db.cachedStatement(sql: sql).execute(arguments: Self.arguments(arguments))
            return db.changesCount
        }

        func rows(_ sql: String, _ arguments: [any SQLBindable]) throws -> [SQLRow] {
            let statement = try db.cachedStatement(sql: sql)
            let cursor = try Row.fetchCursor(statement, arguments: Self.arguments(arguments))
            // Each stepped row's columns read straight from SQLite (no GRDB row in between: a
            // version's 6000 replica records are read on the API's hot path). The names are
            // read after the first step, not from the statement before it ran: a statement
            // prepared on a schema that a migration changed since is prepared again by its
            // first step, and `SELECT *` then has more columns than it said beforehand.
            let s = statement.sqliteStatement
            var rows: [SQLRow] = []
            var columns: SQLRow.Columns?
            while try cursor.next() != nil {
                let n = sqlite3_column_count(s)
                let names = columns ?? SQLRow.Columns((0..<n).map { String(cString: sqlite3_column_name(s, $0)) })
                columns = names
                var values: [SQLValue] = []
                values.reserveCapacity(Int(n))
                for i in 0..<n {
                    switch sqlite3_column_type(s, i) {
                    case SQLITE_INTEGER: values.append(.int(sqlite3_column_int64(s, i)))
                    case SQLITE_FLOAT: values.append(.double(sqlite3_column_double(s, i)))
                    case SQLITE_NULL: values.append(.null(.text))
                    default: values.append(.text(sqlite3_column_text(s, i).map { String(cString: $0) } ?? ""))
                    }
                }
                rows.append(SQLRow(columns: names, values: values))
            }
            return rows
        }

        static func arguments(_ values: [any SQLBindable]) -> StatementArguments {
            StatementArguments(values.map { v -> (any DatabaseValueConvertible)? in
                switch v.sqlValue {
                case .null: nil
                case .int(let i): i
                case .double(let d): d
                case .text(let s): s
                }
            })
        }

    }
}
