import Crypto
import Foundation
import VMIBCore

/// The tokens a server accepts, read from a JSON file that holds only their SHA-256:
///
/// ```json
/// {"tokens": [{"sha256": "<hex of sha256(token)>", "principal": "ci", "role": "Contributor",
///              "scope": "/subscriptions/S/resourceGroups/RG"}]}
/// ```
/// (`printf %s "$TOKEN" | sha256sum` gives the hash.) The tokens themselves are never stored.
public struct TokenFile: Sendable {
    private let principals: [String: Principal]

    public init(principals: [String: Principal]) { self.principals = principals }

    /// The subscriptions the tokens' scopes name, each once, in a stable order: a server
    /// serves them.
    public var subscriptions: [String] {
        var seen = Set<String>()
        return principals.values.map(\.scope.subscription).sorted().filter { seen.insert($0.lowercased()).inserted }
    }

    /// - Throws: `DomainError` naming the entry that is malformed.
    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DomainError.invalid(.named("--token-file"), "cannot read '\(path)'")
        }
        try self.init(json: String(decoding: data, as: UTF8.self), field: .named("--token-file"))
    }

    public init(json: String, field: Field = .named("--token-file")) throws {
        let root: JSONValue
        do { root = try JSONParser.parse(json) } catch {
            throw DomainError.invalid(field, "not valid JSON: \(error)")
        }
        guard case .array(let entries)? = root["tokens"] else {
            throw DomainError.invalid(field, "expected {\"tokens\": [{\"sha256\", \"principal\", \"role\", \"scope\"}, …]}")
        }
        var map: [String: Principal] = [:]
        for (i, e) in entries.enumerated() {
            guard case .string(let hash)? = e["sha256"], hash.count == 64, hash.allSatisfy(\.isHexDigit) else {
                throw DomainError.invalid(field, "tokens[\(i)].sha256 must be 64 hex digits (the SHA-256 of the token, never the token)")
            }
            guard case .string(let name)? = e["principal"], !name.isEmpty else {
                throw DomainError.invalid(field, "tokens[\(i)].principal is required")
            }
            guard case .string(let roleText)? = e["role"], let role = Principal.Role(rawValue: roleText) else {
                throw DomainError.invalid(field, "tokens[\(i)].role must be one of: \(Principal.Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard case .string(let scopeText)? = e["scope"], let scope = Principal.Scope(scopeText) else {
                throw DomainError.invalid(field, "tokens[\(i)].scope must be /subscriptions/S or /subscriptions/S/resourceGroups/RG")
            }
            map[hash.lowercased()] = Principal(name: name, role: role, scope: scope)
        }
        principals = map
    }

    /// The principal a presented token belongs to, if any.
    public func principal(for token: String) -> Principal? {
        principals[Self.hash(token)]
    }

    /// The SHA-256 of a token in lower-case hex, as the token file holds it. Every request
    /// pays this: a digit table, not `String(format:)` per byte (32 Foundation format calls
    /// were an eighth of a cached version GET's CPU time).
    public static func hash(_ token: String) -> String {
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Array(token.utf8)) {
            hex.append(hexDigits[Int(byte >> 4)])
            hex.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
