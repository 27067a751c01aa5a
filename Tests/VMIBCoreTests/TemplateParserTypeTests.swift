import Testing
@testable import VMIBCore

/// A body's `type` and `apiVersion` as Microsoft's samples write them: Azure ignores both on
/// a PUT, so any string is accepted (a type other than imageTemplates with a warning).
@Suite struct TemplateParserTypeTests {
    static func body(_ top: String) throws -> JSONValue {
        try JSONParser.parse("""
            {\(top) "location": "eastus",
             "properties": {"source": {"type": "PlatformImage", "publisher": "p", "offer": "o", "sku": "s"},
                            "distribute": [{"type": "VHD", "runOutputName": "v"}]}}
            """)
    }

    static func parse(_ top: String) throws -> TemplateParser.Result {
        try TemplateParser.parse(try body(top), name: "t", resourceGroup: "rg", context: .init(buildRegions: ["eastus"], knownRegions: ["eastus"]))
    }

    @Test func acceptsTheSamplesTypeWithAWarning() throws {
        let r = try Self.parse(#""type": "Microsoft.VirtualMachineImages", "apiVersion": "2022-02-14","#)
        #expect(r.warnings == ["type 'Microsoft.VirtualMachineImages' is not 'Microsoft.VirtualMachineImages/imageTemplates'; it is ignored, as Azure ignores it"])
        #expect(r.template.location == "eastus")
    }

    @Test func acceptsTheImageTemplatesTypeInAnyCaseAndAnyAPIVersionSilently() throws {
        #expect(try Self.parse(#""type": "microsoft.virtualmachineimages/IMAGETEMPLATES", "apiVersion": "2019-05-01-preview","#).warnings.isEmpty)
        #expect(try Self.parse("").warnings.isEmpty)
    }

    @Test func refusesATypeOrAPIVersionThatIsNotAString() {
        for (top, field, message) in [(#""type": 5,"#, "type", "must be a string ('Microsoft.VirtualMachineImages/imageTemplates'), got a number"),
                                      (#""apiVersion": ["2022-02-14"],"#, "apiVersion", "must be a string (such as '2024-02-01'), got an array")] {
            do {
                _ = try Self.parse(top)
                Issue.record("accepted \(top)")
            } catch let e as DomainError {
                #expect(e.field == field && e.message.contains(message), "\(e)")
            } catch {
                Issue.record("\(error)")
            }
        }
    }
}
