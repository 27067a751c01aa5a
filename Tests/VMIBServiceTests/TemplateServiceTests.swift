import Foundation
import Testing
import VMIBCore
import VMIBService

/// Creating and updating templates through the service itself: what the CLI and the
/// server both rely on, checked without either in between.
@Suite struct TemplateServiceTests {
    static let body = #"""
        {"type": "Microsoft.VirtualMachineImages/imageTemplates", "location": "eastus",
         "properties": {"source": {"type": "PlatformImage", "publisher": "p", "offer": "o", "sku": "s"},
                        "distribute": [{"type": "VHD", "runOutputName": "v"}], "colour": "blue"}}
        """#

    static func sharedImage(_ region: String) -> String {
        let image = "/subscriptions/\(ServiceConfiguration.defaultSubscription)/resourceGroups/rg1/providers/Microsoft.Compute/galleries/G/images/I"
        return Self.body.replacingOccurrences(of: #"[{"type": "VHD", "runOutputName": "v"}]"#,
                                              with: #"[{"type": "SharedImage", "runOutputName": "s", "galleryImageId": "\#(image)", "targetRegions": [{"name": "\#(region)"}]}]"#)
    }

    @Test func creatingTheSameTemplateAgainChangesNothingAndADifferentBodyIsRefused() throws {
        let f = try ServiceFixture()
        defer { f.removeAll() }
        let key = try f.key("T")
        let first = try f.service.templates.create(CreateTemplateRequest(key: key, document: Self.body, principal: "alice"))
        #expect(first.created)
        #expect(first.warnings == ["properties.colour is not a known property; it is ignored"])
        #expect(first.details.record.createdBy == "alice")
        #expect(first.details.template.location == "eastus" && first.details.template.distribute == [.vhd(runOutputName: "v", uri: nil)])

        // Re-serialised by a tool, members in another order: the same template.
        let reordered = #"{"properties": {"colour": "blue", "distribute": [{"runOutputName": "v", "type": "VHD"}], "source": {"sku": "s", "offer": "o", "publisher": "p", "type": "PlatformImage"}}, "location": "eastus", "type": "Microsoft.VirtualMachineImages/imageTemplates"}"#
        let again = try f.service.templates.create(CreateTemplateRequest(key: key, document: reordered))
        #expect(!again.created)
        #expect(again.details.record.createdBy == "alice", "the stored template is the first one")

        let before = try f.storedTemplates()
        let changed = #expect(throws: DomainError.self) {
            try f.service.templates.create(CreateTemplateRequest(key: key, document: Self.body.replacingOccurrences(of: #""colour": "blue""#, with: #""buildTimeoutInMinutes": 30"#)))
        }
        #expect(changed?.code == .refused && changed?.field == Field.template, "\(String(describing: changed))")
        #expect(changed?.message.contains("templates cannot be updated by a create") == true, "\(String(describing: changed))")
        #expect(try f.storedTemplates() == before)
    }

    @Test func aDeploymentTemplateIsEvaluatedForTheTemplatesResourceGroup() throws {
        let f = try ServiceFixture()
        defer { f.removeAll() }
        let deployment = #"""
            {"parameters": {"minutes": {"type": "int", "defaultValue": 60, "maxValue": 120}},
             "resources": [{"type": "Microsoft.VirtualMachineImages/imageTemplates", "location": "[resourceGroup().location]",
                            "tags": {"group": "[resourceGroup().name]", "subscription": "[subscription().subscriptionId]"},
                            "properties": {"source": {"type": "PlatformImage", "publisher": "p", "offer": "o", "sku": "s"},
                                           "buildTimeoutInMinutes": "[parameters('minutes')]",
                                           "distribute": [{"type": "VHD", "runOutputName": "[concat('v', parameters('minutes'))]"}]}}]}
            """#
        let created = try f.service.templates.create(CreateTemplateRequest(key: try f.key("Arm", resourceGroup: "images"), document: deployment,
                                                                         parameters: ["minutes": "90"]))
        let t = created.details.template
        #expect(t.location == f.service.templates.resourceGroupLocation)
        #expect(t.tags == ["group": "images", "subscription": f.service.subscription])
        #expect(t.buildTimeoutInMinutes == 90)
        #expect(t.distribute == [.vhd(runOutputName: "v90", uri: nil)])
        // What is stored is the evaluated resource: no expression is left in it.
        #expect(!created.details.record.body.contains("[parameters("), "\(created.details.record.body)")

        let before = try f.storedTemplates()
        for (parameters, message) in [(["minutes": "121"], "parameter 'minutes': 121 is more than its maxValue 120"),
                                      (["hours": "2"], "'hours' is not a parameter of this template")] {
            let e = #expect(throws: DomainError.self) {
                try f.service.templates.create(CreateTemplateRequest(key: try f.key("Arm2", resourceGroup: "images"), document: deployment, parameters: parameters))
            }
            #expect(e?.field == Field.templateParameter && e?.message.contains(message) == true, "\(String(describing: e))")
        }
        #expect(try f.storedTemplates() == before)
    }

    @Test func aSharedImageTargetRegionMustBeServedByThisDeployment() throws {
        let f = try ServiceFixture()
        defer { f.removeAll() }
        // brazilsouth is a region Azure has (the parser knows it) that topology/local.json does not serve.
        let e = #expect(throws: DomainError.self) {
            try f.service.templates.create(CreateTemplateRequest(key: try f.key("T"), document: Self.sharedImage("Brazil South")))
        }
        #expect(e?.field == Field.named("properties.distribute[0].targetRegions[0].name"), "\(String(describing: e))")
        #expect(e?.message.hasPrefix("BadSharedImageDistribute: region 'brazilsouth' is not served by this deployment (topology 'local'); served: eastus,") == true,
                "\(String(describing: e))")
        #expect(try f.storedTemplates().isEmpty)
        #expect(try f.service.templates.create(CreateTemplateRequest(key: try f.key("T"), document: Self.sharedImage("westeurope"))).created)
    }

    @Test func anUpdateChangesOnlyWhatAzuresUpdateCanChange() throws {
        let f = try ServiceFixture()
        defer { f.removeAll() }
        let key = try f.key("T")
        let created = try f.service.templates.create(CreateTemplateRequest(key: key, document: Self.body))
        let updated = try f.service.templates.update(key, patch: try JSONParser.parse(
            #"{"tags": {"owner": "images"}, "properties": {"distribute": [{"type": "VHD", "runOutputName": "w"}], "vmProfile": {"osDiskSizeGB": 40}}}"#))
        #expect(updated.template.tags == ["owner": "images"])
        #expect(updated.template.distribute == [.vhd(runOutputName: "w", uri: nil)])
        #expect(updated.template.vmProfile.osDiskSizeGB == 40)
        #expect(updated.template.source == created.details.template.source)
        #expect(updated.record.generation > created.details.record.generation)

        let before = try f.storedTemplates()
        for (patch, code, field) in [(#"{"properties": {"buildTimeoutInMinutes": 30}}"#, DomainError.Code.refused, Field.named("properties.buildTimeoutInMinutes")),
                                     (#"{"location": "westus"}"#, .refused, .named("location")),
                                     (#"{"properties": {"distribute": []}}"#, .invalidArgument, .named("properties.distribute")),
                                     (#"["tags"]"#, .invalidArgument, .named("body"))] {
            let e = #expect(throws: DomainError.self, "\(patch)") { try f.service.templates.update(key, patch: try JSONParser.parse(patch)) }
            #expect(e?.code == code && e?.field == field, "\(patch): \(String(describing: e))")
        }
        #expect(try f.storedTemplates() == before)
    }
}
