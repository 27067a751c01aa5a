import VMIBCore

/// An API error's `additionalInfo` entry naming the domain's field (`{"type": "VmibField",
/// "info": {"field": "targetRegions"}}`), so that a client says it in its own words (vmib's
/// CLI: `--target-region`) while Azure's clients read `target`.
public struct ErrorInfo: Codable, Sendable, Equatable {
    public struct Info: Codable, Sendable, Equatable { public var field: String }
    public static let fieldType = "VmibField"
    public var type: String
    public var info: Info

    public init(field: Field) { type = Self.fieldType; info = Info(field: field.description) }

    /// The field named by an error body's additionalInfo, if any.
    public static func field(in additionalInfo: [ErrorInfo]?) -> Field? {
        additionalInfo?.first { $0.type == fieldType }.map { Field(name: $0.info.field) }
    }
}
