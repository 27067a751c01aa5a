import Foundation

extension TemplateParser {
    static let customizerTypes = ["Shell", "File", "PowerShell", "WindowsRestart", "WindowsUpdate"]

    mutating func customizers(_ value: JSONValue?) throws -> [TemplateCustomizer] {
        guard let value, value != .null else { return [] }
        guard let items = value.arrayValue else {
            throw ProvisioningErrorCode.BadCustomizerType.error(.named("properties.customize"), "must be an array of customizers")
        }
        return try items.enumerated().map { i, item in try customizer(item, path: "properties.customize[\(i)]", index: i) }
    }

    mutating func customizer(_ item: JSONValue, path: String, index: Int) throws -> TemplateCustomizer {
        let allowed = "allowed: \(Self.customizerTypes.joined(separator: ", "))"
        guard item.objectValue != nil else { throw ProvisioningErrorCode.BadCustomizerType.error(.named(path), "must be an object with a type; \(allowed)") }
        guard let type = item["type"]?.stringValue else {
            throw ProvisioningErrorCode.BadCustomizerType.error(.named("\(path).type"), "is required; \(allowed)")
        }
        guard let canonical = Self.customizerTypes.first(where: { $0.lowercased() == type.lowercased() }) else {
            throw ProvisioningErrorCode.BadCustomizerType.error(.named("\(path).type"), "'\(type)' is not a customizer type; \(allowed)")
        }
        let name = try string(item, "name", path, .BadCustomizerType, required: false) ?? "\(canonical) customizer #\(index + 1)"
        switch canonical {
        case "Shell":
            warnUnknown(item, known: ["type", "name", "scriptUri", "inline", "sha256Checksum"], at: "\(path).")
            let script = try scriptBody(item, path: path)
            return .shell(name: name, script: script, sha256Checksum: try checksum(item, path, .BadCustomizerType))
        case "File":
            warnUnknown(item, known: ["type", "name", "sourceUri", "destination", "sha256Checksum"], at: "\(path).")
            let uri = try string(item, "sourceUri", path, .BadCustomizerType, required: true)!
            guard Self.isFetchableURI(uri) else {
                throw ProvisioningErrorCode.BadCustomizerType.error(.named("\(path).sourceUri"), "'\(uri)' is not a fetchable URI: allowed schemes http, https, file")
            }
            let destination = try string(item, "destination", path, .BadCustomizerType, required: true)!
            let sum = try checksum(item, path, .BadCustomizerType)
            if Self.isWindowsPath(destination) {
                // Microsoft's Windows samples copy to c:\buildArtifacts\…: valid, but only a
                // Windows build host can run it.
                try Self.checkWindowsDestination(destination, field: .named("\(path).destination"))
                return .windows(type: canonical, name: name)
            }
            try Self.checkDestination(destination, field: .named("\(path).destination"))
            return .file(name: name, sourceUri: uri, sha256Checksum: sum, destination: destination)
        case "PowerShell":
            warnUnknown(item, known: ["type", "name", "scriptUri", "inline", "sha256Checksum", "runElevated", "runAsSystem", "validExitCodes"], at: "\(path).")
            _ = try scriptBody(item, path: path)
            _ = try checksum(item, path, .BadCustomizerType)
            if let codes = item["validExitCodes"] {
                guard let a = codes.arrayValue, a.allSatisfy({ if case .number(let n) = $0 { n.rounded() == n } else { false } }) else {
                    throw ProvisioningErrorCode.BadCustomizerType.error(.named("\(path).validExitCodes"), "must be an array of integers")
                }
            }
            for flag in ["runElevated", "runAsSystem"] {
                if let v = item[flag], case .bool = v {} else if item[flag] != nil {
                    throw ProvisioningErrorCode.BadCustomizerType.error(.named("\(path).\(flag)"), "must be a boolean")
                }
            }
            return .windows(type: canonical, name: name)
        case "WindowsRestart":
            warnUnknown(item, known: ["type", "name", "restartCommand", "restartCheckCommand", "restartTimeout"], at: "\(path).")
            for key in ["restartCommand", "restartCheckCommand", "restartTimeout"] {
                _ = try string(item, key, path, .BadCustomizerType, required: false)
            }
            return .windows(type: canonical, name: name)
        default: // WindowsUpdate
            warnUnknown(item, known: ["type", "name", "searchCriteria", "filters", "updateLimit"], at: "\(path).")
            _ = try string(item, "searchCriteria", path, .BadCustomizerType, required: false)
            if let f = item["filters"], !(f.arrayValue?.allSatisfy { $0.stringValue != nil } ?? false) {
                throw ProvisioningErrorCode.BadCustomizerType.error(.named("\(path).filters"), "must be an array of strings")
            }
            if let l = item["updateLimit"] {
                guard case .number(let n) = l, n.rounded() == n, n >= 0 else {
                    throw ProvisioningErrorCode.BadCustomizerType.error(.named("\(path).updateLimit"), "must be a non-negative integer")
                }
            }
            return .windows(type: canonical, name: name)
        }
    }

