import Foundation

/// Evaluates the expressions of one ARM deployment template: every string (and member name)
/// that is an expression, in the resource asked for, in the variables and parameter
/// defaults it reaches. Parameters and variables are evaluated once, when first used;
/// `if()` evaluates only the branch it takes, as Azure does.
struct ARMEvaluator {
    let scope: ARMDeployment.Scope
    let parameters: [(key: String, value: JSONValue)]
    let variables: [(key: String, value: JSONValue)]
    let overrides: [String: String]
    private var parameterValues: [String: JSONValue] = [:]
    private var variableValues: [String: JSONValue] = [:]
    /// What is being evaluated now ("parameters.a", "variables.b"), to name a cycle.
    private var resolving: [String] = []
    /// Azure refuses `variables()` in a parameter's defaultValue: variables come after
    /// parameters.
    private var inParameterDefault = false

    init(scope: ARMDeployment.Scope, parameters: [(key: String, value: JSONValue)],
         variables: [(key: String, value: JSONValue)], overrides: [String: String]) {
        self.scope = scope; self.parameters = parameters; self.variables = variables; self.overrides = overrides
    }

    /// Every expression in `v` evaluated; `path` names `v` in the document, for errors.
    mutating func evaluate(_ v: JSONValue, path: String) throws -> JSONValue {
        switch v {
        case .string(let s):
            return try evaluate(string: s, path: path)
        case .array(let items):
            return .array(try items.enumerated().map { try evaluate($0.element, path: "\(path)[\($0.offset)]") })
        case .object(let members):
            var out: [(key: String, value: JSONValue)] = []
            for m in members {
                var key = ARMExpression.literal(m.key)
                if ARMExpression.isExpression(m.key) {
                    guard case .string(let k) = try evaluate(string: m.key, path: "\(path).\(m.key)") else {
                        throw DomainError.invalid(.named("\(path).\(m.key)"), "a member name that is an expression must evaluate to a string")
                    }
                    key = k
                }
                out.append((key, try evaluate(m.value, path: "\(path).\(key)")))
            }
            return .object(out)
        default:
            return v
        }
    }

    private mutating func evaluate(string s: String, path: String) throws -> JSONValue {
        guard ARMExpression.isExpression(s) else { return .string(ARMExpression.literal(s)) }
        let expression: ARMExpression
        do { expression = try ARMExpression.parse(s) } catch {
            throw DomainError.invalid(.named(path), "syntax error at character \(error.offset) of \(quoted(s)): \(error.message)")
        }
        return try value(expression, source: s, path: path)
    }

    private func quoted(_ s: String) -> String { "\"\(s)\"" }

    private func fail(_ path: String, _ message: String, at offset: Int, of source: String) -> DomainError {
        DomainError.invalid(.named(path), "\(message) (at character \(offset) of \(quoted(source)))")
    }

    private mutating func value(_ e: ARMExpression, source: String, path: String) throws -> JSONValue {
        switch e {
        case .string(let s): return .string(s)
        case .integer(let n): return .number(Double(n))
        case .property(let base, let name, let offset):
            let b = try value(base, source: source, path: path)
            guard let members = b.objectValue else {
                throw fail(path, "'.\(name)' reads a property of an object, but the value is \(b.typeName)", at: offset, of: source)
            }
            guard let m = members.first(where: { $0.key == name }) ?? members.first(where: { $0.key.lowercased() == name.lowercased() }) else {
                throw fail(path, "the property '\(name)' does not exist; properties: \(members.map(\.key).joined(separator: ", "))", at: offset, of: source)
            }
            return m.value
        case .index(let base, let index, let offset):
            let b = try value(base, source: source, path: path)
            let i = try value(index, source: source, path: path)
            switch (b, i) {
            case (.array(let items), .number(let n)):
                guard n.rounded() == n, n >= 0, n < Double(items.count) else {
                    throw fail(path, "the index \(i.text) is outside the array (\(items.count) items)", at: offset, of: source)
                }
                return items[Int(n)]
            case (.object(let members), .string(let k)):
                guard let m = members.first(where: { $0.key == k }) ?? members.first(where: { $0.key.lowercased() == k.lowercased() }) else {
                    throw fail(path, "the property '\(k)' does not exist; properties: \(members.map(\.key).joined(separator: ", "))", at: offset, of: source)
                }
                return m.value
            default:
                throw fail(path, "cannot index \(b.typeName) with \(i.typeName): arrays take an integer, objects a string", at: offset, of: source)
            }
        case .call(let name, let arguments, let offset):
            return try call(name, arguments, offset: offset, source: source, path: path)
        }
    }

