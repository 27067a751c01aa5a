import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

/// The state in a PostgreSQL database that several vmib servers share, through postgres-nio.
///
/// The store's calls are synchronous, so each runs on a connection taken from a small pool
/// and waits on its own event loop thread (never one of the server's). Every write takes
/// one transaction-scoped advisory lock first: writes run one at a time across every
/// server, as on SQLite, so a write's checks and changes see no other write between them.
/// Reads run on one REPEATABLE READ snapshot and take no lock.
final class PostgresDatabase: SQLDatabase {
    let location: String
    private let configuration: PostgresConnection.Configuration
    private let group: MultiThreadedEventLoopGroup
    private let idle = Mutex<[PostgresConnection]>([])
    /// Connections open or being opened, at most `maxConnections`; a call that finds none
    /// idle and the limit reached waits for one to come back.
    private let slots: DispatchSemaphore
    static let maxConnections = 16
    private let nextID = Atomic<Int>(0)
    private let logger: Logger
    /// The advisory lock every write takes (any constant; "vmib" in ASCII).
    static let writeLock: Int64 = 0x766d_6962

    /// Connects to `url` (`postgres://user[:password]@host[:port]/database`) and applies
    /// pending migrations.
    /// - Throws: `StoreError.database` naming what is wrong with the URL, the server's
    ///   refusal, or a schema from a newer vmib.
    init(url: String, migrate: Bool = true) throws {
        guard let c = URLComponents(string: url), ["postgres", "postgresql"].contains(c.scheme ?? ""),
              let host = c.host, !host.isEmpty else {
            throw StoreError(.database, "--store '\(Self.redacted(url))' is not a PostgreSQL URL; expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE")
        }
        let database = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        guard !database.isEmpty else {
            throw StoreError(.database, "--store '\(Self.redacted(url))' names no database; expected postgres://USER@HOST[:PORT]/DATABASE")
        }
        configuration = PostgresConnection.Configuration(
            host: host, port: c.port ?? 5432, username: c.user ?? "postgres", password: c.password,
            database: database, tls: .disable)
        location = Self.redacted(url)
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        slots = DispatchSemaphore(value: Self.maxConnections)
        var logger = Logger(label: "vmib.store.postgres")
        logger.logLevel = .critical
        self.logger = logger
        if migrate { try self.migrate() }
    }

    deinit {
        for connection in idle.withLock({ $0 }) { _ = try? connection.close().wait() }
        try? group.syncShutdownGracefully()
    }

    static func redacted(_ url: String) -> String {
        guard var c = URLComponents(string: url), c.password != nil else { return url }
        c.password = "***"
        return c.string ?? url
    }

    // MARK: transactions

