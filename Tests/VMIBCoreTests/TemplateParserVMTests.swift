import Testing
@testable import VMIBCore

private let subnet = "/subscriptions/s1/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/builders"

/// `properties.vmProfile` and `properties.validate` as the parser reads them. Checking sizes
/// and networks against a deployment's build host is `BuildHostTests`; here there is none,
/// so any size and any well-formed subnet id are taken.
@Suite struct TemplateParserVMTests {
    @Test func aVMProfileIsReadAndItsInertMembersAreWarnedAbout() throws {
        let r = try TemplateBody.parse(extra: #"""
            "vmProfile": {"vmSize": "Standard_Anything", "osDiskSizeGB": 64,
                          "userAssignedIdentities": ["/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1"],
                          "vnetConfig": {"subnetId": "\#(subnet)", "containerInstanceSubnetId": "\#(subnet)2", "proxyVmSize": ""}}
            """#)
        #expect(r.template.vmProfile == BuildVMProfile(vmSize: "Standard_Anything", osDiskSizeGB: 64, network: "vnet1/builders", subnetId: subnet))
        #expect(r.warnings == ["properties.vmProfile.userAssignedIdentities is accepted but has no effect: build VMs carry no identity",
                               "properties.vmProfile.vnetConfig.containerInstanceSubnetId is accepted but has no effect: build VMs need no proxy here"],
                "an empty proxyVmSize is not warned about")
    }

    @Test func emptyOrNullVMProfileMembersKeepTheDefaults() throws {
        #expect(try TemplateBody.parse(extra: #""vmProfile": null"#).template.vmProfile == BuildVMProfile())
        let r = try TemplateBody.parse(extra: #""vmProfile": {"vmSize": "", "osDiskSizeGB": null, "userAssignedIdentities": [], "vnetConfig": {"subnetId": ""}}"#)
        #expect(r.template.vmProfile == BuildVMProfile())
        #expect(r.warnings.isEmpty, "\(r.warnings)")
        #expect(try TemplateBody.parse(extra: #""vmProfile": {"vnetConfig": null}"#).template.vmProfile.network == nil)
    }

    @Test func aSubnetIDNamesItsVirtualNetworkAndSubnet() {
        #expect(TemplateParser.networkKey(subnetId: subnet) == "vnet1/builders")
        #expect(TemplateParser.networkKey(subnetId: "/SUBSCRIPTIONS/s/resourcegroups/r/PROVIDERS/microsoft.network/VirtualNetworks/V/Subnets/S") == "V/S",
                "keywords ignore case, names keep theirs")
        for id in ["/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/virtualNetworks/v/subnets/s",
                   "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v/subnets/",
                   "/subscriptions/s/resourceGroups//providers/Microsoft.Network/virtualNetworks/v/subnets/s",
                   "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v/subnets/s/extra",
                   "subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v/subnets/s"] {
            #expect(TemplateParser.networkKey(subnetId: id) == nil, "\(id)")
        }
    }

    @Test func validatorsAreReadInTheCustomizersShapes() throws {
        let r = try TemplateBody.parse(extra: #"""
            "validate": {"inVMValidations": [{"type": "shell", "name": "nginx", "inline": ["systemctl is-active nginx"]},
                                             {"type": "File", "name": "motd", "sourceUri": "https://e.com/m", "destination": "/tmp/motd"}]}
            """#)
        #expect(r.template.validation == TemplateValidation(
            inVMValidations: [.shell(name: "nginx", script: .inline(["systemctl is-active nginx"]), sha256Checksum: nil),
                              .file(name: "motd", sourceUri: "https://e.com/m", sha256Checksum: nil, destination: "/tmp/motd")],
            continueDistributeOnFailure: false, sourceValidationOnly: false))
        #expect(try TemplateBody.parse(extra: #""validate": null"#).template.validation == TemplateValidation())
    }

    @Test func sourceValidationOnlyTakesValidatorsAndNoCustomizers() throws {
        let v = try TemplateBody.parse(customize: "[]", extra: #""validate": {"sourceValidationOnly": true, "continueDistributeOnFailure": false, "inVMValidations": [{"type": "Shell", "inline": ["true"]}]}"#).template.validation
        #expect(v.sourceValidationOnly && !v.continueDistributeOnFailure)
        #expect(v.inVMValidations.map(\.name) == ["Shell customizer #1"])
    }

    @Test(arguments: [
        (#""vmProfile": "Standard_D2s_v3""#, "properties.vmProfile", ProvisioningErrorCode.Other, "must be an object (vmSize, osDiskSizeGB, vnetConfig)"),
        (#""vmProfile": {"vmSize": 2}"#, "properties.vmProfile.vmSize", .Other, "must be a string, got a number"),
        (#""vmProfile": {"osDiskSizeGB": -1}"#, "properties.vmProfile.osDiskSizeGB", .Other, "must be an integer 0…4095 (0 keeps the source's size)"),
        (#""vmProfile": {"osDiskSizeGB": 30.5}"#, "properties.vmProfile.osDiskSizeGB", .Other, "must be an integer 0…4095"),
        (#""vmProfile": {"userAssignedIdentities": "id1"}"#, "properties.vmProfile.userAssignedIdentities", .Other, "must be an array of identity resource ids"),
        (#""vmProfile": {"userAssignedIdentities": [1]}"#, "properties.vmProfile.userAssignedIdentities", .Other, "must be an array of identity resource ids"),
        (#""vmProfile": {"vnetConfig": "\#(subnet)"}"#, "properties.vmProfile.vnetConfig", .Other, "must be an object with subnetId"),
        (#""vmProfile": {"vnetConfig": {"subnetId": 1}}"#, "properties.vmProfile.vnetConfig.subnetId", .Other, "must be a string, got a number"),
        (#""validate": []"#, "properties.validate", .BadValidatorType, "must be an object (inVMValidations, continueDistributeOnFailure, sourceValidationOnly)"),
        (#""validate": {"inVMValidations": {"type": "Shell"}}"#, "properties.validate.inVMValidations", .BadValidatorType, "must be an array of validators"),
        (#""validate": {"inVMValidations": [{"inline": ["true"]}]}"#, "properties.validate.inVMValidations[0].type", .BadValidatorType,
         "is required; allowed: Shell, PowerShell, File"),
        (#""validate": {"inVMValidations": [{"type": "Shell", "inline": ["true"]}, {"type": "WindowsUpdate"}]}"#, "properties.validate.inVMValidations[1].type",
         .BadValidatorType, "'WindowsUpdate' is not a validator type; allowed: Shell, PowerShell, File"),
        (#""validate": {"inVMValidations": [{"type": "Shell", "scriptUri": "ftp://e.com/v.sh"}]}"#, "properties.validate.inVMValidations[0].scriptUri",
         .NoCustomizerScript, "is not a fetchable URI"),
        (#""validate": {"sourceValidationOnly": 1}"#, "properties.validate.sourceValidationOnly", .Other, "must be true or false"),
        (#""validate": {"sourceValidationOnly": true}"#, "properties.validate.inVMValidations", .NoValidatorScript, "sourceValidationOnly needs at least one validator"),
    ])
    func badVMProfilesAndValidatorsAreRefusedNamingTheField(extra: String, field: String, code: ProvisioningErrorCode, says: String) {
        TemplateBody.expectRefusal(TemplateBody.text(extra: extra), field: field, code: code, says: says)
    }
}
