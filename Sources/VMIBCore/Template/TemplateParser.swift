import Foundation

/// Turns an imageTemplate resource body (as Azure documents it) into an `ImageTemplate`,
/// checking every field. Errors carry Azure's provisioningErrorCode, the field path and
/// what is allowed; properties vmib does not know are returned as warnings.
public struct TemplateParser {
    /// What the parser checks names against.
    public struct Context: Sendable {
        /// Regions a build may run in (`location`).
        public var buildRegions: [String]
        /// Every region name vmib knows (for distribution targets).
        public var knownRegions: Set<String>
        /// The VM sizes and networks a template may name (nil: not checked).
        public var buildHost: BuildHost?
        /// Where a Shallow version's one replica is: the home region (nil: not checked; the
        /// server that stores the template checks it).
        public var sourceRegion: String?
        public init(buildRegions: [String], knownRegions: Set<String>, buildHost: BuildHost? = nil, sourceRegion: String? = nil) {
            self.buildRegions = buildRegions; self.knownRegions = knownRegions; self.buildHost = buildHost
            self.sourceRegion = sourceRegion
        }
    }

    public struct Result: Sendable {
        public var template: ImageTemplate
        public var warnings: [String]
    }

    let context: Context
    var warnings: [String] = []

    /// Parses `body`, an imageTemplate resource.
    /// - Throws: `DomainError` (invalidArgument) naming the field, with the provisioning error code.
    public static func parse(_ body: JSONValue, name: String, resourceGroup: String, context: Context) throws -> Result {
        var p = TemplateParser(context: context)
        let t = try p.template(body, name: name, resourceGroup: resourceGroup)
        return Result(template: t, warnings: p.warnings)
    }

    static let topKeys: Set<String> = ["type", "apiVersion", "location", "tags", "identity", "properties", "name", "id",
                                       "dependsOn", "comments", "systemData"]
    static let propertyKeys: Set<String> = ["source", "customize", "distribute", "buildTimeoutInMinutes", "errorHandling",
                                            "vmProfile", "optimize", "validate", "stagingResourceGroup", "autoRun",
                                            "managedResourceTags", "additionalDataDisks",
                                            // read-only properties, present when a template was exported from a GET
                                            "provisioningState", "provisioningError", "lastRunStatus", "exactStagingResourceGroup"]
    /// Accepted but with no effect here.
    static let inertProperties: Set<String> = ["optimize", "stagingResourceGroup",
                                               "managedResourceTags", "additionalDataDisks"]