    func read<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    func write<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try transaction(begin: "BEGIN; SELECT pg_advisory_xact_lock(\(Self.writeLock))", body)
    }

    func single<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try withConnection { try body(Session(connection: $0, logger: logger)) }
    }

    private func transaction<T>(begin: String, _ body: (any SQLSession) throws -> T) throws -> T {
        try withConnection { connection in
            let session = Session(connection: connection, logger: logger)
            try session.simple(begin)
            do {
                let result = try body(session)
                try session.simple("COMMIT")
                return result
            } catch {
                _ = try? session.simple("ROLLBACK")
                throw error
            }
        }
    }

    /// Runs `body` on an idle connection (a new one when none is idle) and puts it back
    /// unless it closed.
    private func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        // A slot per connection in use: the store's calls block their thread (they never
        // need another task to progress), so a wait here cannot deadlock.
        slots.wait()
        defer { slots.signal() }
        let connection = try idle.withLock { $0.popLast() } ?? connect()
        defer {
            if !connection.isClosed { idle.withLock { $0.append(connection) } }
        }
        do { return try body(connection) } catch { throw Self.wrap(error) }
    }

    private func connect() throws -> PostgresConnection {
        do {
            return try PostgresConnection.connect(on: group.next(), configuration: configuration,
                                                  id: nextID.add(1, ordering: .relaxed).newValue, logger: logger).wait()
        } catch {
            throw StoreError(.database, "cannot connect to the state database \(location): \(Self.describe(error))", isTransient: true)
        }
    }

    static func wrap(_ error: any Error) -> any Error {
        guard let e = error as? PSQLError else { return error }
        let state = e.serverInfo?[.sqlState] ?? ""
        // Serialization failures, deadlocks, and a connection lost: a retry can get past them.
        let transient = state.hasPrefix("40") || state == "55P03" || e.serverInfo == nil
        return StoreError(.database, "state database: \(describe(error))", isTransient: transient)
    }

    static func describe(_ error: any Error) -> String {
        guard let e = error as? PSQLError else { return "\(error)" }
        if let info = e.serverInfo {
            return [info[.message], info[.detail]].compactMap { $0 }.joined(separator: ": ") + " (SQLSTATE \(info[.sqlState] ?? "?"))"
        }
        return "\(e.code)" + (e.underlying.map { ": \($0)" } ?? "")
    }

    // MARK: migrations

    /// Applies the migrations not applied yet, in order, each in its own transaction, under
    /// a session advisory lock so that servers starting together take turns.
    private func migrate() throws {
        try withConnection { connection in
            let session = Session(connection: connection, logger: logger)
            try session.simple("SELECT pg_advisory_lock(\(Self.writeLock + 1))")
            defer { _ = try? session.simple("SELECT pg_advisory_unlock(\(Self.writeLock + 1))") }
            try session.simple("CREATE TABLE IF NOT EXISTS vmib_migrations (id TEXT PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)")
            let applied = Set(try session.rows("SELECT id FROM vmib_migrations", []).map { $0["id"] as String })
            let known = Set(PostgresSchema.migrations.map(\.id))
            if !applied.subtracting(known).isEmpty {
                throw StoreError(.database, "\(location) was written by a newer vmib (unknown migrations); refusing to use it")
            }
            for m in PostgresSchema.migrations where !applied.contains(m.id) {
                try session.simple("BEGIN")
                do {
                    try session.simple(m.sql)
                    try session.execute("INSERT INTO vmib_migrations (id, applied_at) VALUES (?, ?)", [m.id, Date().timeIntervalSince1970])
                    try session.simple("COMMIT")
                } catch {
                    _ = try? session.simple("ROLLBACK")
                    throw StoreError(.database, "cannot apply migration \(m.id) to \(location): \(Self.describe(error))")
                }
            }
        }
    }

    // MARK: statements

    struct Session: SQLSession {
        let connection: PostgresConnection
        let logger: Logger

        /// Statements without arguments, separated by `;` (none inside quotes), one at a time:
        /// postgres-nio sends each as an extended-protocol query, which takes one statement.
        func simple(_ sql: String) throws {
            var statement = "", quoted = false
            for ch in sql + ";" {
                if ch == "'" { quoted.toggle() }
                guard ch == ";", !quoted else { statement.append(ch); continue }
                let text = statement.trimmingCharacters(in: .whitespacesAndNewlines)
                statement = ""
                if !text.isEmpty { _ = try connection.query(PostgresQuery(unsafeSQL: text), logger: logger).wait() }
            }
        }

        func execute(_ sql: String, _ arguments: [any SQLBindable]) throws -> Int {
            try run(sql, arguments).metadata.rows ?? 0
        }

        func rows(_ sql: String, _ arguments: [any SQLBindable]) throws -> [SQLRow] {
            let result = try run(sql, arguments)
            guard let first = result.rows.first else { return [] }
            let columns = SQLRow.Columns(first.map(\.columnName))
            return try result.rows.map { row in SQLRow(columns: columns, values: try row.map(Self.value)) }
        }

        private func run(_ sql: String, _ arguments: [any SQLBindable]) throws -> PostgresQueryResult {
            let values = arguments.map(\.sqlValue)
            var binds = PostgresBindings(capacity: values.count)
            for v in values {
                switch v {
                case .null: binds.appendNull()
                case .int(let i): binds.append(i)
                case .double(let d): binds.append(d)
                case .text(let s): binds.append(s)
                }
            }
            let query = PostgresQuery(unsafeSQL: Self.numbered(sql, values), binds: binds)
            return try connection.query(query, logger: logger).wait()
        }

        /// `?` placeholders as PostgreSQL's `$1`, `$2`, … each cast to its argument's type
        /// (a NULL too: PostgreSQL infers no type for `? IS NULL`). Quoted text is left alone.
        static func numbered(_ sql: String, _ values: [SQLValue]) -> String {
            var out = "", n = 0, quoted = false
            out.reserveCapacity(sql.utf8.count + values.count * 12)
            for ch in sql {
                if ch == "'" { quoted.toggle() }
                guard ch == "?", !quoted else { out.append(ch); continue }
                let type: SQLType = switch values[n] {
                case .null(let t): t
                case .int: .int
                case .double: .double
                case .text: .text
                }
                n += 1
                out += "$\(n)::" + (type == .int ? "bigint" : type == .double ? "double precision" : "text")
            }
            return out
        }

        static func value(_ cell: PostgresCell) throws -> SQLValue {
            guard cell.bytes != nil else { return .null(.text) }
            switch cell.dataType {
            case .int2, .int4, .int8: return .int(try cell.decode(Int64.self))
            case .float4, .float8: return .double(try cell.decode(Double.self))
            case .bool: return .int(try cell.decode(Bool.self) ? 1 : 0)
            default: return .text(try cell.decode(String.self))
            }
        }
    }
}

extension SQLStateStore {
    /// Creates an empty database `name` on the server of `url` (whose database is only
    /// connected to), and returns the URL of the new one: tests and benchmarks get a
    /// database of their own this way.
    public static func createPostgresDatabase(_ name: String, on url: String) throws -> String {
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), var c = URLComponents(string: url) else {
            throw StoreError(.database, "cannot create database '\(name)' on \(PostgresDatabase.redacted(url))")
        }
        let admin = try PostgresDatabase(url: url, migrate: false)
        try admin.single { db in _ = try (db as! PostgresDatabase.Session).simple("CREATE DATABASE \(name)") }
        c.path = "/" + name
        return c.string ?? url
    }
}
