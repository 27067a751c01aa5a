/// What a template asks of its build VM (`properties.vmProfile`): a size, an OS disk size,
/// and a network, all resolved against the deployment's `BuildHost` when a run starts.
public struct BuildVMProfile: Sendable, Hashable {
    /// `vmProfile.vmSize`; nil means the deployment's default (Azure's: Standard_D1_v2).
    public var vmSize: String?
    /// `vmProfile.osDiskSizeGB`; nil (or 0 in the body) keeps the source's size.
    public var osDiskSizeGB: Int?
    /// The network `vmProfile.vnetConfig.subnetId` names, as `virtualNetwork/subnet`; nil
    /// means no network at all.
    public var network: String?
    /// The subnet id as written, for messages.
    public var subnetId: String?

    public init(vmSize: String? = nil, osDiskSizeGB: Int? = nil, network: String? = nil, subnetId: String? = nil) {
        self.vmSize = vmSize; self.osDiskSizeGB = osDiskSizeGB; self.network = network; self.subnetId = subnetId
    }

    /// Azure's largest OS disk, 4 TiB.
    public static let maxOSDiskSizeGB = 4095
}

/// `properties.validate`: validators run in the build VM after the customizers.
public struct TemplateValidation: Sendable, Hashable {
    /// Shell (and Windows) validators, in order; they have the customizers' shapes.
    public var inVMValidations: [TemplateCustomizer]
    /// Distribute even when a validator fails (the run still ends Failed).
    public var continueDistributeOnFailure: Bool
    /// Validate the source as it is: no customizers run, nothing is distributed.
    public var sourceValidationOnly: Bool

    public init(inVMValidations: [TemplateCustomizer] = [], continueDistributeOnFailure: Bool = false,
                sourceValidationOnly: Bool = false) {
        self.inVMValidations = inVMValidations; self.continueDistributeOnFailure = continueDistributeOnFailure
        self.sourceValidationOnly = sourceValidationOnly
    }
}
