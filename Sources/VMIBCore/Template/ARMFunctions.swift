import Foundation

/// The functions of ARM's template language that need nothing but their arguments, with
/// Azure's semantics (numbers are 64-bit integers; `string(true)` is `True`; `startsWith`,
/// `endsWith`, `indexOf` compare without case, `contains` and `replace` with case; string
/// lengths and positions count UTF-16 units, as .NET does). The functions that need the
/// deployment (`parameters`, `variables`, `resourceGroup`, `subscription`, `resourceId`) or
/// evaluate lazily (`if`) are the evaluator's (`ARMDeployment`).
public enum ARMFunctions {
    /// A function refused its arguments; the evaluator adds where.
    public struct Failure: Error, Sendable {
        public var message: String
    }

    /// The names `apply` knows, as Azure's documentation spells them.
    public static let names = [
        "add", "and", "base64", "base64ToString", "bool", "coalesce", "concat", "contains", "createArray", "createObject",
        "div", "empty", "endsWith", "equals", "false", "first", "format", "greater", "greaterOrEquals", "guid", "indexOf",
        "int", "join", "json", "last", "lastIndexOf", "length", "less", "lessOrEquals", "max", "min", "mod", "mul", "not",
        "null", "or", "padLeft", "range", "replace", "skip", "split", "startsWith", "string", "sub", "substring", "take",
        "toLower", "toUpper", "trim", "true", "uniqueString",
    ]
    static let byLowercasedName = Dictionary(uniqueKeysWithValues: names.map { ($0.lowercased(), $0) })