    /// Exactly one of scriptUri or inline.
    private func scriptBody(_ item: JSONValue, path: String) throws -> TemplateCustomizer.Script {
        let uri = try string(item, "scriptUri", path, .NoCustomizerScript, required: false)
        let inline = item["inline"]
        switch (uri, inline) {
        case (nil, nil), (nil, .some(.null)):
            throw ProvisioningErrorCode.NoCustomizerScript.error(.named(path), "exactly one of scriptUri or inline is required; neither is given")
        case (.some, .some) where inline != .null:
            throw ProvisioningErrorCode.NoCustomizerScript.error(.named(path), "exactly one of scriptUri or inline is allowed; both are given")
        case (.some(let u), _):
            guard Self.isFetchableURI(u) else {
                throw ProvisioningErrorCode.NoCustomizerScript.error(.named("\(path).scriptUri"), "'\(u)' is not a fetchable URI: allowed schemes http, https, file")
            }
            return .uri(u)
        case (nil, .some(let v)):
            guard let lines = v.arrayValue?.compactMap(\.stringValue), lines.count == v.arrayValue?.count, !lines.isEmpty else {
                throw ProvisioningErrorCode.NoCustomizerScript.error(.named("\(path).inline"), "must be a non-empty array of strings (shell commands)")
            }
            return .inline(lines)
        }
    }

    /// `C:\…` (or `C:/…`): a File destination in a Windows image.
    static func isWindowsPath(_ d: String) -> Bool {
        let c = Array(d)
        return c.count >= 3 && c[0].isASCII && c[0].isLetter && c[1] == ":" && (c[2] == "\\" || c[2] == "/")
    }

    /// A file path under a drive: no `..`, not the drive itself, no NUL or characters Windows forbids.
    static func checkWindowsDestination(_ d: String, field: Field) throws {
        let rule = "an absolute path of a file inside the image, e.g. c:\\buildArtifacts\\index.html, without '..'"
        let parts = d.dropFirst(3).split(whereSeparator: { $0 == "\\" || $0 == "/" })
        guard !parts.isEmpty, !parts.contains(".."), !(d.hasSuffix("\\") || d.hasSuffix("/")) else {
            throw ProvisioningErrorCode.BadCustomizerType.error(field, "'\(d)' is outside the image or not a file path; expected \(rule)")
        }
        guard !d.dropFirst(2).contains(where: { "<>:\"|?*\0".contains($0) }) else {
            throw ProvisioningErrorCode.BadCustomizerType.error(field, "'\(d)' has a character Windows does not allow in a path (<>:\"|?*)")
        }
    }

    /// An absolute path inside the image: starts with `/`, no `..`, not the root itself.
    static func checkDestination(_ d: String, field: Field) throws {
        let rule = "an absolute path of a file inside the image, e.g. /etc/motd, without '..'"
        guard d.hasPrefix("/") else { throw ProvisioningErrorCode.BadCustomizerType.error(field, "'\(d)' is not absolute; expected \(rule)") }
        let parts = d.split(separator: "/")
        guard !parts.contains(".."), !parts.isEmpty, !d.hasSuffix("/") else {
            throw ProvisioningErrorCode.BadCustomizerType.error(field, "'\(d)' is outside the image or not a file path; expected \(rule)")
        }
        guard !d.contains("\0") else { throw ProvisioningErrorCode.BadCustomizerType.error(field, "contains a NUL character") }
    }
}
