/// Azure Image Builder's provisioningErrorCode names, which vmib gives invalid templates so
/// that tooling written for Azure reads our errors the same way.
public enum ProvisioningErrorCode: String, Sendable, Hashable, Codable, CaseIterable {
    case BadSourceType, BadPIRSource, BadManagedImageSource, BadSharedImageVersionSource
    case BadCustomizerType, UnsupportedCustomizerType, NoCustomizerScript
    case BadValidatorType, UnsupportedValidatorType, NoValidatorScript
    case BadDistributeType, BadSharedImageDistribute, BadStagingResourceGroup, ServerError, Other

    /// A `DomainError` on `field` whose message starts with this code.
    public func error(_ field: Field, _ message: String) -> DomainError {
        DomainError.invalid(field, "\(rawValue): \(message)")
    }
}
