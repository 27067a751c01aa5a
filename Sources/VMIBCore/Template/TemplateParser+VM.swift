extension TemplateParser {
    static let validatorTypes = ["Shell", "PowerShell", "File"]

    /// `properties.vmProfile`: vmSize, osDiskSizeGB and vnetConfig.subnetId take effect;
    /// userAssignedIdentities, containerInstanceSubnetId and proxyVmSize are accepted with a warning.
    mutating func vmProfile(_ value: JSONValue?) throws -> BuildVMProfile {
        guard let value, value != .null else { return BuildVMProfile() }
        let path = "properties.vmProfile"
        guard value.objectValue != nil else { throw ProvisioningErrorCode.Other.error(.named(path), "must be an object (vmSize, osDiskSizeGB, vnetConfig)") }
        warnUnknown(value, known: ["vmSize", "osDiskSizeGB", "userAssignedIdentities", "vnetConfig"], at: "\(path).")
        var profile = BuildVMProfile()
        if let s = try string(value, "vmSize", path, .Other, required: false), !s.isEmpty {
            profile.vmSize = s
            _ = try context.buildHost?.vmSize(s)
        }
        if let d = value["osDiskSizeGB"], d != .null {
            guard case .number(let n) = d, n.rounded() == n, (0...Double(BuildVMProfile.maxOSDiskSizeGB)).contains(n) else {
                throw ProvisioningErrorCode.Other.error(.named("\(path).osDiskSizeGB"), "must be an integer 0…\(BuildVMProfile.maxOSDiskSizeGB) (0 keeps the source's size)")
            }
            if n > 0 { profile.osDiskSizeGB = Int(n) }
        }
        if let ids = value["userAssignedIdentities"], ids != .null {
            guard let a = ids.arrayValue, a.allSatisfy({ $0.stringValue != nil }) else {
                throw ProvisioningErrorCode.Other.error(.named("\(path).userAssignedIdentities"), "must be an array of identity resource ids")
            }
            if !a.isEmpty { warnings.append("\(path).userAssignedIdentities is accepted but has no effect: build VMs carry no identity") }
        }
        if let vnet = value["vnetConfig"], vnet != .null {
            guard vnet.objectValue != nil else { throw ProvisioningErrorCode.Other.error(.named("\(path).vnetConfig"), "must be an object with subnetId") }
            warnUnknown(vnet, known: ["subnetId", "containerInstanceSubnetId", "proxyVmSize"], at: "\(path).vnetConfig.")
            for key in ["containerInstanceSubnetId", "proxyVmSize"] where (try string(vnet, key, "\(path).vnetConfig", .Other, required: false)).map({ !$0.isEmpty }) ?? false {
                warnings.append("\(path).vnetConfig.\(key) is accepted but has no effect: build VMs need no proxy here")
            }
            if let id = try string(vnet, "subnetId", "\(path).vnetConfig", .Other, required: false), !id.isEmpty {
                guard let key = Self.networkKey(subnetId: id) else {
                    throw ProvisioningErrorCode.Other.error(.named("\(path).vnetConfig.subnetId"),
                        "'\(id)' is not a subnet id: expected /subscriptions/S/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/VNET/subnets/SUBNET")
                }
                profile.network = key
                profile.subnetId = id
                _ = try context.buildHost?.network(key)
            }
        }
        return profile
    }

    /// `VNET/SUBNET` of a subnet resource id.
    static func networkKey(subnetId id: String) -> String? {
        let p = id.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard p.count == 11, p[0].isEmpty, p[1].lowercased() == "subscriptions", p[3].lowercased() == "resourcegroups",
              p[5].lowercased() == "providers", p[6].lowercased() == "microsoft.network",
              p[7].lowercased() == "virtualnetworks", p[9].lowercased() == "subnets",
              [p[2], p[4], p[8], p[10]].allSatisfy({ !$0.isEmpty }) else { return nil }
        return "\(p[8])/\(p[10])"
    }

    /// `properties.validate`: inVMValidations (Shell, PowerShell, File, in the customizers'
    /// shapes), continueDistributeOnFailure, sourceValidationOnly.
    mutating func validation(_ value: JSONValue?, customize: [TemplateCustomizer]) throws -> TemplateValidation {
        guard let value, value != .null else { return TemplateValidation() }
        let path = "properties.validate"
        guard value.objectValue != nil else { throw ProvisioningErrorCode.BadValidatorType.error(.named(path), "must be an object (inVMValidations, continueDistributeOnFailure, sourceValidationOnly)") }
        warnUnknown(value, known: ["inVMValidations", "continueDistributeOnFailure", "sourceValidationOnly"], at: "\(path).")
        var v = TemplateValidation()
        for key in ["continueDistributeOnFailure", "sourceValidationOnly"] {
            guard let b = value[key], b != .null else { continue }
            guard case .bool(let flag) = b else { throw ProvisioningErrorCode.Other.error(.named("\(path).\(key)"), "must be true or false") }
            if key == "sourceValidationOnly" { v.sourceValidationOnly = flag } else { v.continueDistributeOnFailure = flag }
        }
        if let list = value["inVMValidations"], list != .null {
            guard let items = list.arrayValue else { throw ProvisioningErrorCode.BadValidatorType.error(.named("\(path).inVMValidations"), "must be an array of validators") }
            v.inVMValidations = try items.enumerated().map { i, item in
                let p = "\(path).inVMValidations[\(i)]"
                let allowed = "allowed: \(Self.validatorTypes.joined(separator: ", "))"
                guard let type = item["type"]?.stringValue else { throw ProvisioningErrorCode.BadValidatorType.error(.named("\(p).type"), "is required; \(allowed)") }
                guard Self.validatorTypes.contains(where: { $0.lowercased() == type.lowercased() }) else {
                    throw ProvisioningErrorCode.BadValidatorType.error(.named("\(p).type"), "'\(type)' is not a validator type; \(allowed)")
                }
                return try customizer(item, path: p, index: i)
            }
        }
        if v.sourceValidationOnly {
            guard customize.isEmpty else {
                throw ProvisioningErrorCode.Other.error(.named("\(path).sourceValidationOnly"), "validates the source as it is, so properties.customize must be empty")
            }
            guard !v.inVMValidations.isEmpty else {
                throw ProvisioningErrorCode.NoValidatorScript.error(.named("\(path).inVMValidations"), "sourceValidationOnly needs at least one validator")
            }
        }
        return v
    }
}
