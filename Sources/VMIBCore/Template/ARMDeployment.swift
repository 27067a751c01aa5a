import Foundation

/// An ARM deployment template holding one imageTemplate in `resources[]`, as `az deployment
/// group create --template-file F --parameters k=v` deploys it: the resource is returned
/// with its expressions evaluated (`ARMEvaluator`, `ARMFunctions`). Functions vmib cannot
/// evaluate faithfully (`reference`, `list*`, `utcNow`, …) are refused, naming them and where
/// they are.
public enum ARMDeployment {
    /// Where the template is deployed: what `resourceGroup()` and `subscription()` return and
    /// `resourceId()` fills in.
    public struct Scope: Sendable, Equatable {
        public var subscriptionID: String
        public var resourceGroup: String
        /// `resourceGroup().location`. A vmib resource group has no location of its own; the
        /// callers pass the region a template with `"location": "[resourceGroup().location]"`
        /// should build in: the first build region of the deployment's topology
        /// (`Templates.resourceGroupLocation`; a client asks its server for it).
        public var location: String
        /// `subscription().tenantId`: vmib has no tenants; all zeros unless a caller knows better.
        public var tenantID: String
        /// `subscription().displayName`.
        public var subscriptionName: String

        public init(subscriptionID: String, resourceGroup: String, location: String,
                    tenantID: String = "00000000-0000-0000-0000-000000000000", subscriptionName: String = "vmib") {
            self.subscriptionID = subscriptionID; self.resourceGroup = resourceGroup; self.location = location
            self.tenantID = tenantID; self.subscriptionName = subscriptionName
        }

        var resourceGroupID: String { "/subscriptions/\(subscriptionID)/resourceGroups/\(resourceGroup)" }

        /// `resourceGroup()`, in Azure's shape.
        var resourceGroupObject: JSONValue {
            .object([("id", .string(resourceGroupID)), ("name", .string(resourceGroup)),
                     ("type", .string("Microsoft.Resources/resourceGroups")), ("location", .string(location)),
                     ("tags", .object([])), ("properties", .object([("provisioningState", .string("Succeeded"))]))])
        }

        /// `subscription()`, in Azure's shape.
        var subscriptionObject: JSONValue {
            .object([("id", .string("/subscriptions/\(subscriptionID)")), ("subscriptionId", .string(subscriptionID)),
                     ("tenantId", .string(tenantID)), ("displayName", .string(subscriptionName))])
        }

        /// `resourceId([subscriptionId,] [resourceGroupName,] resourceType, name1, name2, …)`
        /// (or `subscriptionResourceId([subscriptionId,] resourceType, name1, …)`): the
        /// resource type is the first argument with a `/`; it takes one name per type segment.
        func resourceID(_ args: [JSONValue], subscriptionLevel: Bool, function: String) throws -> String {
            func fail(_ m: String) -> ARMFunctions.Failure { ARMFunctions.Failure(message: "\(function)(): \(m)") }
            let strings = try args.map { v in
                guard case .string(let s) = v else { throw fail("takes strings, got \(v.typeName)") }
                return s
            }
            guard let t = strings.firstIndex(where: { $0.contains("/") }) else {
                throw fail("needs a resource type such as 'Microsoft.Compute/galleries'")
            }
            let leading = Array(strings[..<t])
            var subscription = subscriptionID, group = resourceGroup
            switch (subscriptionLevel, leading.count) {
            case (_, 0): break
            case (true, 1): subscription = leading[0]
            case (false, 1): group = leading[0]
            case (false, 2): subscription = leading[0]; group = leading[1]
            default:
                throw fail(subscriptionLevel ? "takes at most a subscription id before the resource type"
                                             : "takes at most a subscription id and a resource group name before the resource type")
            }
            let segments = strings[t].split(separator: "/").map(String.init)
            let names = Array(strings[(t + 1)...])
            guard segments.count >= 2, names.count == segments.count - 1 else {
                throw fail("the resource type '\(strings[t])' needs \(max(1, segments.count - 1)) name\(segments.count == 2 ? "" : "s") after it, got \(names.count)")
            }
            var id = "/subscriptions/\(subscription)"
            if !subscriptionLevel { id += "/resourceGroups/\(group)" }
            id += "/providers/\(segments[0])"
            for (type, name) in zip(segments.dropFirst(), names) { id += "/\(type)/\(name)" }
            return id
        }
    }

