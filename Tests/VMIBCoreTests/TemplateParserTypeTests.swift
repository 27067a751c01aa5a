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
                #expect(e.field == .named(field) && e.message.contains(message), "\(e)")
            } catch {
                Issue.record("\(error)")
            }
        }
    }
}

/// Microsoft's Windows samples: PowerShell, WindowsRestart, WindowsUpdate and File customizers
/// with `c:\…` destinations are accepted and validated; only running one needs a Windows host.
@Suite struct WindowsTemplateShapeTests {
    func parse(_ customize: String) throws -> TemplateParser.Result {
        let body = try JSONParser.parse(#"{"location": "eastus", "properties": {"source": {"type": "PlatformImage", "publisher": "MicrosoftWindowsServer", "offer": "WindowsServer", "sku": "2019-Datacenter"}, "customize": \#(customize), "distribute": [{"type": "VHD", "runOutputName": "v"}]}}"#)
        return try TemplateParser.parse(body, name: "win", resourceGroup: "rg", context: .init(buildRegions: ["eastus"], knownRegions: ["eastus"]))
    }

    @Test func windowsCustomizersAndDrivePathsAreAcceptedAsWindowsWork() throws {
        let t = try parse(#"""
            [{"type": "PowerShell", "name": "settingUpMgmtAgtPath", "runElevated": false, "inline": ["mkdir c:\\buildActions"]},
             {"type": "File", "name": "downloadBuildArtifacts", "sourceUri": "https://example.com/index.html", "destination": "c:\\buildArtifacts\\index.html"},
             {"type": "WindowsRestart", "restartCheckCommand": "echo Azure-Image-Builder-Restarted-the-VM", "restartTimeout": "5m"},
             {"type": "WindowsUpdate", "searchCriteria": "IsInstalled=0", "filters": ["exclude:$_.Title -like '*Preview*'"], "updateLimit": 20}]
            """#).template
        #expect(t.customize.map(\.typeName) == ["PowerShell", "File", "WindowsRestart", "WindowsUpdate"])
        #expect(t.customize.allSatisfy { if case .windows = $0 { true } else { false } })
    }

    @Test func badDrivePathsAreRefusedNamingTheField() throws {
        for (destination, says) in [(#"c:\\buildArtifacts\\..\\..\\Windows\\x"#, "outside the image"), (#"c:\\"#, "outside the image"),
                                    (#"c:\\dir\\a|b"#, "Windows does not allow")] {
            do {
                _ = try parse(#"[{"type": "File", "sourceUri": "https://example.com/f", "destination": "\#(destination)"}]"#)
                Issue.record("accepted \(destination)")
            } catch let e as DomainError {
                #expect(e.field == Field.named("properties.customize[0].destination") && e.message.contains(says), "\(destination): \(e.message)")
            }
        }
    }
}
