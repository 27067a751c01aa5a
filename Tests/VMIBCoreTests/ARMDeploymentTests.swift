import Testing
@testable import VMIBCore

@Suite struct ARMDeploymentTests {
    /// The shape of Microsoft's deployment samples (azvmimagebuilder solutions,
    /// quickstart templates): parameters without defaults and with expression defaults, an
    /// `api-version` parameter, variables built with concat/format/resourceId, an identity
    /// beside the imageTemplate, an identity key that is an expression, and outputs that use
    /// reference() (not evaluated: vmib deploys only the imageTemplate).
    static let sample = #"""
        {
          "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
          "contentVersion": "1.0.0.0",
          "parameters": {
            "imageTemplateName": { "type": "string" },
            "api-version": { "type": "string", "defaultValue": "2022-02-14" },
            "svclocation": { "type": "string", "defaultValue": "[resourceGroup().location]" },
            "galleryName": { "type": "string", "defaultValue": "[concat('gal', toUpper(parameters('suffix')))]" },
            "suffix": { "type": "string", "defaultValue": "x" },
            "replicaCount": { "type": "int", "defaultValue": 1, "minValue": 1, "maxValue": 3 },
            "storage": { "type": "string", "defaultValue": "Premium_LRS", "allowedValues": ["Standard_LRS", "Standard_ZRS", "Premium_LRS"] },
            "regions": { "type": "array", "defaultValue": ["[parameters('svclocation')]"] }
          },
          "variables": {
            "identityName": "[format('aib-{0}', uniqueString(resourceGroup().id))]",
            "identityId": "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', variables('identityName'))]",
            "imageDefinitionId": "[resourceId('Microsoft.Compute/galleries/images', parameters('galleryName'), 'ubuntu')]",
            "runOutputName": "[concat(parameters('imageTemplateName'), '-sig')]"
          },
          "resources": [
            { "type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2018-11-30",
              "name": "[variables('identityName')]", "location": "[resourceGroup().location]" },
            { "name": "[parameters('imageTemplateName')]",
              "type": "Microsoft.VirtualMachineImages/imageTemplates",
              "apiVersion": "[parameters('api-version')]",
              "location": "[parameters('svclocation')]",
              "dependsOn": ["[variables('identityId')]"],
              "tags": { "imagebuilderTemplate": "AzureImageBuilderSIG", "builtIn": "[resourceGroup().name]" },
              "identity": { "type": "UserAssigned", "userAssignedIdentities": { "[variables('identityId')]": {} } },
              "properties": {
                "buildTimeoutInMinutes": 80,
                "source": { "type": "PlatformImage", "publisher": "Canonical", "offer": "ubuntu", "sku": "22_04-lts", "version": "latest" },
                "customize": [ { "type": "Shell", "name": "check", "inline": ["[[ -d /opt ] || mkdir /opt", "[[ -n $HOME ]"] } ],
                "distribute": [ {
                  "type": "SharedImage",
                  "galleryImageId": "[variables('imageDefinitionId')]",
                  "runOutputName": "[variables('runOutputName')]",
                  "artifactTags": { "source": "azureVmImageBuilder", "template": "[parameters('imageTemplateName')]" },
                  "targetRegions": [ { "name": "[parameters('regions')[0]]", "replicaCount": "[parameters('replicaCount')]",
                                       "storageAccountType": "[parameters('storage')]" } ]
                } ]
              }
            }
          ],
          "outputs": { "principal": { "type": "string", "value": "[reference(variables('identityId')).principalId]" } }
        }
        """#

    static func resolve(_ text: String = sample, _ parameters: [String: String] = ["imageTemplateName": "ubuntuTemplate"]) throws -> JSONValue {
        try ARMDeployment.resolveImageTemplate(text, parameters: parameters, scope: armScope)
    }

    @Test func evaluatesASampleShapedDeploymentIntoAValidTemplate() throws {
        let r = try Self.resolve()
        let sub = "/subscriptions/\(armScope.subscriptionID)/resourceGroups/rg1/providers"
        let identity = "\(sub)/Microsoft.ManagedIdentity/userAssignedIdentities/aib-\(ARMHash.uniqueString(["/subscriptions/\(armScope.subscriptionID)/resourceGroups/rg1"]))"
        #expect(r["name"] == .string("ubuntuTemplate"))
        #expect(r["apiVersion"] == .string("2022-02-14"))
        #expect(r["location"] == .string("westus2"))
        #expect(r["dependsOn"] == .array([.string(identity)]))
        #expect(r["tags"]?["builtIn"] == .string("rg1"))
        #expect(r["identity"]?["userAssignedIdentities"]?.objectValue?.map(\.key) == [identity])
        #expect(r["properties"]?["customize"]?.arrayValue?.first?["inline"] == .array([.string("[[ -d /opt ] || mkdir /opt"), .string("[ -n $HOME ]")]))
        let d = try #require(r["properties"]?["distribute"]?.arrayValue?.first)
        #expect(d["galleryImageId"] == .string("\(sub)/Microsoft.Compute/galleries/galX/images/ubuntu"))
        #expect(d["runOutputName"] == .string("ubuntuTemplate-sig"))
        #expect(d["artifactTags"]?["template"] == .string("ubuntuTemplate"))
        #expect(d["targetRegions"] == .array([.object([("name", .string("westus2")), ("replicaCount", .number(1)),
                                                        ("storageAccountType", .string("Premium_LRS"))])]))

        let parsed = try TemplateParser.parse(r, name: "ubuntuTemplate", resourceGroup: "rg1",
                                              context: .init(buildRegions: ["westus2"], knownRegions: ["westus2", "eastus"]))
        guard case .sharedImage(let name, let shared) = try #require(parsed.template.distribute.first) else {
            Issue.record("not a SharedImage distributor"); return
        }
        #expect(name == "ubuntuTemplate-sig")
        #expect(shared.image.gallery.gallery == "galX" && shared.image.image == "ubuntu")
        #expect(shared.targetRegions == [.init(name: "westus2", replicaCount: 1, storageAccountType: .Premium_LRS)])
        #expect(parsed.template.location == "westus2")
    }

    @Test func overridesAreConvertedToTheParameterType() throws {
        let r = try Self.resolve(Self.sample, ["imageTemplateName": "t", "replicaCount": "3", "storage": "Standard_ZRS",
                                               "regions": #"["eastus"]"#, "svclocation": "eastus"])
        let target = r["properties"]?["distribute"]?.arrayValue?.first?["targetRegions"]?.arrayValue?.first
        #expect(target?["replicaCount"] == .number(3))
        #expect(target?["storageAccountType"] == .string("Standard_ZRS"))
        #expect(target?["name"] == .string("eastus"))
        #expect(r["location"] == .string("eastus"))
        #expect(try armEvaluate("[parameters('on')]", parameters: #"{"on": {"type": "bool"}}"#, overrides: ["on": "TRUE"]) == .bool(true))
        #expect(try armEvaluate("[parameters('o').a]", parameters: #"{"o": {"type": "object"}}"#, overrides: ["o": #"{"a": [1]}"#]) == .array([.number(1)]))
        #expect(try armEvaluate("[parameters('s')]", parameters: #"{"s": {"type": "secureString"}}"#, overrides: ["s": "p@ss"]) == .string("p@ss"))
        #expect(try armEvaluate("[parameters('N')]", parameters: #"{"n": {"type": "Int"}}"#, overrides: ["N": " 42"]) == .number(42),
                "names and types ignore case")
    }

    @Test(arguments: [
        (["replicaCount": "two"], Field.templateParameter, "parameter 'replicaCount' is an int; 'two' is not an integer"),
        (["replicaCount": "4"], .templateParameter, "parameter 'replicaCount': 4 is more than its maxValue 3"),
        (["storage": "Ultra_LRS"], .templateParameter, #"parameter 'storage': "Ultra_LRS" is not allowed; allowed: "Standard_LRS", "Standard_ZRS", "Premium_LRS""#),
        (["regions": #"{"a": 1}"#], .templateParameter, #"parameter 'regions' is of type array; the value {"a":1} is an object"#),
        (["regions": "eastus"], .templateParameter, "parameter 'regions' is an array; 'eastus' is not JSON"),
        (["colour": "red"], .templateParameter, "'colour' is not a parameter of this template"),
        ([:], .templateParameter, "parameter 'imageTemplateName' has no defaultValue; give it with --parameter imageTemplateName=VALUE"),
    ])
    func badOverridesNameTheParameter(overrides: [String: String], field: Field, message: String) {
        var given = overrides
        if !overrides.isEmpty { given["imageTemplateName"] = "t" }
        do {
            _ = try Self.resolve(Self.sample, given)
            Issue.record("accepted \(overrides)")
        } catch let e as DomainError {
            #expect(e.field == field && e.message.contains(message), "\(e)")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func parameterDefaultsAreCheckedAndMayNotUseVariablesOrThemselves() {
        func refusal(_ parameters: String, variables: String = "{}", _ expression: String = "[parameters('a')]") -> DomainError? {
            do { _ = try armEvaluate(expression, parameters: parameters, variables: variables); return nil } catch { return error as? DomainError }
        }
        let typed = refusal(#"{"a": {"type": "int", "defaultValue": "[concat('1', '2')]"}}"#)
        #expect(typed?.field == Field.named("parameters.a.defaultValue") && typed?.message.contains(#"of type int; the value "12" is a string"#) == true, "\(String(describing: typed))")
        let variables = refusal(#"{"a": {"type": "string", "defaultValue": "[variables('v')]"}}"#, variables: #"{"v": "x"}"#)
        #expect(variables?.field == Field.named("parameters.a.defaultValue") && variables?.message.contains("variables() cannot be used in a parameter's defaultValue") == true)
        let cycle = refusal(#"{"a": {"type": "string", "defaultValue": "[parameters('b')]"}, "b": {"type": "string", "defaultValue": "[parameters('a')]"}}"#)
        #expect(cycle?.message.contains("refers to itself through parameters.a → parameters.b → parameters.a") == true, "\(String(describing: cycle))")
        let variableCycle = refusal("{}", variables: #"{"v": "[variables('w')]", "w": "[concat(variables('v'))]"}"#, "[variables('v')]")
        #expect(variableCycle?.field == Field.named("variables.v") && variableCycle?.message.contains("variables.v → variables.w → variables.v") == true)
        let badType = refusal(#"{"a": {"type": "float", "defaultValue": 1}}"#)
        #expect(badType?.field == Field.named("parameters.a.type") && badType?.message.contains("string, securestring, int, bool, object, secureobject, array") == true)
        let short = refusal(#"{"a": {"type": "string", "defaultValue": "ab", "minLength": 3}}"#)
        #expect(short?.message.contains("shorter (2) than its minLength 3") == true)
        let undeclared = refusal("{}")
        #expect(undeclared?.field == Field.named("resources[0].properties.x") && undeclared?.message.contains("parameters('a') is not declared") == true)
    }

    @Test func aResourceConditionIsHonouredAndCopyLoopsAreRefused() throws {
        func document(_ extra: String) -> String {
            #"{"parameters": {"build": {"type": "bool", "defaultValue": true}}, "resources": [{"type": "Microsoft.VirtualMachineImages/imageTemplates", \#(extra) "properties": {}}]}"#
        }
        let deployed = try Self.resolve(document(#""condition": "[parameters('build')]","#), [:])
        #expect(deployed["condition"] == nil)
        #expect(throws: DomainError.invalid(.named("resources[0].condition"), "is false: the template deploys no imageTemplate")) {
            try Self.resolve(document(#""condition": "[not(parameters('build'))]","#), [:])
        }
        #expect(throws: DomainError.self) { try Self.resolve(document(#""copy": {"name": "c", "count": 2},"#), [:]) }
    }

    @Test func aPlainBodyIsNotEvaluatedAsAzureEvaluatesNothingInAPut() throws {
        let body = #"{"type": "Microsoft.VirtualMachineImages", "location": "[resourceGroup().location]", "properties": {}}"#
        #expect(try Self.resolve(body, [:])["location"] == .string("[resourceGroup().location]"))
        #expect(throws: DomainError.self) { try Self.resolve(body, ["a": "b"]) }
    }
}
