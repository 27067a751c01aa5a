import Foundation
import VMIBCore

/// `template create`: a resource body or an ARM deployment template, as text.
public struct CreateTemplateRequest: Sendable {
    public var key: TemplateKey
    public var document: String
    /// `--parameter name=value` for a deployment template.
    public var parameters: [String: String]
    /// Who creates it (the API's caller), recorded on the template.
    public var principal: String?
    public init(key: TemplateKey, document: String, parameters: [String: String] = [:], principal: String? = nil) {
        self.key = key; self.document = document; self.parameters = parameters; self.principal = principal
    }
}

/// What `template create` did.
public struct CreateTemplateResult: Sendable {
    public var details: TemplateDetails
    /// False when the same template existed already (creating is idempotent).
    public var created: Bool
    public var warnings: [String]
}

/// A template with its last run.
public struct TemplateDetails: Sendable {
    public var record: TemplateRecord
    public var template: ImageTemplate
    public var lastRun: TemplateRun?
}
