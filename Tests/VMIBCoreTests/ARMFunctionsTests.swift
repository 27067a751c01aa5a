import Testing
@testable import VMIBCore

/// The scope every expression test deploys into.
let armScope = ARMDeployment.Scope(subscriptionID: "11111111-2222-3333-4444-555555555555", resourceGroup: "rg1", location: "westus2")

/// Evaluates one expression the way a deployment template's imageTemplate would: as the
/// value of `properties.x` of its one resource.
func armEvaluate(_ expression: String, parameters: String = "{}", variables: String = "{}",
                 overrides: [String: String] = [:]) throws -> JSONValue {
    let document = try JSONParser.parse("""
        {"parameters": \(parameters), "variables": \(variables),
         "resources": [{"type": "Microsoft.VirtualMachineImages/imageTemplates", "properties": {"x": \(JSONValue.string(expression).text)}}]}
        """)
    let resource = try ARMDeployment.imageTemplateResource(document, overrides: overrides, scope: armScope)
    return try #require(resource["properties"]?["x"])
}

/// Each function, with Azure's semantics. Where an expected value is marked "Bicep", it is
/// the value Azure's own expression library produced for the same call in Bicep's
/// baselines (src/Bicep.Core.Samples/Files/baselines_bicepparam/Expressions/parameters.json).
@Suite struct ARMFunctionsTests {
    @Test(arguments: [
        // concat: strings (with numbers and booleans as .NET writes them) or arrays
        ("[concat('a', 'b', 1, true())]", #""ab1True""#),
        ("[concat(createArray('abc'), createArray('def'))]", #"["abc","def"]"#),  // Bicep
        // format: .NET composite formatting
        ("[format('->{0}<-', 123)]", #""->123<-""#),  // Bicep
        ("[format('{0}, {1}. Formatted number: {2:N0}', 'Hello', 'User', 8175133)]", #""Hello, User. Formatted number: 8,175,133""#),
        ("[format('{0:D5}|{0:X}|{0:x4}|{0:000}|{1:F1}|{1:N2}', 255, 1234)]", #""00255|FF|00ff|255|1234.0|1,234.00""#),
        ("[format('{0,5}|{1,-3}|{{{2}}}', 'ab', 'c', true())]", #""   ab|c  |{True}""#),
        ("[toLower('AiKInIniIN')]", #""aikininiin""#),  // Bicep
        ("[toUpper('AiKInIniIN')]", #""AIKININIIN""#),  // Bicep
        ("[replace('abc', 'b', '/')]", #""a/c""#),  // Bicep
        ("[replace('aAa', 'a', '-')]", #""-A-""#),
        ("[substring('asdfasf', 3)]", #""fasf""#),  // Bicep
        ("[substring('hello', 1, 3)]", #""ell""#),
        ("[trim('  adf asdf  ')]", #""adf asdf""#),  // Bicep
        ("[startsWith('abc', 'A')]", "true"),  // Bicep (case-insensitive, as documented)
        ("[endsWith('foo', 'O')]", "true"),
        ("[startsWith('abc', 'b')]", "false"),
        ("[contains('foo/bar', '/')]", "true"),  // Bicep
        ("[contains('abc', 'B')]", "false"),
        ("[contains(createArray('a', 'b'), 'b')]", "true"),
        ("[contains(json('{\"Key\": 1}'), 'key')]", "true"),
        ("[length('abc')]", "3"),
        ("[length(createArray(0, 1, 2))]", "3"),  // Bicep
        ("[length(json('{\"a\": 1}'))]", "1"),
        ("[empty('')]", "true"),
        ("[empty(createArray())]", "true"),  // Bicep
        ("[empty(json('{}'))]", "true"),
        ("[empty(null())]", "true"),
        ("[empty('a')]", "false"),
        ("[string('asdf')]", #""asdf""#),  // Bicep
        ("[string(true())]", #""True""#),
        ("[string(5)]", #""5""#),
        ("[string(json('{\"a\": [1, \"x\"]}'))]", #""{\"a\":[1,\"x\"]}""#),
        ("[int('42')]", "42"),
        ("[int(123)]", "123"),  // Bicep
        ("[bool('TRUE')]", "true"),
        ("[bool(0)]", "false"),
        ("[equals(1, 1)]", "true"),
        ("[equals('a', 'A')]", "false"),
        ("[equals(json('{\"a\": 1, \"b\": 2}'), json('{\"b\": 2, \"a\": 1}'))]", "true"),
        ("[not(true())]", "false"),
        ("[and(true(), true(), false())]", "false"),
        ("[or(false(), true())]", "true"),
        ("[if(true(), 'yes', 'no')]", #""yes""#),
        ("[if(false(), div(1, 0), 'the branch not taken is not evaluated')]", #""the branch not taken is not evaluated""#),
        ("[coalesce(null(), null(), 'x', 'y')]", #""x""#),
        ("[coalesce(null())]", "null"),
        ("[split('a/b/c', '/')]", #"["a","b","c"]"#),  // Bicep
        ("[split('a-b_c', createArray('-', '_'))]", #"["a","b","c"]"#),
        ("[join(createArray('abc', 'def', 'ghi'), '/')]", #""abc/def/ghi""#),  // Bicep
        ("[base64('abc')]", #""YWJj""#),
        ("[base64ToString(base64('abc'))]", #""abc""#),  // Bicep
        ("[uniqueString('asd', 'asdf', 'asdf')]", #""iizpqit7ih3cc""#),  // Bicep
        ("[guid('asdf')]", #""228d27cc-6fdb-5934-b7ac-1efccebade04""#),  // Bicep
        ("[indexOf('abc', 'b')]", "1"),  // Bicep
        ("[indexOf('ABC', 'b')]", "1"),
        ("[lastIndexOf('abcba', 'b')]", "3"),  // Bicep
        ("[indexOf(createArray('a', 'b'), 'c')]", "-1"),
        ("[padLeft(13, 5)]", #""   13""#),  // Bicep
        ("[padLeft('7', 3, '0')]", #""007""#),
        ("[first(createArray(124, 25))]", "124"),  // Bicep
        ("[last(createArray(1, 2))]", "2"),  // Bicep
        ("[take(createArray(1, 2, 3), 2)]", "[1,2]"),  // Bicep
        ("[skip(createArray(1, 2, 3), 1)]", "[2,3]"),  // Bicep
        ("[range(0, 3)]", "[0,1,2]"),  // Bicep
        ("[max(1, 2, 3)]", "3"),  // Bicep
        ("[min(createArray(4, 2, 3))]", "2"),
        ("[createArray(add(123, 456), sub(456, 123), mul(2, 3), div(10, 2), mod(7, 3))]", "[579,333,6,5,1]"),  // Bicep (operators)
        ("[createArray(greater(2, 1), greaterOrEquals(1, 2), less(1, 2), lessOrEquals('b', 'a'))]", "[true,false,true,false]"),
        ("[json('{\"a\": [1.5, null]}')]", #"{"a":[1.5,null]}"#),
        ("[createObject('a', 1, 'b', createArray())]", #"{"a":1,"b":[]}"#),
        ("[createArray(true(), false(), null())]", "[true,false,null]"),
    ])
    func evaluatesLikeAzure(expression: String, expected: String) throws {
        #expect(try armEvaluate(expression).text == expected)
    }

    @Test func deploymentFunctionsAnswerForTheResourceGroupDeployedInto() throws {
        #expect(try armEvaluate("[resourceGroup().name]") == .string("rg1"))
        #expect(try armEvaluate("[resourceGroup().location]") == .string("westus2"))
        #expect(try armEvaluate("[resourceGroup().id]") == .string("/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg1"))
        #expect(try armEvaluate("[resourceGroup().properties.provisioningState]") == .string("Succeeded"))
        #expect(try armEvaluate("[subscription().subscriptionId]") == .string("11111111-2222-3333-4444-555555555555"))
        #expect(try armEvaluate("[subscription().id]") == .string("/subscriptions/11111111-2222-3333-4444-555555555555"))
        #expect(try armEvaluate("[subscription().tenantId]") == .string("00000000-0000-0000-0000-000000000000"))
        let sub = "/subscriptions/11111111-2222-3333-4444-555555555555"
        #expect(try armEvaluate("[resourceId('Microsoft.Compute/galleries/images', 'G', 'I')]")
                == .string("\(sub)/resourceGroups/rg1/providers/Microsoft.Compute/galleries/G/images/I"))
        #expect(try armEvaluate("[resourceId('other', 'Microsoft.ManagedIdentity/userAssignedIdentities', 'id1')]")
                == .string("\(sub)/resourceGroups/other/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1"))
        #expect(try armEvaluate("[resourceId('s2', 'other', 'Microsoft.Compute/images', 'm')]")
                == .string("/subscriptions/s2/resourceGroups/other/providers/Microsoft.Compute/images/m"))
        #expect(try armEvaluate("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'abc')]")
                == .string("\(sub)/providers/Microsoft.Authorization/roleDefinitions/abc"))
        // The classic role-assignment name: guid() of ids, stable for a resource group.
        #expect(try armEvaluate("[guid(resourceGroup().id, 'builder')]") == .string(ARMHash.guid(["\(sub)/resourceGroups/rg1", "builder"])))
    }

    @Test(arguments: [
        ("[substring('abc', 2, 5)]", "substring(): start 2 and length 5 must lie within the string (length 3)"),
        ("[toLower(1)]", "toLower(): its first argument must be a string, got a number"),
        ("[concat('a', createArray())]", "concat(): its second argument must be a string, number or boolean"),
        ("[and(true())]", "and(): takes at least 2 arguments, got 1"),
        ("[div(1, 0)]", "div(): cannot divide by zero"),
        ("[int('4x')]", "int(): '4x' is not an integer"),
        ("[format('{1}', 'a')]", "format(): the format item {1} names argument 1, but only 1 follow"),
        ("[format('{0:Q}', 1)]", "format(): the format string 'Q' is not supported"),
        ("[format('a}b')]", "format(): the format string has a '}' at character 2"),
        ("[resourceId('Microsoft.Compute/galleries/images', 'G')]", "resourceId(): the resource type 'Microsoft.Compute/galleries/images' needs 2 names after it, got 1"),
        ("[uniqueString(1)]", "uniqueString(): its first argument must be a string"),
        ("[json('{')]", "json(): its argument is not JSON"),
    ])
    func badArgumentsNameTheFunctionAndWhere(expression: String, message: String) {
        do {
            let v = try armEvaluate(expression)
            Issue.record("\(expression) gave \(v.text)")
        } catch let e as DomainError {
            #expect(e.field == Field.named("resources[0].properties.x"))
            #expect(e.message.contains(message), "\(e.message)")
            #expect(e.message.contains("(at character 2 of \"\(expression)\")"), "\(e.message)")
        } catch {
            Issue.record("\(error)")
        }
    }
}