    /// The functions the deployment answers (and `if`, which must not evaluate the branch it
    /// does not take); the rest are `ARMFunctions`.
    static let contextFunctions = ["if", "parameters", "variables", "resourceGroup", "subscription", "resourceId", "subscriptionResourceId"]

    private mutating func call(_ name: String, _ arguments: [ARMExpression], offset: Int, source: String, path: String) throws -> JSONValue {
        let lower = name.lowercased()
        func argumentCount(_ n: Int) throws {
            guard arguments.count == n else {
                throw fail(path, "\(name)() takes \(n) argument\(n == 1 ? "" : "s"), got \(arguments.count)", at: offset, of: source)
            }
        }
        if lower == "if" {
            try argumentCount(3)
            guard case .bool(let condition) = try value(arguments[0], source: source, path: path) else {
                throw fail(path, "if(): its first argument must be a boolean", at: offset, of: source)
            }
            return try value(arguments[condition ? 1 : 2], source: source, path: path)
        }
        var args: [JSONValue] = []
        for a in arguments { args.append(try value(a, source: source, path: path)) }
        switch lower {
        case "parameters", "variables":
            try argumentCount(1)
            guard case .string(let key) = args[0] else {
                throw fail(path, "\(name)() takes the name as a string", at: offset, of: source)
            }
            if lower == "parameters" { return try parameter(key, path: path) }
            guard !inParameterDefault else {
                throw fail(path, "variables() cannot be used in a parameter's defaultValue (Azure evaluates parameters before variables)", at: offset, of: source)
            }
            return try variable(key, path: path)
        case "resourcegroup":
            try argumentCount(0)
            return scope.resourceGroupObject
        case "subscription":
            try argumentCount(0)
            return scope.subscriptionObject
        case "resourceid", "subscriptionresourceid":
            do { return .string(try scope.resourceID(args, subscriptionLevel: lower == "subscriptionresourceid", function: name)) }
            catch let f as ARMFunctions.Failure { throw fail(path, f.message, at: offset, of: source) }
        default:
            let result: JSONValue?
            do { result = try ARMFunctions.apply(name, args) }
            catch let f as ARMFunctions.Failure { throw fail(path, f.message, at: offset, of: source) }
            guard let result else {
                let supported = (ARMFunctions.names + Self.contextFunctions).sorted { $0.lowercased() < $1.lowercased() }
                throw fail(path, "the function '\(name)' is not supported by vmib; supported: \(supported.joined(separator: ", "))",
                           at: offset, of: source)
            }
            return result
        }
    }

    // MARK: parameters and variables

    static let parameterTypes = ["string", "securestring", "int", "bool", "object", "secureobject", "array"]

    private mutating func parameter(_ name: String, path: String) throws -> JSONValue {
        guard let p = parameters.first(where: { $0.key.lowercased() == name.lowercased() }) else {
            throw DomainError.invalid(.named(path), "parameters('\(name)') is not declared; parameters: \(parameters.map(\.key).joined(separator: ", "))")
        }
        if let v = parameterValues[p.key.lowercased()] { return v }
        let field = "parameters.\(p.key)"
        guard p.value.objectValue != nil else { throw DomainError.invalid(.named(field), "must be an object with a type") }
        guard let type = p.value["type"]?.stringValue?.lowercased(), Self.parameterTypes.contains(type) else {
            throw DomainError.invalid(.named("\(field).type"), "must be one of: \(Self.parameterTypes.joined(separator: ", "))")
        }
        let value: JSONValue, source: Field
        if let text = overrides.first(where: { $0.key.lowercased() == p.key.lowercased() })?.value {
            value = try Self.typed(text, type: type, name: p.key)
            source = .templateParameter
        } else if let d = p.value["defaultValue"] {
            let path = "\(field).defaultValue"
            source = .named(path)
            guard !resolving.contains(field) else {
                throw DomainError.invalid(source, "refers to itself through \((resolving.drop(while: { $0 != field }) + [field]).joined(separator: " → "))")
            }
            resolving.append(field)
            let outer = inParameterDefault
            inParameterDefault = true
            defer { resolving.removeLast(); inParameterDefault = outer }
            value = try evaluate(d, path: path)
        } else {
            throw DomainError.invalid(.templateParameter, "parameter '\(p.key)' has no defaultValue; give it with --parameter \(p.key)=VALUE")
        }
        try Self.check(value, of: p, type: type, field: source)
        parameterValues[p.key.lowercased()] = value
        return value
    }