    /// Calls the function `name` (any case), or returns nil when there is none by that name.
    /// - Throws: `Failure` naming the function and the argument at fault.
    public static func apply(_ name: String, _ a: [JSONValue]) throws -> JSONValue? {
        guard let f = byLowercasedName[name.lowercased()] else { return nil }
        var args = Arguments(function: f, values: a)
        switch f {
        case "true": try args.count(0); return .bool(true)
        case "false": try args.count(0); return .bool(false)
        case "null": try args.count(0); return .null

        case "concat":
            try args.atLeast(1)
            if a.allSatisfy({ $0.arrayValue != nil }) { return .array(a.flatMap { $0.arrayValue! }) }
            return .string(try a.indices.map { i throws in try args.text(i) }.joined())
        case "format":
            try args.atLeast(1)
            return .string(try NETFormat.format(try args.string(0), Array(a.dropFirst()), function: f))
        case "toLower": try args.count(1); return .string(try args.string(0).lowercased())
        case "toUpper": try args.count(1); return .string(try args.string(0).uppercased())
        case "trim": try args.count(1); return .string(try args.string(0).trimmingCharacters(in: .whitespacesAndNewlines))
        case "replace":
            try args.count(3)
            let s = try args.string(0), old = try args.string(1), new = try args.string(2)
            guard !old.isEmpty else { throw args.fail("its second argument (the text to replace) must not be empty") }
            return .string(s.replacingOccurrences(of: old, with: new))
        case "substring":
            try args.range(2...3)
            let s = Array(try args.string(0).utf16)
            let start = try args.integer(1)
            let length = a.count == 3 ? try args.integer(2) : Int64(s.count) - start
            guard start >= 0, length >= 0, start + length <= s.count else {
                throw args.fail("start \(start) and length \(length) must lie within the string (length \(s.count))")
            }
            return .string(String(decoding: s[Int(start)..<Int(start + length)], as: UTF16.self))
        case "startsWith":
            try args.count(2)
            return .bool(try args.string(0).lowercased().hasPrefix(try args.string(1).lowercased()))
        case "endsWith":
            try args.count(2)
            return .bool(try args.string(0).lowercased().hasSuffix(try args.string(1).lowercased()))
        case "indexOf", "lastIndexOf":
            try args.count(2)
            return .number(Double(try position(of: a[1], in: a[0], last: f == "lastIndexOf", args: args)))
        case "padLeft":
            try args.range(2...3)
            let s = try args.text(0), width = try args.integer(1)
            let pad = a.count == 3 ? try args.string(2) : " "
            guard pad.utf16.count == 1 else { throw args.fail("its third argument must be one character") }
            guard width <= 16_384 else { throw args.fail("the total length may be at most 16384") }
            let missing = max(0, Int(width) - s.utf16.count)
            return .string(String(repeating: pad, count: missing) + s)
        case "split":
            try args.count(2)
            let s = try args.string(0)
            let delimiters: [String]
            if let list = a[1].arrayValue {
                delimiters = try list.map { v throws in
                    guard let d = v.stringValue else { throw args.fail("its delimiters must be strings") }
                    return d
                }
            } else { delimiters = [try args.string(1)] }
            return .array(split(s, on: delimiters.filter { !$0.isEmpty }).map(JSONValue.string))
        case "join":
            try args.count(2)
            guard let items = a[0].arrayValue else { throw args.fail("its first argument must be an array, got \(a[0].typeName)") }
            let parts = try items.map { v throws in
                guard let t = text(v) else { throw args.fail("the array's items must be strings, numbers or booleans, got \(v.typeName)") }
                return t
            }
            return .string(parts.joined(separator: try args.string(1)))
        case "base64": try args.count(1); return .string(Data(try args.string(0).utf8).base64EncodedString())
        case "base64ToString":
            try args.count(1)
            guard let d = Data(base64Encoded: try args.string(0)), let s = String(data: d, encoding: .utf8) else {
                throw args.fail("its argument is not base64 of UTF-8 text")
            }
            return .string(s)
        case "uniqueString": try args.atLeast(1); return .string(ARMHash.uniqueString(try args.strings()))
        case "guid": try args.atLeast(1); return .string(ARMHash.guid(try args.strings()))

        case "string":
            try args.count(1)
            if case .string = a[0] { return a[0] }
            return .string(text(a[0]) ?? a[0].text)
        case "int":
            try args.count(1)
            switch a[0] {
            case .number: return .number(Double(try args.integer(0)))
            case .string(let s):
                guard let n = Int64(s.trimmingCharacters(in: .whitespaces)) else { throw args.fail("'\(s)' is not an integer") }
                return .number(Double(n))
            default: throw args.fail("its argument must be an integer or a string, got \(a[0].typeName)")
            }
        case "bool":
            try args.count(1)
            switch a[0] {
            case .bool: return a[0]
            case .number(let n): return .bool(n != 0)
            case .string(let s):
                guard let b = Bool(s.lowercased().trimmingCharacters(in: .whitespaces)) else { throw args.fail("'\(s)' is not true or false") }
                return .bool(b)
            default: throw args.fail("its argument must be a boolean, a string or an integer, got \(a[0].typeName)")
            }
        case "json":
            try args.count(1)
            do { return try JSONParser.parse(try args.string(0)) } catch let e as JSONParser.SyntaxError {
                throw args.fail("its argument is not JSON: \(e)")
            } catch { throw args.fail("its argument is not JSON") }
        case "createArray": return .array(a)
        case "createObject":
            guard a.count % 2 == 0 else { throw args.fail("takes name, value pairs: an even number of arguments, got \(a.count)") }
            return .object(try stride(from: 0, to: a.count, by: 2).map { i throws in (try args.string(i), a[i + 1]) })

        case "length":
            try args.count(1)
            switch a[0] {
            case .string(let s): return .number(Double(s.utf16.count))
            case .array(let items): return .number(Double(items.count))
            case .object(let members): return .number(Double(members.count))
            default: throw args.fail("its argument must be a string, an array or an object, got \(a[0].typeName)")
            }
        case "empty":
            try args.count(1)
            switch a[0] {
            case .null: return .bool(true)
            case .string(let s): return .bool(s.isEmpty)
            case .array(let items): return .bool(items.isEmpty)
            case .object(let members): return .bool(members.isEmpty)
            default: throw args.fail("its argument must be a string, an array or an object, got \(a[0].typeName)")
            }
        case "contains":
            try args.count(2)
            switch a[0] {
            case .string(let s):
                guard let t = text(a[1]) else { throw args.fail("a string can contain only a string, number or boolean, got \(a[1].typeName)") }
                return .bool(s.contains(t))
            case .array(let items): return .bool(items.contains { $0.canonical == a[1].canonical })
            case .object(let members):
                let key = try args.string(1).lowercased()
                return .bool(members.contains { $0.key.lowercased() == key })
            default: throw args.fail("its first argument must be a string, an array or an object, got \(a[0].typeName)")
            }
        case "first", "last":
            try args.count(1)
            switch a[0] {
            case .string(let s): return .string((f == "first" ? s.first : s.last).map { String($0) } ?? "")
            case .array(let items): return (f == "first" ? items.first : items.last) ?? .null
            default: throw args.fail("its argument must be a string or an array, got \(a[0].typeName)")
            }
        case "take", "skip":
            try args.count(2)
            let n = max(0, try args.integer(1))
            switch a[0] {
            case .string(let s):
                let u = Array(s.utf16), k = Int(min(n, Int64(u.count)))
                return .string(String(decoding: f == "take" ? u[..<k] : u[k...], as: UTF16.self))
            case .array(let items):
                let k = Int(min(n, Int64(items.count)))
                return .array(Array(f == "take" ? items[..<k] : items[k...]))
            default: throw args.fail("its first argument must be a string or an array, got \(a[0].typeName)")
            }
        case "range":
            try args.count(2)
            let start = try args.integer(0), count = try args.integer(1)
            guard (0...10_000).contains(count) else { throw args.fail("the count must be 0…10000") }
            return .array((0..<count).map { .number(Double(start + $0)) })
        case "min", "max":
            try args.atLeast(1)
            let values = a.count == 1 && a[0].arrayValue != nil ? a[0].arrayValue! : a
            let numbers = try values.indices.map { i throws -> Int64 in
                guard case .number(let n) = values[i], n.rounded() == n else { throw args.fail("its arguments must be integers") }
                return Int64(n)
            }
            guard let r = f == "min" ? numbers.min() : numbers.max() else { throw args.fail("needs at least one integer") }
            return .number(Double(r))

        case "equals": try args.count(2); return .bool(a[0].canonical == a[1].canonical)
        case "not": try args.count(1); return .bool(!(try args.bool(0)))
        case "and":
            try args.atLeast(2)
            return .bool(try a.indices.allSatisfy { i throws in try args.bool(i) })
        case "or":
            try args.atLeast(2)
            return .bool(try a.indices.contains { i throws in try args.bool(i) })
        case "coalesce": try args.atLeast(1); return a.first { $0 != .null } ?? .null
        case "greater", "greaterOrEquals", "less", "lessOrEquals":
            try args.count(2)
            let order: Int
            if case .string(let x) = a[0], case .string(let y) = a[1] {
                order = x < y ? -1 : x == y ? 0 : 1
            } else {
                let x = try args.integer(0), y = try args.integer(1)
                order = x < y ? -1 : x == y ? 0 : 1
            }
            switch f {
            case "greater": return .bool(order > 0)
            case "greaterOrEquals": return .bool(order >= 0)
            case "less": return .bool(order < 0)
            default: return .bool(order <= 0)
            }
        case "add", "sub", "mul", "div", "mod":
            try args.count(2)
            let x = try args.integer(0), y = try args.integer(1)
            let (r, overflow): (Int64, Bool)
            switch f {
            case "add": (r, overflow) = x.addingReportingOverflow(y)
            case "sub": (r, overflow) = x.subtractingReportingOverflow(y)
            case "mul": (r, overflow) = x.multipliedReportingOverflow(by: y)
            default:
                guard y != 0 else { throw args.fail("cannot divide by zero") }
                (r, overflow) = f == "div" ? x.dividedReportingOverflow(by: y) : x.remainderReportingOverflow(dividingBy: y)
            }
            guard !overflow else { throw args.fail("the result does not fit in a 64-bit integer") }
            return .number(Double(r))
        default:
            return nil
        }
    }