    /// The imageTemplate resource a user's file holds: the file itself (a resource body, as
    /// `az resource create --is-full-object` sends it; nothing in it is evaluated, as Azure
    /// evaluates nothing in a PUT), or the one imageTemplate resource of an ARM deployment
    /// template with its expressions evaluated.
    /// - Parameters:
    ///   - parameters: `--parameter name=value`, by name.
    ///   - scope: what `resourceGroup()`, `subscription()` and `resourceId()` answer.
    /// - Throws: `DomainError` on `--file` (not JSON) or `--parameter` (parameters given for a
    ///   plain body), or whatever `imageTemplateResource` refuses.
    public static func resolveImageTemplate(_ text: String, parameters: [String: String], scope: Scope) throws -> JSONValue {
        let document: JSONValue
        do { document = try JSONParser.parse(text) } catch {
            throw DomainError.invalid(.templateDocument, "not JSON: \(error)")
        }
        if isDeployment(document) {
            return try imageTemplateResource(document, overrides: parameters, scope: scope)
        }
        guard parameters.isEmpty else {
            throw DomainError.invalid(.templateParameter, "only a deployment template (with parameters and resources[]) takes parameters")
        }
        return document
    }

    /// True when `document` looks like a deployment template rather than a resource body.
    public static func isDeployment(_ document: JSONValue) -> Bool {
        document["resources"]?.arrayValue != nil && document["properties"] == nil
    }

    /// The imageTemplate resource with every expression evaluated.
    /// - Parameter overrides: `--parameter name=value`, by name (converted to the
    ///   parameter's type).
    /// - Throws: `DomainError` naming the parameter, variable or expression at fault: the
    ///   JSON path, and for an expression the function and its character position.
    public static func imageTemplateResource(_ document: JSONValue, overrides: [String: String], scope: Scope) throws -> JSONValue {
        let resources = document["resources"]?.arrayValue ?? []
        let matches = resources.enumerated().filter {
            $0.element["type"]?.stringValue?.lowercased() == ImageTemplate.resourceType.lowercased()
        }
        guard matches.count == 1, let (index, resource) = matches.first else {
            throw DomainError.invalid(.named("resources"), "a deployment template must hold exactly one resource of type \(ImageTemplate.resourceType); found \(matches.count)")
        }
        let declared = document["parameters"]?.objectValue ?? []
        for name in overrides.keys where !declared.contains(where: { $0.key.lowercased() == name.lowercased() }) {
            throw DomainError.invalid(.templateParameter, "'\(name)' is not a parameter of this template; parameters: \(declared.map(\.key).joined(separator: ", "))")
        }
        let path = "resources[\(index)]"
        if resource["copy"] != nil {
            throw DomainError.invalid(.named("\(path).copy"), "resource copy loops are not supported: a template is one imageTemplate")
        }
        var evaluator = ARMEvaluator(scope: scope, parameters: declared, variables: document["variables"]?.objectValue ?? [],
                                     overrides: overrides)
        // Parameters given but never used are still checked, as Azure checks them.
        for p in declared where overrides.keys.contains(where: { $0.lowercased() == p.key.lowercased() }) {
            _ = try evaluator.evaluate(.string("[parameters('\(p.key.replacingOccurrences(of: "'", with: "''"))')]"), path: "--parameter")
        }
        guard case .object(var members) = try evaluator.evaluate(resource, path: path) else {
            throw DomainError.invalid(.named(path), "must be an object")
        }
        if let i = members.firstIndex(where: { $0.key == "condition" }) {
            guard case .bool(let deploy) = members[i].value else {
                throw DomainError.invalid(.named("\(path).condition"), "must be a boolean, got \(members[i].value.typeName)")
            }
            guard deploy else { throw DomainError.invalid(.named("\(path).condition"), "is false: the template deploys no imageTemplate") }
            members.remove(at: i)
        }
        return .object(members)
    }
}
