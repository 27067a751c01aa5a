/// An image version's name, `Major.Minor.Patch`, each part a 32-bit non-negative integer.
public struct VersionNumber: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var major: UInt32
    public var minor: UInt32
    public var patch: UInt32

    public init(_ major: UInt32, _ minor: UInt32, _ patch: UInt32) {
        self.major = major; self.minor = minor; self.patch = patch
    }

    /// Parses `1.0.0`. Leading zeros are refused so that one version has one spelling.
    /// - Throws: `DomainError.invalidArgument` on the field `version`.
    public init(parsing text: String, field: Field = .version) throws {
        let allowed = "Major.Minor.Patch, each part an integer 0…4294967295 (e.g. 1.0.0)"
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw DomainError.invalid(field, "'\(text)' is not a version: expected \(allowed)")
        }
        var values: [UInt32] = []
        for part in parts {
            guard !part.isEmpty, part.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw DomainError.invalid(field, "'\(text)' is not a version: '\(part)' is not a non-negative integer; expected \(allowed)")
            }
            guard part == "0" || !part.hasPrefix("0") else {
                throw DomainError.invalid(field, "'\(text)' is not a version: '\(part)' has a leading zero; expected \(allowed)")
            }
            guard let value = UInt32(part) else {
                throw DomainError.invalid(field, "'\(text)' is not a version: \(part) is larger than 4294967295; expected \(allowed)")
            }
            values.append(value)
        }
        self.init(values[0], values[1], values[2])
    }

    public static func < (a: VersionNumber, b: VersionNumber) -> Bool {
        (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch)
    }

    public var description: String { "\(major).\(minor).\(patch)" }

    public init(from decoder: any Decoder) throws {
        try self.init(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