    /// A primitive as ARM's string conversions write it: integers without a fraction, booleans
    /// as `True`/`False` (.NET's spelling), null as empty; nil for an array or object.
    static func text(_ v: JSONValue) -> String? {
        switch v {
        case .string(let s): return s
        case .number(let n): return n.rounded() == n && abs(n) < 9.3e18 ? String(Int64(n)) : String(n)
        case .bool(let b): return b ? "True" : "False"
        case .null: return ""
        case .array, .object: return nil
        }
    }

    private static func position(of item: JSONValue, in container: JSONValue, last: Bool, args: Arguments) throws -> Int {
        switch container {
        case .string(let s):
            guard case .string(let t) = item else { throw args.fail("a string is searched for a string, got \(item.typeName)") }
            let hay = Array(s.lowercased().utf16), needle = Array(t.lowercased().utf16)
            if needle.isEmpty { return last ? hay.count : 0 }
            guard hay.count >= needle.count else { return -1 }
            let starts = Array(0...(hay.count - needle.count))
            return (last ? starts.reversed() : starts).first { hay[$0..<$0 + needle.count].elementsEqual(needle) } ?? -1
        case .array(let items):
            let indices = last ? Array(items.indices.reversed()) : Array(items.indices)
            return indices.first { items[$0].canonical == item.canonical } ?? -1
        default:
            throw args.fail("its first argument must be a string or an array, got \(container.typeName)")
        }
    }

