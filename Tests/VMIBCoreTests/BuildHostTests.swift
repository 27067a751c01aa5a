import Foundation
import Testing
@testable import VMIBCore

/// The topology's `builds` section and a template's `vmProfile`/`validate`, resolved against it.
@Suite struct BuildHostTests {
    let catalog = RegionCatalog(regions: [CatalogRegion(name: "eastus", displayName: "East US", geography: "x", latitude: 0, longitude: 0,
                                                        pairedRegion: nil, buildRegion: true)])

    func topology(_ builds: String) throws -> DeploymentTopology {
        try TopologyParser.parse(#"{"regions": [{"name": "eastus", "storage": {"Standard_LRS": {"kind": "directory", "path": "r"}}}], "builds": \#(builds)}"#,
                                 catalog: catalog, file: "t")
    }

    @Test func parsesAccelerationSizesAndNetworks() throws {
        let t = try topology("""
            {"acceleration": "tcg", "vmSizes": {"Custom_Big": {"vCPUs": 8, "memoryMiB": 16384}},
             "networks": {"cfg/Builders": {"mode": "restricted", "forward": [{"guest": "169.254.10.4:8080", "target": "chef.internal:443"}]},
                          "open/default": {"mode": "host"}}}
            """)
        #expect(t.builds.acceleration == .tcg)
        #expect(try t.builds.vmSize("custom_big").size == .init(cpus: 8, memoryMiB: 16384))
        #expect(try t.builds.vmSize(nil) == ("Standard_D1_v2", .init(cpus: 1, memoryMiB: 3584)))
        #expect(try t.builds.network("CFG/builders") == .restricted([.init(guestAddress: "169.254.10.4", guestPort: 8080, target: "chef.internal", targetPort: 443)]))
        #expect(try t.builds.network("open/default") == .host)
        #expect(try t.builds.network(nil) == nil)
        #expect(try TopologyParser.parse(#"{"regions": [{"name": "eastus", "storage": {"Standard_LRS": {"kind": "directory", "path": "r"}}}]}"#,
                                         catalog: catalog).builds == BuildHost())
    }

    @Test func refusesBadBuildSettingsNamingTheField() throws {
        for (builds, field, says) in [
            (#"{"acceleration": "fast"}"#, "t: builds.acceleration", "allowed: auto, kvm, tcg"),
            (#"{"vmSizes": {"X": {"vCPUs": 1e300, "memoryMiB": 1024}}}"#, "t: builds.vmSizes.X.vCPUs", "1…64"),
            (#"{"vmSizes": {"X": {"vCPUs": 1}}}"#, "t: builds.vmSizes.X", "memoryMiB"),
            (#"{"networks": {"novnet": {"mode": "host"}}}"#, "t: builds.networks.novnet", "VIRTUALNETWORK/SUBNET"),
            (#"{"networks": {"a/b": {"mode": "bridge"}}}"#, "t: builds.networks.a/b.mode", "allowed: host, restricted"),
            (#"{"networks": {"a/b": {"mode": "restricted", "forward": [{"guest": "10.0.0.4:80", "target": "x:80"}]}}}"#,
             "t: builds.networks.a/b.forward[0].guest", "169.254.0.0/16"),
            (#"{"networks": {"a/b": {"mode": "restricted", "forward": [{"guest": "169.254.2.9:80", "target": "x:80"}]}}}"#,
             "t: builds.networks.a/b.forward[0].guest", "outside 169.254.2.0/24"),
            (#"{"networks": {"a/b": {"mode": "restricted", "forward": [{"guest": "169.254.9.9:80", "target": "x,y:80"}]}}}"#,
             "t: builds.networks.a/b.forward[0].target", "HOST:PORT"),
            (#"{"networks": {"a/b": {"mode": "restricted", "forward": [{"guest": "169.254.9.9:80", "target": "x:70000"}]}}}"#,
             "t: builds.networks.a/b.forward[0].target", "1…65535"),
            (#"{"gpu": true}"#, "t: builds.gpu", "allowed: acceleration, vmSizes, networks"),
        ] {
            do {
                _ = try topology(builds)
                Issue.record("accepted \(builds)")
            } catch let e as DomainError {
                #expect(e.field == .named(field) && e.message.contains(says), "\(builds): \(e.field): \(e.message)")
            }
        }
    }

    @Test func aTemplatesVMProfileAndValidationAreCheckedAgainstTheDeployment() throws {
        let host = try topology(#"{"networks": {"cfg/builders": {"mode": "host"}}}"#).builds
        let context = TemplateParser.Context(buildRegions: ["eastus"], knownRegions: ["eastus"], buildHost: host)
        let subnet = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/cfg/subnets/builders"
        func parse(_ props: String) throws -> TemplateParser.Result {
            let body = try JSONParser.parse(#"{"location": "eastus", "properties": {"source": {"type": "PlatformImage", "publisher": "p", "offer": "o", "sku": "s"}, "distribute": [{"type": "VHD", "runOutputName": "v"}], \#(props)}}"#)
            return try TemplateParser.parse(body, name: "t", resourceGroup: "rg", context: context)
        }
        let ok = try parse(#""customize": [], "vmProfile": {"vmSize": "Standard_D2s_v3", "osDiskSizeGB": 30, "vnetConfig": {"subnetId": "\#(subnet)", "proxyVmSize": "Standard_A1_v2"}}, "validate": {"continueDistributeOnFailure": true, "inVMValidations": [{"type": "Shell", "name": "v", "inline": ["true"]}]}"#)
        #expect(ok.template.vmProfile == BuildVMProfile(vmSize: "Standard_D2s_v3", osDiskSizeGB: 30, network: "cfg/builders", subnetId: subnet))
        #expect(ok.template.validation.continueDistributeOnFailure && ok.template.validation.inVMValidations.map(\.name) == ["v"])
        #expect(ok.warnings.contains { $0.contains("proxyVmSize is accepted but has no effect") })
        #expect(try parse(#""vmProfile": {"osDiskSizeGB": 0}"#).template.vmProfile.osDiskSizeGB == nil)

        for (props, field, says) in [
            (#""vmProfile": {"vmSize": "Standard_Nope"}"#, "properties.vmProfile.vmSize", "not a VM size this deployment offers"),
            (#""vmProfile": {"osDiskSizeGB": 4096}"#, "properties.vmProfile.osDiskSizeGB", "0…4095"),
            (#""vmProfile": {"osDiskSizeGB": 1e300}"#, "properties.vmProfile.osDiskSizeGB", "0…4095"),
            (#""vmProfile": {"vnetConfig": {"subnetId": "\#(subnet.replacingOccurrences(of: "cfg", with: "prod"))"}}"#,
             "properties.vmProfile.vnetConfig.subnetId", "offered: cfg/builders"),
            (#""vmProfile": {"vnetConfig": {"subnetId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v"}}"#,
             "properties.vmProfile.vnetConfig.subnetId", "is not a subnet id"),
            (#""validate": {"inVMValidations": [{"type": "WindowsRestart"}]}"#, "properties.validate.inVMValidations[0].type", "allowed: Shell, PowerShell, File"),
            (#""validate": {"inVMValidations": [{"type": "Shell", "name": "x"}]}"#, "properties.validate.inVMValidations[0]", "exactly one of scriptUri or inline"),
            (#""validate": {"continueDistributeOnFailure": "yes"}"#, "properties.validate.continueDistributeOnFailure", "true or false"),
            (#""customize": [{"type": "Shell", "inline": ["x"]}], "validate": {"sourceValidationOnly": true, "inVMValidations": [{"type": "Shell", "inline": ["true"]}]}"#,
             "properties.validate.sourceValidationOnly", "properties.customize must be empty"),
        ] {
            do {
                _ = try parse(props)
                Issue.record("accepted \(props)")
            } catch let e as DomainError {
                #expect(e.field == .named(field) && e.message.contains(says), "\(props): \(e.field): \(e.message)")
            }
        }
    }
}