    /// A `--parameter` value for a parameter of `type`: text for strings, JSON for objects
    /// and arrays.
    static func typed(_ text: String, type: String, name: String) throws -> JSONValue {
        switch type {
        case "int":
            guard let n = Int64(text.trimmingCharacters(in: .whitespaces)) else {
                throw DomainError.invalid(.templateParameter, "parameter '\(name)' is an int; '\(text)' is not an integer")
            }
            return .number(Double(n))
        case "bool":
            guard let b = Bool(text.lowercased()) else { throw DomainError.invalid(.templateParameter, "parameter '\(name)' is a bool; allowed: true, false") }
            return .bool(b)
        case "array", "object", "secureobject":
            guard let v = try? JSONParser.parse(text) else {
                throw DomainError.invalid(.templateParameter, "parameter '\(name)' is \(type == "array" ? "an array" : "an object"); '\(text)' is not JSON")
            }
            return v
        default:
            return .string(text)
        }
    }

    /// The value against the parameter's type, allowedValues, minValue/maxValue and
    /// minLength/maxLength, as Azure checks them.
    private static func check(_ value: JSONValue, of p: (key: String, value: JSONValue), type: String, field: Field) throws {
        let fits: Bool
        switch (type, value) {
        case ("string", .string), ("securestring", .string), ("bool", .bool), ("array", .array),
             ("object", .object), ("secureobject", .object): fits = true
        case ("int", .number(let n)): fits = n.rounded() == n
        default: fits = false
        }
        guard fits else {
            throw DomainError.invalid(field, "parameter '\(p.key)' is of type \(type); the value \(value.text) is \(value.typeName)")
        }
        if let allowed = p.value["allowedValues"]?.arrayValue, !allowed.contains(where: { $0.canonical == value.canonical }) {
            throw DomainError.invalid(field, "parameter '\(p.key)': \(value.text) is not allowed; allowed: \(allowed.map(\.text).joined(separator: ", "))")
        }
        if case .number(let n) = value {
            if case .number(let lo)? = p.value["minValue"], n < lo {
                throw DomainError.invalid(field, "parameter '\(p.key)': \(value.text) is less than its minValue \(JSONValue.number(lo).text)")
            }
            if case .number(let hi)? = p.value["maxValue"], n > hi {
                throw DomainError.invalid(field, "parameter '\(p.key)': \(value.text) is more than its maxValue \(JSONValue.number(hi).text)")
            }
        }
        let length: Int? = switch value {
        case .string(let s): s.utf16.count
        case .array(let a): a.count
        default: nil
        }
        if let length {
            if case .number(let lo)? = p.value["minLength"], Double(length) < lo {
                throw DomainError.invalid(field, "parameter '\(p.key)' is shorter (\(length)) than its minLength \(JSONValue.number(lo).text)")
            }
            if case .number(let hi)? = p.value["maxLength"], Double(length) > hi {
                throw DomainError.invalid(field, "parameter '\(p.key)' is longer (\(length)) than its maxLength \(JSONValue.number(hi).text)")
            }
        }
    }

    private mutating func variable(_ name: String, path: String) throws -> JSONValue {
        guard let v = variables.first(where: { $0.key.lowercased() == name.lowercased() }) else {
            throw DomainError.invalid(.named(path), "variables('\(name)') is not declared; variables: \(variables.map(\.key).joined(separator: ", "))")
        }
        if let value = variableValues[v.key.lowercased()] { return value }
        let field = "variables.\(v.key)"
        guard !resolving.contains(field) else {
            throw DomainError.invalid(.named(field), "refers to itself through \((resolving.drop(while: { $0 != field }) + [field]).joined(separator: " → "))")
        }
        resolving.append(field)
        defer { resolving.removeLast() }
        let value = try evaluate(v.value, path: field)
        variableValues[v.key.lowercased()] = value
        return value
    }
}