    /// .NET's `String.Split(string[], None)`: at each position the first delimiter that
    /// matches there ends a part.
    private static func split(_ s: String, on delimiters: [String]) -> [String] {
        guard !delimiters.isEmpty else { return [s] }
        let u = Array(s.utf16), ds = delimiters.map { Array($0.utf16) }
        var parts: [String] = [], start = 0, i = 0
        outer: while i < u.count {
            for d in ds where i + d.count <= u.count && u[i..<i + d.count].elementsEqual(d) {
                parts.append(String(decoding: u[start..<i], as: UTF16.self))
                i += d.count
                start = i
                continue outer
            }
            i += 1
        }
        parts.append(String(decoding: u[start...], as: UTF16.self))
        return parts
    }

    /// A function's arguments, checked one by one with errors that name the function and
    /// the argument.
    struct Arguments {
        let function: String
        let values: [JSONValue]

        func fail(_ message: String) -> Failure { Failure(message: "\(function)(): \(message)") }

        private static let ordinals = ["first", "second", "third", "fourth", "fifth", "sixth"]
        /// "its second argument", "argument 7".
        private func argument(_ i: Int) -> String { i < Self.ordinals.count ? "its \(Self.ordinals[i]) argument" : "argument \(i + 1)" }

        func count(_ n: Int) throws {
            guard values.count == n else { throw fail("takes \(n) argument\(n == 1 ? "" : "s"), got \(values.count)") }
        }
        func atLeast(_ n: Int) throws {
            guard values.count >= n else { throw fail("takes at least \(n) argument\(n == 1 ? "" : "s"), got \(values.count)") }
        }
        func range(_ r: ClosedRange<Int>) throws {
            guard r.contains(values.count) else { throw fail("takes \(r.lowerBound) to \(r.upperBound) arguments, got \(values.count)") }
        }
        func string(_ i: Int) throws -> String {
            guard case .string(let s) = values[i] else { throw fail("\(argument(i)) must be a string, got \(values[i].typeName)") }
            return s
        }
        func strings() throws -> [String] {
            try values.indices.map { i throws in try string(i) }
        }
        func text(_ i: Int) throws -> String {
            guard let t = ARMFunctions.text(values[i]) else {
                throw fail("\(argument(i)) must be a string, number or boolean (or every argument an array), got \(values[i].typeName)")
            }
            return t
        }
        func integer(_ i: Int) throws -> Int64 {
            guard case .number(let n) = values[i], n.rounded() == n, abs(n) < 9.3e18 else {
                throw fail("\(argument(i)) must be an integer, got \(values[i].typeName)")
            }
            return Int64(n)
        }
        func bool(_ i: Int) throws -> Bool {
            guard case .bool(let b) = values[i] else { throw fail("\(argument(i)) must be a boolean, got \(values[i].typeName)") }
            return b
        }
    }
}
