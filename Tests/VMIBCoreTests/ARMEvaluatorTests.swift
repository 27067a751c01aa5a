import Testing
@testable import VMIBCore

/// The evaluator's own work, beside the functions (`ARMFunctionsTests`) and the sample
/// deployment (`ARMDeploymentTests`): property and index accesses, the functions the
/// deployment answers, parameters and variables (when they are evaluated, how they are
/// checked) and the paths its errors name.
@Suite struct ARMEvaluatorTests {
    /// The refusal of `expression` as `properties.x` of the one resource.
    static func refusal(_ expression: String, parameters: String = "{}", variables: String = "{}",
                        overrides: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) -> DomainError? {
        do {
            let v = try armEvaluate(expression, parameters: parameters, variables: variables, overrides: overrides)
            Issue.record("\(expression) gave \(v.text)", sourceLocation: sourceLocation)
        } catch let e as DomainError {
            return e
        } catch {
            Issue.record("\(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    @Test(arguments: [
        ("[resourceGroup().name.first]", 23, "'.first' reads a property of an object, but the value is a string"),
        ("[resourceGroup().nope]", 18, "the property 'nope' does not exist; properties: id, name, type, location, tags, properties"),
        ("[resourceGroup()['nope']]", 17, "the property 'nope' does not exist; properties: id, name, type, location, tags, properties"),
        ("[createArray(1, 2)[2]]", 19, "the index 2 is outside the array (2 items)"),
        ("[createArray(1, 2)[-1]]", 19, "the index -1 is outside the array (2 items)"),
        ("[createArray(1)['a']]", 16, "cannot index an array with a string: arrays take an integer, objects a string"),
        ("[if(1, 'a', 'b')]", 2, "if(): its first argument must be a boolean"),
        ("[if(true(), 'a')]", 2, "if() takes 3 arguments, got 2"),
        ("[parameters(1)]", 2, "parameters() takes the name as a string"),
        ("[variables('a', 'b')]", 2, "variables() takes 1 argument, got 2"),
        ("[resourceGroup('rg2')]", 2, "resourceGroup() takes 0 arguments, got 1"),
        ("[subscription(1)]", 2, "subscription() takes 0 arguments, got 1"),
        ("[resourceId('G', 'I')]", 2, "resourceId(): needs a resource type such as 'Microsoft.Compute/galleries'"),
        ("[resourceId('Microsoft.Compute/images', 1)]", 2, "resourceId(): takes strings, got a number"),
        ("[resourceId('s', 'g', 'x', 'Microsoft.Compute/images', 'm')]", 2,
         "resourceId(): takes at most a subscription id and a resource group name before the resource type"),
        ("[subscriptionResourceId('s', 'g', 'Microsoft.Authorization/roleDefinitions', 'r')]", 2,
         "subscriptionResourceId(): takes at most a subscription id before the resource type"),
        ("[concat('a', resourceId('G', 'I'))]", 14, "resourceId(): needs a resource type such as 'Microsoft.Compute/galleries'"),
    ])
    func badAccessesAndDeploymentCallsNameWhatIsWrongAndWhere(expression: String, offset: Int, message: String) {
        guard let e = Self.refusal(expression) else { return }
        #expect(e.field == Field.named("resources[0].properties.x"))
        #expect(e.message == "\(message) (at character \(offset) of \"\(expression)\")", "\(e.message)")
    }

    @Test func theDeploymentFunctionsAnswerForTheScopeGiven() throws {
        let scope = ARMDeployment.Scope(subscriptionID: "sub", resourceGroup: "images", location: "northeurope",
                                        tenantID: "tenant", subscriptionName: "Dev")
        let document = try JSONParser.parse(#"""
            {"resources": [{"type": "Microsoft.VirtualMachineImages/imageTemplates", "location": "[resourceGroup().location]",
                            "properties": {"tenant": "[subscription().tenantId]", "named": "[subscription().displayName]",
                                           "group": "[resourceGroup().id]",
                                           "image": "[resourceId('Microsoft.Compute/images', 'm')]"}}]}
            """#)
        let r = try ARMDeployment.imageTemplateResource(document, overrides: [:], scope: scope)
        #expect(r["location"] == .string("northeurope"))
        #expect(r["properties"] == .object([("tenant", .string("tenant")), ("named", .string("Dev")),
                                            ("group", .string("/subscriptions/sub/resourceGroups/images")),
                                            ("image", .string("/subscriptions/sub/resourceGroups/images/providers/Microsoft.Compute/images/m"))]))
    }

    @Test func undeclaredNamesListWhatIsDeclared() {
        let variable = Self.refusal("[variables('nope')]", variables: #"{"a": "x", "b": "y"}"#)
        #expect(variable == DomainError.invalid(.named("resources[0].properties.x"), "variables('nope') is not declared; variables: a, b"))
        let parameter = Self.refusal("[parameters('nope')]", parameters: #"{"p": {"type": "string", "defaultValue": "x"}}"#)
        #expect(parameter == DomainError.invalid(.named("resources[0].properties.x"), "parameters('nope') is not declared; parameters: p"))
    }

    @Test func namesIgnoreCaseAndAValueIsReadThroughVariables() throws {
        #expect(try armEvaluate("[variables('NAME').parts[1]]", parameters: #"{"Prefix": {"type": "string", "defaultValue": "img"}}"#,
                                variables: #"{"name": {"parts": ["[parameters('prefix')]", "[concat(parameters('PREFIX'), '-2')]"]}}"#)
                == .string("img-2"))
    }

    @Test func parametersAndVariablesAreEvaluatedOnlyWhenUsed() throws {
        // Neither the variable nor the default can be evaluated; unused, they are not.
        let parameters = #"{"when": {"type": "string", "defaultValue": "[utcNow()]"}}"#
        let variables = #"{"principal": "[reference('identity').principalId]"}"#
        #expect(try armEvaluate("[concat('a', 'b')]", parameters: parameters, variables: variables) == .string("ab"))
        // Used, they are refused, naming where the expression is.
        let variable = Self.refusal("[variables('principal')]", variables: variables)
        #expect(variable?.field == Field.named("variables.principal") && variable?.message.hasPrefix("the function 'reference' is not supported by vmib") == true,
                "\(String(describing: variable))")
        let parameter = Self.refusal("[parameters('when')]", parameters: parameters)
        #expect(parameter?.field == Field.named("parameters.when.defaultValue") && parameter?.message.hasPrefix("the function 'utcNow' is not supported by vmib") == true,
                "\(String(describing: parameter))")
    }

    @Test func errorsNameTheirPathInsideValues() throws {
        let nested = Self.refusal("[variables('v')]", variables: #"{"v": {"tags": ["ok", "[toLower(1)]"]}}"#)
        #expect(nested?.field == Field.named("variables.v.tags[1]"), "\(String(describing: nested))")
        let document = try JSONParser.parse(#"""
            {"resources": [{"type": "Microsoft.Storage/storageAccounts"},
                           {"type": "Microsoft.VirtualMachineImages/imageTemplates",
                            "properties": {"distribute": [{"type": "VHD", "runOutputName": "[concat('a']"}]}}]}
            """#)
        let e = #expect(throws: DomainError.self) { try ARMDeployment.imageTemplateResource(document, overrides: [:], scope: armScope) }
        #expect(e?.field == Field.named("resources[1].properties.distribute[0].runOutputName"), "\(String(describing: e))")
        #expect(e?.message.hasPrefix("syntax error at character 12 of \"[concat('a']\"") == true, "\(String(describing: e))")
    }

    @Test func memberNamesMayBeExpressionsOrEscapedLiterals() throws {
        let document = try JSONParser.parse(#"""
            {"variables": {"key": "tier"},
             "resources": [{"type": "Microsoft.VirtualMachineImages/imageTemplates",
                            "tags": {"[variables('key')]": "gold", "[[literal]": "[[kept]", "plain": "text"}}]}
            """#)
        let r = try ARMDeployment.imageTemplateResource(document, overrides: [:], scope: armScope)
        #expect(r["tags"] == .object([("tier", .string("gold")), ("[literal]", .string("[kept]")), ("plain", .string("text"))]))

        let notAString = try JSONParser.parse(#"{"resources": [{"type": "Microsoft.VirtualMachineImages/imageTemplates", "tags": {"[createArray()]": "x"}}]}"#)
        #expect(throws: DomainError.invalid(.named("resources[0].tags.[createArray()]"), "a member name that is an expression must evaluate to a string")) {
            try ARMDeployment.imageTemplateResource(notAString, overrides: [:], scope: armScope)
        }
    }

    @Test(arguments: [
        (#"{"a": {"type": "string", "defaultValue": "x", "allowedValues": ["y", "z"]}}"#, [String: String](),
         Field.named("parameters.a.defaultValue"), #"parameter 'a': "x" is not allowed; allowed: "y", "z""#),
        (#"{"a": {"type": "int", "defaultValue": 0, "minValue": 1}}"#, [:], .named("parameters.a.defaultValue"), "parameter 'a': 0 is less than its minValue 1"),
        (#"{"a": {"type": "int", "defaultValue": 1.5}}"#, [:], .named("parameters.a.defaultValue"), "parameter 'a' is of type int; the value 1.5 is a number"),
        (#"{"a": {"type": "string", "defaultValue": "abcd", "maxLength": 3}}"#, [:], .named("parameters.a.defaultValue"), "parameter 'a' is longer (4) than its maxLength 3"),
        (#"{"a": {"type": "array", "defaultValue": [], "minLength": 1}}"#, [:], .named("parameters.a.defaultValue"), "parameter 'a' is shorter (0) than its minLength 1"),
        (#"{"a": {"type": "array", "defaultValue": [1, 2], "maxLength": 1}}"#, [:], .named("parameters.a.defaultValue"), "parameter 'a' is longer (2) than its maxLength 1"),
        (#"{"a": {"type": "bool"}}"#, ["a": "yes"], .templateParameter, "parameter 'a' is a bool; allowed: true, false"),
        (#"{"a": {"type": "object"}}"#, ["a": "{nope"], .templateParameter, "parameter 'a' is an object; '{nope' is not JSON"),
        (#"{"a": {"type": "object"}}"#, ["a": "[1]"], .templateParameter, "parameter 'a' is of type object; the value [1] is an array"),
        (#"{"a": {"type": "string", "minLength": 2}}"#, ["a": "x"], .templateParameter, "parameter 'a' is shorter (1) than its minLength 2"),
        (#"{"a": "string"}"#, [:], .named("parameters.a"), "must be an object with a type"),
        (#"{"a": {"defaultValue": "x"}}"#, [:], .named("parameters.a.type"), "must be one of: string, securestring, int, bool, object, secureobject, array"),
    ])
    func parameterValuesAreCheckedAsAzureChecksThem(parameters: String, overrides: [String: String], field: Field, message: String) {
        let e = Self.refusal("[parameters('a')]", parameters: parameters, overrides: overrides)
        #expect(e == DomainError.invalid(field, message), "\(String(describing: e))")
    }

    @Test func aParameterGivenButNeverUsedIsStillChecked() {
        let e = Self.refusal("[parameters('used')]",
                             parameters: #"{"used": {"type": "string", "defaultValue": "x"}, "unused": {"type": "int", "maxValue": 3}}"#,
                             overrides: ["unused": "5"])
        #expect(e == DomainError.invalid(.templateParameter, "parameter 'unused': 5 is more than its maxValue 3"), "\(String(describing: e))")
    }

    @Test func aDeploymentHoldsExactlyOneImageTemplateWhoseTypeIgnoresCase() throws {
        func resources(_ types: [String]) throws -> JSONValue {
            try JSONParser.parse(#"{"resources": [\#(types.map { #"{"type": "\#($0)", "properties": {"k": "[concat('v')]"}}"# }.joined(separator: ", "))]}"#)
        }
        let one = try ARMDeployment.imageTemplateResource(try resources(["Microsoft.Storage/storageAccounts", "microsoft.virtualmachineimages/IMAGETEMPLATES"]),
                                                          overrides: [:], scope: armScope)
        #expect(one["properties"]?["k"] == .string("v"))
        for (types, found) in [([], 0), (["Microsoft.Storage/storageAccounts"], 0),
                               (["Microsoft.VirtualMachineImages/imageTemplates", "Microsoft.VirtualMachineImages/imageTemplates"], 2)] {
            #expect(throws: DomainError.invalid(.named("resources"), "a deployment template must hold exactly one resource of type Microsoft.VirtualMachineImages/imageTemplates; found \(found)")) {
                try ARMDeployment.imageTemplateResource(try resources(types), overrides: [:], scope: armScope)
            }
        }
    }

    @Test func otherResourcesAndOutputsAreNotEvaluated() throws {
        let document = try JSONParser.parse(#"""
            {"resources": [{"type": "Microsoft.Authorization/roleAssignments", "name": "[guid(reference('id').principalId)]"},
                           {"type": "Microsoft.VirtualMachineImages/imageTemplates", "name": "[concat('t', '1')]"}],
             "outputs": {"when": {"type": "string", "value": "[utcNow()]"}}}
            """#)
        #expect(try ARMDeployment.imageTemplateResource(document, overrides: [:], scope: armScope)["name"] == .string("t1"))
    }

    @Test func copyAndAConditionThatIsNotABooleanAreRefusedNamingTheirField() throws {
        func document(_ member: String) throws -> JSONValue {
            try JSONParser.parse(#"{"resources": [{"type": "Microsoft.VirtualMachineImages/imageTemplates", \#(member)}]}"#)
        }
        #expect(throws: DomainError.invalid(.named("resources[0].condition"), "must be a boolean, got a string")) {
            try ARMDeployment.imageTemplateResource(try document(#""condition": "yes""#), overrides: [:], scope: armScope)
        }
        #expect(throws: DomainError.invalid(.named("resources[0].copy"), "resource copy loops are not supported: a template is one imageTemplate")) {
            try ARMDeployment.imageTemplateResource(try document(#""copy": {"name": "c", "count": 2}"#), overrides: [:], scope: armScope)
        }
    }

    @Test func aFileIsADeploymentWhenItHasResourcesAndNoProperties() throws {
        #expect(ARMDeployment.isDeployment(try JSONParser.parse(#"{"resources": []}"#)))
        #expect(!ARMDeployment.isDeployment(try JSONParser.parse(#"{"resources": [], "properties": {}}"#)))
        #expect(!ARMDeployment.isDeployment(try JSONParser.parse(#"{"resources": {}}"#)))
        #expect(!ARMDeployment.isDeployment(try JSONParser.parse(#"{"properties": {}}"#)))
        let notJSON = #expect(throws: DomainError.self) { try ARMDeployment.resolveImageTemplate("{", parameters: [:], scope: armScope) }
        #expect(notJSON?.field == Field.templateDocument && notJSON?.message.hasPrefix("not JSON: ") == true, "\(String(describing: notJSON))")
        #expect(throws: DomainError.invalid(.templateParameter, "only a deployment template (with parameters and resources[]) takes parameters")) {
            try ARMDeployment.resolveImageTemplate(#"{"location": "eastus", "properties": {}}"#, parameters: ["a": "b"], scope: armScope)
        }
    }
}