    mutating func template(_ body: JSONValue, name: String, resourceGroup: String) throws -> ImageTemplate {
        guard case .object = body else { throw ProvisioningErrorCode.Other.error(.named("(template)"), "expected a JSON object (an imageTemplate resource), got \(body.typeName)") }
        warnUnknown(body, known: Self.topKeys, at: "")
        // Azure ignores type and apiVersion on a PUT; Microsoft's samples write
        // "Microsoft.VirtualMachineImages" (no "/imageTemplates") and are accepted.
        if let type = body["type"] {
            guard let t = type.stringValue else {
                throw ProvisioningErrorCode.Other.error(.named("type"), "must be a string ('\(ImageTemplate.resourceType)'), got \(type.typeName)")
            }
            if t.lowercased() != ImageTemplate.resourceType.lowercased() {
                warnings.append("type '\(t)' is not '\(ImageTemplate.resourceType)'; it is ignored, as Azure ignores it")
            }
        }
        if let v = body["apiVersion"], v.stringValue == nil {
            throw ProvisioningErrorCode.Other.error(.named("apiVersion"), "must be a string (such as '2024-02-01'), got \(v.typeName)")
        }
        guard let location = body["location"]?.stringValue, !location.isEmpty else {
            throw ProvisioningErrorCode.Other.error(.named("location"), "is required: a build region (\(context.buildRegions.joined(separator: ", ")))")
        }
        let folded = location.lowercased().replacingOccurrences(of: " ", with: "")
        guard context.buildRegions.contains(folded) else {
            throw ProvisioningErrorCode.Other.error(.named("location"), "'\(location)' is not a build region; build regions: \(context.buildRegions.joined(separator: ", "))")
        }
        var tags: [String: String] = [:]
        if let t = body["tags"] {
            guard let members = t.objectValue else { throw ProvisioningErrorCode.Other.error(.named("tags"), "must be an object of string values") }
            for m in members {
                guard let v = m.value.stringValue else { throw ProvisioningErrorCode.Other.error(.named("tags.\(m.key)"), "must be a string") }
                tags[m.key] = v
            }
        }
        if let identity = body["identity"], identity.objectValue == nil {
            throw ProvisioningErrorCode.Other.error(.named("identity"), "must be an object ({\"type\": \"UserAssigned\", \"userAssignedIdentities\": {…}})")
        }
        guard let props = body["properties"], case .object(let members) = props else {
            throw ProvisioningErrorCode.Other.error(.named("properties"), "is required: an object with source and distribute")
        }
        warnUnknown(props, known: Self.propertyKeys, at: "properties.")
        for m in members where Self.inertProperties.contains(m.key) {
            warnings.append("properties.\(m.key) is accepted but has no effect here")
        }
        let source = try self.source(props["source"])
        let customize = try customizers(props["customize"])
        let distribute = try distributors(props["distribute"], source: source)

        var timeout = ImageTemplate.defaultBuildTimeoutInMinutes
        if let t = props["buildTimeoutInMinutes"] {
            guard case .number(let n) = t, n.rounded() == n, (0...Double(ImageTemplate.maxBuildTimeoutInMinutes)).contains(n) else {
                throw ProvisioningErrorCode.Other.error(.named("properties.buildTimeoutInMinutes"), "must be an integer 0…960 (0 means 240)")
            }
            if n > 0 { timeout = Int(n) }
        }
        var handling = ErrorHandling()
        if let eh = props["errorHandling"] {
            guard eh.objectValue != nil else { throw ProvisioningErrorCode.Other.error(.named("properties.errorHandling"), "must be an object") }
            warnUnknown(eh, known: ["onCustomizerError", "onValidationError"], at: "properties.errorHandling.")
            handling.onCustomizerError = try onError(eh["onCustomizerError"], .named("properties.errorHandling.onCustomizerError"))
            handling.onValidationError = try onError(eh["onValidationError"], .named("properties.errorHandling.onValidationError"))
        }
        let profile = try vmProfile(props["vmProfile"])
        let validation = try validation(props["validate"], customize: customize)
        var autoRun = false
        if let a = props["autoRun"], a != .null {
            guard a.objectValue != nil else { throw ProvisioningErrorCode.Other.error(.named("properties.autoRun"), "must be an object: {\"state\": \"Enabled\" | \"Disabled\"}") }
            warnUnknown(a, known: ["state"], at: "properties.autoRun.")
            if let s = a["state"], s != .null {
                guard let state = s.stringValue, ["enabled", "disabled"].contains(state.lowercased()) else {
                    throw ProvisioningErrorCode.Other.error(.named("properties.autoRun.state"), "must be one of: Enabled, Disabled")
                }
                autoRun = state.lowercased() == "enabled"
            }
        }
        return ImageTemplate(name: name, resourceGroup: resourceGroup, location: folded, tags: tags, source: source,
                             customize: customize, distribute: distribute, buildTimeoutInMinutes: timeout,
                             errorHandling: handling, vmProfile: profile, validation: validation, autoRun: autoRun, body: body)
    }

    private func onError(_ v: JSONValue?, _ field: Field) throws -> OnBuildError {
        guard let v else { return .cleanup }
        guard let s = v.stringValue, let e = OnBuildError(rawValue: s.lowercased()) else {
            throw ProvisioningErrorCode.Other.error(field, "must be one of: cleanup, abort")
        }
        return e
    }

    mutating func warnUnknown(_ object: JSONValue, known: Set<String>, at path: String) {
        for m in object.objectValue ?? [] where !known.contains(m.key) {
            warnings.append("\(path)\(m.key) is not a known property; it is ignored")
        }
    }

    // MARK: helpers

    func string(_ object: JSONValue, _ key: String, _ path: String, _ code: ProvisioningErrorCode, required: Bool) throws -> String? {
        guard let v = object[key], v != .null else {
            if required { throw code.error(.named("\(path).\(key)"), "is required (a non-empty string)") }
            return nil
        }
        guard let s = v.stringValue else { throw code.error(.named("\(path).\(key)"), "must be a string, got \(v.typeName)") }
        if required && s.trimmingCharacters(in: .whitespaces).isEmpty { throw code.error(.named("\(path).\(key)"), "must not be empty") }
        return s
    }

    func checksum(_ object: JSONValue, _ path: String, _ code: ProvisioningErrorCode) throws -> String? {
        guard let s = try string(object, "sha256Checksum", path, code, required: false), !s.isEmpty else { return nil }
        guard s.count == 64, s.allSatisfy(\.isHexDigit) else {
            throw code.error(.named("\(path).sha256Checksum"), "must be 64 hexadecimal digits (a SHA-256), or empty")
        }
        return s.lowercased()
    }

    static func isFetchableURI(_ s: String) -> Bool {
        let l = s.lowercased()
        return (l.hasPrefix("https://") || l.hasPrefix("http://")) && l.count > 8 || l.hasPrefix("file:///")
    }
}
