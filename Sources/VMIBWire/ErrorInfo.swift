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

/// An API error's body, Azure Resource Manager's `{"error": {"code", "message", "target",
/// "details", "additionalInfo"}}`: the server writes every error in it, and vmib's client
/// reads it back.
public struct ErrorBody: Codable, Sendable, Equatable {
    public struct Detail: Codable, Sendable, Equatable {
        public var code: String
        public var message: String
        public var target: String?
        public init(code: String, message: String, target: String? = nil) { self.code = code; self.message = message; self.target = target }
    }
    public struct Content: Codable, Sendable, Equatable {
        public var code: String
        public var message: String
        public var target: String?
        public var details: [Detail]?
        public var additionalInfo: [ErrorInfo]?
    }
    public var error: Content

    public init(code: String, message: String, target: String?, details: [Detail], field: Field?) {
        error = Content(code: code, message: message, target: target, details: details,
                        additionalInfo: field.map { [ErrorInfo(field: $0)] })
    }

    /// The domain's field the error names: vmib's own record of it, else Azure's target.
    public var field: Field? { ErrorInfo.field(in: error.additionalInfo) ?? error.target.map { .named($0) } }
}
