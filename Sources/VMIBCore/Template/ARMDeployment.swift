import Foundation

/// An ARM deployment template holding one imageTemplate in `resources[]`. Only
/// `[parameters('…')]` and `[variables('…')]` are evaluated; any other expression is refused,
/// naming it, because vmib cannot evaluate it faithfully.
public enum ARMDeployment {
    /// True when `document` looks like a deployment template rather than a resource body.
    /// The imageTemplate resource a user's file holds: the file itself, or the one resource of
    /// an ARM deployment template with its parameters and variables evaluated.
    /// - Throws: `DomainError` on `--file` (not JSON) or `--parameter` (parameters given for a
    ///   plain body), or whatever `imageTemplateResource` refuses.
    public static func resolveImageTemplate(_ text: String, parameters: [String: String]) throws -> JSONValue {
        let document: JSONValue
        do { document = try JSONParser.parse(text) } catch {
            throw DomainError.invalid("--file", "not JSON: \(error)")
        }
        if isDeployment(document) {
            return try imageTemplateResource(document, overrides: parameters)
        }
        guard parameters.isEmpty else {
            throw DomainError.invalid("--parameter", "only a deployment template (with parameters and resources[]) takes parameters")
        }
        return document
    }

    public static func isDeployment(_ document: JSONValue) -> Bool {
        document["resources"]?.arrayValue != nil && document["properties"] == nil
    }

    /// The imageTemplate resource with every expression evaluated.
    /// - Parameter overrides: `--parameter name=value`, by name.
    /// - Throws: `DomainError` naming the parameter, variable or expression at fault.
    public static func imageTemplateResource(_ document: JSONValue, overrides: [String: String]) throws -> JSONValue {
        let resources = document["resources"]?.arrayValue ?? []
        let matches = resources.enumerated().filter {
            $0.element["type"]?.stringValue?.lowercased() == ImageTemplate.resourceType.lowercased()
        }
        guard matches.count == 1, let (index, resource) = matches.first else {
            throw DomainError.invalid("resources", "a deployment template must hold exactly one resource of type \(ImageTemplate.resourceType); found \(matches.count)")
        }
        let declared = document["parameters"]?.objectValue ?? []
        for name in overrides.keys where !declared.contains(where: { $0.key.lowercased() == name.lowercased() }) {
            throw DomainError.invalid("--parameter", "'\(name)' is not a parameter of this template; parameters: \(declared.map(\.key).joined(separator: ", "))")
        }
        var evaluator = Evaluator(parameters: declared, variables: document["variables"]?.objectValue ?? [], overrides: overrides)
        return try evaluator.evaluate(resource, path: "resources[\(index)]")
    }

    struct Evaluator {
        let parameters: [(key: String, value: JSONValue)]
        let variables: [(key: String, value: JSONValue)]
        let overrides: [String: String]
        var resolving: Set<String> = []

        mutating func evaluate(_ v: JSONValue, path: String) throws -> JSONValue {
            switch v {
            case .string(let s):
                guard s.hasPrefix("["), s.hasSuffix("]"), !s.hasPrefix("[[") else {
                    return .string(s.hasPrefix("[[") ? String(s.dropFirst()) : s)
                }
                return try expression(String(s.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces), path: path)
            case .array(let items):
                return .array(try items.enumerated().map { try evaluate($0.element, path: "\(path)[\($0.offset)]") })
            case .object(let members):
                return .object(try members.map { ($0.key, try evaluate($0.value, path: "\(path).\($0.key)")) })
            default:
                return v
            }
        }

        /// `parameters('name')` or `variables('name')`, nothing else.
        private mutating func expression(_ e: String, path: String) throws -> JSONValue {
            for function in ["parameters", "variables"] {
                let prefix = function + "('"
                guard e.hasPrefix(prefix), e.hasSuffix("')") else { continue }
                let name = String(e.dropFirst(prefix.count).dropLast(2))
                guard !name.contains("'") else { break }
                return function == "parameters" ? try parameter(name, path: path) : try variable(name, path: path)
            }
            throw DomainError.invalid(path, "the expression '[\(e)]' is not supported; vmib evaluates only [parameters('…')] and [variables('…')]")
        }

        private func parameter(_ name: String, path: String) throws -> JSONValue {
            guard let p = parameters.first(where: { $0.key.lowercased() == name.lowercased() }) else {
                throw DomainError.invalid(path, "parameters('\(name)') is not declared; parameters: \(parameters.map(\.key).joined(separator: ", "))")
            }
            let type = p.value["type"]?.stringValue?.lowercased() ?? "string"
            let value: JSONValue
            if let text = overrides.first(where: { $0.key.lowercased() == name.lowercased() })?.value {
                value = try typed(text, type: type, name: p.key)
            } else if let d = p.value["defaultValue"] {
                value = d
            } else {
                throw DomainError.invalid("--parameter", "parameter '\(p.key)' has no defaultValue; give it with --parameter \(p.key)=VALUE")
            }
            if let allowed = p.value["allowedValues"]?.arrayValue, !allowed.contains(value) {
                throw DomainError.invalid("--parameter", "parameter '\(p.key)': \(value.text) is not allowed; allowed: \(allowed.map(\.text).joined(separator: ", "))")
            }
            return value
        }

        private func typed(_ text: String, type: String, name: String) throws -> JSONValue {
            switch type {
            case "int":
                guard let n = Int(text) else { throw DomainError.invalid("--parameter", "parameter '\(name)' is an int; '\(text)' is not an integer") }
                return .number(Double(n))
            case "bool":
                guard let b = Bool(text.lowercased()) else { throw DomainError.invalid("--parameter", "parameter '\(name)' is a bool; allowed: true, false") }
                return .bool(b)
            case "array", "object":
                guard let v = try? JSONParser.parse(text) else { throw DomainError.invalid("--parameter", "parameter '\(name)' is an \(type); '\(text)' is not JSON") }
                return v
            default:
                return .string(text)
            }
        }

        private mutating func variable(_ name: String, path: String) throws -> JSONValue {
            guard let v = variables.first(where: { $0.key.lowercased() == name.lowercased() }) else {
                throw DomainError.invalid(path, "variables('\(name)') is not declared; variables: \(variables.map(\.key).joined(separator: ", "))")
            }
            guard resolving.insert(v.key).inserted else {
                throw DomainError.invalid("variables.\(v.key)", "refers to itself")
            }
            defer { resolving.remove(v.key) }
            return try evaluate(v.value, path: "variables.\(v.key)")
        }
    }
}
