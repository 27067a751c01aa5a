import Testing
@testable import VMIBCore

/// The imageTemplate resource as a whole: location, tags, timeout, errorHandling, autoRun,
/// Azure's defaults, and what is warned about rather than refused.
@Suite struct TemplateParserTests {
    @Test func aMinimalTemplateTakesAzuresDefaults() throws {
        let text = TemplateBody.text(top: #""location": "West US 2","#)
        let r = try TemplateBody.parse(text)
        let t = r.template
        #expect(r.warnings.isEmpty)
        #expect(t.name == "t" && t.resourceGroup == "rg1")
        #expect(t.location == "westus2", "a display name folds to the region name")
        #expect(t.tags.isEmpty && t.customize.isEmpty)
        #expect(t.source == .platformImage(publisher: "p", offer: "o", sku: "s", version: "latest"))
        #expect(t.distribute == [.vhd(runOutputName: "v", uri: nil)])
        #expect(t.buildTimeoutInMinutes == 240)
        #expect(t.errorHandling == ErrorHandling(onCustomizerError: .cleanup, onValidationError: .cleanup))
        #expect(t.vmProfile == BuildVMProfile())
        #expect(t.validation == TemplateValidation())
        #expect(!t.autoRun)
        #expect(t.body == (try JSONParser.parse(text)), "the body is kept as sent")
    }

    @Test func readsTagsTimeoutErrorHandlingAndAutoRun() throws {
        let t = try TemplateBody.parse(
            extra: #""buildTimeoutInMinutes": 90, "errorHandling": {"onCustomizerError": "Abort", "onValidationError": "cleanup"}, "autoRun": {"state": "enabled"}"#,
            top: #""location": "eastus", "tags": {"team": "images", "env": "dev"},"#).template
        #expect(t.tags == ["team": "images", "env": "dev"])
        #expect(t.buildTimeoutInMinutes == 90)
        #expect(t.errorHandling == ErrorHandling(onCustomizerError: .abort, onValidationError: .cleanup))
        #expect(t.autoRun)

        #expect(try TemplateBody.parse(extra: #""buildTimeoutInMinutes": 0"#).template.buildTimeoutInMinutes == 240, "0 means the default")
        #expect(try TemplateBody.parse(extra: #""buildTimeoutInMinutes": 960"#).template.buildTimeoutInMinutes == 960)
        #expect(try !TemplateBody.parse(extra: #""autoRun": {"state": "Disabled"}"#).template.autoRun)
        #expect(try !TemplateBody.parse(extra: #""autoRun": null"#).template.autoRun)
        #expect(try !TemplateBody.parse(extra: #""autoRun": {}"#).template.autoRun)
    }

    @Test func unknownAndInertPropertiesAreWarnedAboutNotRefused() throws {
        let r = try TemplateBody.parse(
            extra: #""optimize": {"vmBoot": {"state": "Enabled"}}, "colour": "red", "errorHandling": {"onTimeout": "abort"}, "autoRun": {"state": "Disabled", "when": "now"}"#,
            top: #""location": "eastus", "sku": "x", "name": "t", "id": "/x", "dependsOn": [], "identity": {"type": "None"},"#)
        #expect(Set(r.warnings) == ["sku is not a known property; it is ignored",
                                    "properties.colour is not a known property; it is ignored",
                                    "properties.optimize is accepted but has no effect here",
                                    "properties.errorHandling.onTimeout is not a known property; it is ignored",
                                    "properties.autoRun.when is not a known property; it is ignored"])
        #expect(r.warnings.count == 5)
    }

    @Test func readOnlyPropertiesOfAnExportedTemplateAreAcceptedSilently() throws {
        let r = try TemplateBody.parse(extra: #""provisioningState": "Succeeded", "lastRunStatus": {"runState": "Succeeded"}, "exactStagingResourceGroup": "/x""#)
        #expect(r.warnings.isEmpty, "\(r.warnings)")
    }

    @Test(arguments: [
        ("[1]", "(template)", "expected a JSON object (an imageTemplate resource), got an array"),
        (TemplateBody.text(top: ""), "location", "is required: a build region (eastus, westus2)"),
        (TemplateBody.text(top: #""location": "","#), "location", "is required: a build region (eastus, westus2)"),
        (TemplateBody.text(top: #""location": "West Europe","#), "location", "'West Europe' is not a build region; build regions: eastus, westus2"),
        (TemplateBody.text(top: #""location": "eastus", "tags": ["a"],"#), "tags", "must be an object of string values"),
        (TemplateBody.text(top: #""location": "eastus", "tags": {"a": 1},"#), "tags.a", "must be a string"),
        (TemplateBody.text(top: #""location": "eastus", "identity": "UserAssigned","#), "identity", "must be an object"),
        (#"{"location": "eastus"}"#, "properties", "is required: an object with source and distribute"),
        (#"{"location": "eastus", "properties": []}"#, "properties", "is required: an object with source and distribute"),
        (TemplateBody.text(extra: #""buildTimeoutInMinutes": 1.5"#), "properties.buildTimeoutInMinutes", "must be an integer 0…960 (0 means 240)"),
        (TemplateBody.text(extra: #""buildTimeoutInMinutes": -1"#), "properties.buildTimeoutInMinutes", "must be an integer 0…960"),
        (TemplateBody.text(extra: #""buildTimeoutInMinutes": "60""#), "properties.buildTimeoutInMinutes", "must be an integer 0…960"),
        (TemplateBody.text(extra: #""errorHandling": "abort""#), "properties.errorHandling", "must be an object"),
        (TemplateBody.text(extra: #""errorHandling": {"onValidationError": "keep"}"#), "properties.errorHandling.onValidationError", "must be one of: cleanup, abort"),
        (TemplateBody.text(extra: #""autoRun": "Enabled""#), "properties.autoRun", #"must be an object: {"state": "Enabled" | "Disabled"}"#),
        (TemplateBody.text(extra: #""autoRun": {"state": "On"}"#), "properties.autoRun.state", "must be one of: Enabled, Disabled"),
    ])
    func badTopLevelFieldsAreRefusedNamingTheFieldAndWhatIsAllowed(text: String, field: String, says: String) {
        TemplateBody.expectRefusal(text, field: field, code: .Other, says: says)
    }
}
