import Foundation

/// One value bound to or read from a statement, the same for every backend. A NULL keeps
/// its type: PostgreSQL cannot infer one for `? IS NULL`.
public enum SQLValue: Sendable, Equatable {
    case null(SQLType)
    case int(Int64)
    case double(Double)
    case text(String)
}

public enum SQLType: Sendable, Equatable { case int, double, text }

/// A Swift value a statement can bind (booleans as 0 or 1, as SQLite stores them).
public protocol SQLBindable: Sendable {
    static var sqlType: SQLType { get }
    var sqlValue: SQLValue { get }
}

/// A Swift value a column can be read as.
public protocol SQLDecodable {
    static func decode(_ value: SQLValue) -> Self?
}

extension Int64: SQLBindable, SQLDecodable {
    public static var sqlType: SQLType { .int }
    public var sqlValue: SQLValue { .int(self) }
    public static func decode(_ value: SQLValue) -> Int64? {
        switch value {
        case .int(let i): i
        case .double(let d): Int64(d)
        case .text(let s): Int64(s)
        case .null: nil
        }
    }
}

extension Int: SQLBindable, SQLDecodable {
    public static var sqlType: SQLType { .int }
    public var sqlValue: SQLValue { .int(Int64(self)) }
    public static func decode(_ value: SQLValue) -> Int? { Int64.decode(value).map(Int.init) }
}

extension Bool: SQLBindable, SQLDecodable {
    public static var sqlType: SQLType { .int }
    public var sqlValue: SQLValue { .int(self ? 1 : 0) }
    public static func decode(_ value: SQLValue) -> Bool? { Int64.decode(value).map { $0 != 0 } }
}

extension Double: SQLBindable, SQLDecodable {
    public static var sqlType: SQLType { .double }
    public var sqlValue: SQLValue { .double(self) }
    public static func decode(_ value: SQLValue) -> Double? {
        switch value {
        case .int(let i): Double(i)
        case .double(let d): d
        case .text(let s): Double(s)
        case .null: nil
        }
    }
}

extension String: SQLBindable, SQLDecodable {
    public static var sqlType: SQLType { .text }
    public var sqlValue: SQLValue { .text(self) }
    public static func decode(_ value: SQLValue) -> String? {
        switch value {
        case .text(let s): s
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .null: nil
        }
    }
}

extension Optional: SQLBindable where Wrapped: SQLBindable {
    public static var sqlType: SQLType { Wrapped.sqlType }
    public var sqlValue: SQLValue { self?.sqlValue ?? .null(Wrapped.sqlType) }
}

extension Optional: SQLDecodable where Wrapped: SQLDecodable {
    public static func decode(_ value: SQLValue) -> Wrapped?? {
        if case .null = value { return .some(nil) }
        return Wrapped.decode(value).map { .some($0) }
    }
}

/// One row of a result, by column name (lower case) or position.
public struct SQLRow: Sendable {
    final class Columns: Sendable {
        let index: [String: Int]
        init(_ names: [String]) {
            index = Dictionary(names.enumerated().map { ($0.element.lowercased(), $0.offset) }, uniquingKeysWith: { a, _ in a })
        }
    }
    let columns: Columns
    let values: [SQLValue]

    public subscript<T: SQLDecodable>(_ name: String) -> T {
        guard let i = columns.index[name] else { preconditionFailure("no column '\(name)' in the result") }
        return self[i]
    }

    public subscript<T: SQLDecodable>(_ position: Int) -> T {
        guard let v = T.decode(values[position]) else {
            preconditionFailure("column \(position) holds \(values[position]), not a \(T.self)")
        }
        return v
    }
}

extension Int32: SQLBindable, SQLDecodable {
    public static var sqlType: SQLType { .int }
    public var sqlValue: SQLValue { .int(Int64(self)) }
    public static func decode(_ value: SQLValue) -> Int32? { Int64.decode(value).map { Int32(truncatingIfNeeded: $0) } }
}
