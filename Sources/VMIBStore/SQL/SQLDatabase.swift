import Foundation

/// One transaction's connection, whichever database is behind it. Statements are written
/// once, in the SQL both SQLite and PostgreSQL take, with `?` placeholders.
public protocol SQLSession {
    /// Runs a statement; returns how many rows it changed.
    @discardableResult
    func execute(_ sql: String, _ arguments: [any SQLBindable]) throws -> Int
    func rows(_ sql: String, _ arguments: [any SQLBindable]) throws -> [SQLRow]
}

extension SQLSession {
    @discardableResult
    func execute(_ sql: String) throws -> Int { try execute(sql, []) }
    func rows(_ sql: String) throws -> [SQLRow] { try rows(sql, []) }

    func row(_ sql: String, _ arguments: [any SQLBindable] = []) throws -> SQLRow? {
        try rows(sql, arguments).first
    }

    /// The first column of the first row (nil when there is none, or it is NULL).
    func value<T: SQLDecodable>(_ sql: String, _ arguments: [any SQLBindable] = []) throws -> T? {
        guard let row = try row(sql, arguments) else { return nil }
        return T.decode(row.values[0])
    }

    func exists(_ sql: String, _ arguments: [any SQLBindable]) throws -> Bool {
        try row(sql, arguments) != nil
    }
}

/// A database the state store runs on: transactions handed a session. Every write runs
/// alone (SQLite has one writer; PostgreSQL's writes take one transaction-scoped advisory
/// lock), so a write's checks and changes see no other write between them, on any server.
public protocol SQLDatabase: Sendable {
    /// A read-only transaction on one consistent snapshot.
    func read<T>(_ body: (any SQLSession) throws -> T) throws -> T
    func write<T>(_ body: (any SQLSession) throws -> T) throws -> T
    /// One statement outside a transaction (it is consistent on its own): the API's hottest reads.
    func single<T>(_ body: (any SQLSession) throws -> T) throws -> T
    /// What `vmib` says the state is kept in (a path, or a URL without its password).
    var location: String { get }
}

extension SQLSession {
    /// The first column of the first row as `type` (nil when there is none, or it is NULL).
    func one<T: SQLDecodable>(_ type: T.Type, _ sql: String, _ arguments: [any SQLBindable] = []) throws -> T? {
        try value(sql, arguments)
    }
}
