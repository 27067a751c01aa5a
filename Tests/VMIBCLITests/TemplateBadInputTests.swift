import Foundation
import Testing
import VMIBTestSupport

/// Every invalid template: exit 2, one line naming the field path, Azure's
/// provisioningErrorCode and what is allowed; the store is unchanged.
extension TemplateCLISuites {
    @Suite struct TemplateBadInputTests {
        static let image = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/vmib/providers/Microsoft.Compute/galleries/G/images/I"
        nonisolated(unsafe) static let source: [String: Any] = ["type": "PlatformImage", "publisher": "vmib", "offer": "busybox", "sku": "gpt", "version": "latest"]
        nonisolated(unsafe) static let shared: [String: Any] = ["type": "SharedImage", "runOutputName": "out", "galleryImageId": image, "targetRegions": [["name": "eastus"]]]

        static func body(location: String = "eastus", source: Any = source, customize: [Any] = [], distribute: [Any] = [shared],
                         extra: [String: Any] = [:]) -> [String: Any] {
            var props: [String: Any] = ["source": source, "customize": customize, "distribute": distribute]
            props.merge(extra) { _, b in b }
            return ["type": "Microsoft.VirtualMachineImages/imageTemplates", "location": location, "properties": props]
        }

        nonisolated(unsafe) static let cases: [(String, [String: Any], String, String)] = [
            ("location not a build region", body(location: "brazilsouth"), "location", "build regions: eastus"),
            ("bad source type", body(source: ["type": "Floppy"]), "properties.source.type", "BadSourceType"),
            ("platform image without sku", body(source: ["type": "PlatformImage", "publisher": "p", "offer": "o"]), "properties.source.sku", "BadPIRSource"),
            ("managed image id malformed", body(source: ["type": "ManagedImage", "imageId": "/nope"]), "properties.source.imageId", "BadManagedImageSource"),
            ("shared image version id malformed", body(source: ["type": "SharedImageVersion", "imageVersionId": image + "/versions/1.x"]),
             "properties.source.imageVersionId", "BadSharedImageVersionSource"),
            ("bad customizer type", body(customize: [["type": "Ansible"]]), "properties.customize[0].type", "BadCustomizerType"),
            ("shell without script", body(customize: [["type": "Shell", "name": "x"]]), "properties.customize[0]", "NoCustomizerScript"),
            ("shell with both", body(customize: [["type": "Shell", "inline": ["true"], "scriptUri": "https://e/x.sh"]]), "properties.customize[0]", "both are given"),
            ("bad checksum", body(customize: [["type": "Shell", "inline": ["true"], "sha256Checksum": "abc"]]), "properties.customize[0].sha256Checksum", "64 hexadecimal"),
            ("file destination relative", body(customize: [["type": "File", "sourceUri": "https://e/f", "destination": "etc/motd"]]),
             "properties.customize[0].destination", "not absolute"),
            ("file destination escapes", body(customize: [["type": "File", "sourceUri": "https://e/f", "destination": "/etc/../../host"]]),
             "properties.customize[0].destination", "outside the image"),
            ("powershell without script", body(customize: [["type": "PowerShell"]]), "properties.customize[0]", "NoCustomizerScript"),
            ("no distributors", body(distribute: []), "properties.distribute", "BadDistributeType"),
            ("bad distributor type", body(distribute: [["type": "Tape", "runOutputName": "x"]]), "properties.distribute[0].type", "BadDistributeType"),
            ("bad runOutputName", body(distribute: [["type": "VHD", "runOutputName": "a b"]]), "properties.distribute[0].runOutputName", "^[A-Za-z0-9-_.]{1,64}$"),
            ("duplicate runOutputName", body(distribute: [["type": "VHD", "runOutputName": "x"], ["type": "VHD", "runOutputName": "X"]]),
             "properties.distribute[1].runOutputName", "unique"),
            ("targetRegions and replicationRegions", body(distribute: [["type": "SharedImage", "runOutputName": "o", "galleryImageId": image,
                                                                         "targetRegions": [["name": "eastus"]], "replicationRegions": ["eastus"]]]),
             "properties.distribute[0]", "BadSharedImageDistribute"),
            ("gallery image id malformed", body(distribute: [["type": "SharedImage", "runOutputName": "o", "galleryImageId": "/x", "targetRegions": [["name": "eastus"]]]]),
             "properties.distribute[0].galleryImageId", "BadSharedImageDistribute"),
            ("unknown target region", body(distribute: [["type": "SharedImage", "runOutputName": "o", "galleryImageId": image, "targetRegions": [["name": "eastsu"]]]]),
             "properties.distribute[0].targetRegions[0].name", "did you mean eastus"),
            ("replica count 1e300", body(distribute: [["type": "SharedImage", "runOutputName": "o", "galleryImageId": image,
                                                        "targetRegions": [["name": "eastus", "replicaCount": 1e300]]]]),
             "properties.distribute[0].targetRegions[0].replicaCount", "1…100"),
            ("build timeout 1e300", body(extra: ["buildTimeoutInMinutes": 1e300]), "properties.buildTimeoutInMinutes", "0…960"),
            ("os disk size 1e300", body(extra: ["vmProfile": ["osDiskSizeGB": 1e300]]), "properties.vmProfile.osDiskSizeGB", "0…"),
            ("bad versioning", body(distribute: [["type": "SharedImage", "runOutputName": "o", "galleryImageId": image, "targetRegions": [["name": "eastus"]],
                                                   "versioning": ["scheme": "Newest"]]]), "properties.distribute[0].versioning.scheme", "Latest, Source"),
            ("source versioning with managed image", body(source: ["type": "ManagedImage", "imageId": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/images/m"],
                                                           distribute: [["type": "SharedImage", "runOutputName": "o", "galleryImageId": image,
                                                                         "targetRegions": [["name": "eastus"]], "versioning": ["scheme": "Source"]]]),
             "properties.distribute[0].versioning.scheme", "use Latest"),
            ("vhd uri not a file URL", body(distribute: [["type": "VHD", "runOutputName": "v", "uri": "ftp://x/y.vhd"]]), "properties.distribute[0].uri", "file URL"),
            ("timeout too long", body(extra: ["buildTimeoutInMinutes": 961]), "properties.buildTimeoutInMinutes", "0…960"),
            ("bad errorHandling", body(extra: ["errorHandling": ["onCustomizerError": "ignore"]]), "properties.errorHandling.onCustomizerError", "cleanup, abort"),
        ]

        let dir: URL
        let vmib: VMIBProcess

        init() async throws {
            dir = try TestFiles.directory("vmib-template-bad")
            vmib = VMIBProcess(stateDirectory: dir.appendingPathComponent("state").path)
            try expectSuccess(await vmib.run("gallery", "create", "--name", "G"))
        }

        func file(_ body: Any) throws -> String {
            let url = dir.appendingPathComponent("t-\(UUID().uuidString).json")
            try JSONSerialization.data(withJSONObject: body).write(to: url)
            return url.path
        }

        @Test func refusesEveryInvalidTemplateNamingTheFieldAndChangesNothing() async throws {
            let before = try await vmib.databaseDump()
            for (label, body, field, says) in Self.cases {
                let r = try await vmib.run("template", "create", "--name", "T", "--file", try file(body))
                #expect(r.exitCode == 2, "\(label): \(r.stderr)")
                let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
                #expect(errors.count == 1 && errors[0].contains("\(field): ") && errors[0].contains(says), "\(label): \(r.stderr)")
            }
            #expect(try await vmib.databaseDump() == before)
        }

        @Test func templatesAreImmutableAndUnknownPropertiesWarn() async throws {
            var b = Self.body()
            var props = b["properties"] as! [String: Any]
            props["colour"] = "blue"
            b["properties"] = props
            let first = try await vmib.run("template", "create", "--name", "T", "--file", try file(b))
            #expect(first.exitCode == 0 && first.stderr.contains("warning: properties.colour is not a known property"))
            let again = try await vmib.run("template", "create", "--name", "T", "--file", try file(b))
            #expect(again.exitCode == 0 && again.stdout.contains("unchanged"))
            let before = try await vmib.databaseDump()
            let changed = try await vmib.run("template", "create", "--name", "T", "--file", try file(Self.body(extra: ["buildTimeoutInMinutes": 30])))
            #expect(changed.exitCode == 2 && changed.stderr.contains("templates cannot be updated by a create")
                    && changed.stderr.contains("delete it, or create one under a new name"), "\(changed.stderr)")
            // `template update` refuses what Azure's update cannot change, naming it, and changes nothing.
            let patch = URL(fileURLWithPath: try file(b)).deletingLastPathComponent().appendingPathComponent("patch.json").path
            try #"{"properties":{"buildTimeoutInMinutes":30}}"#.write(toFile: patch, atomically: true, encoding: .utf8)
            let update = try await vmib.run("template", "update", "--name", "T", "--file", patch)
            #expect(update.exitCode == 2 && update.stderr.contains("properties.buildTimeoutInMinutes"), "\(update.stderr)")
            let notJSON = patch + ".txt"
            try "tags: x".write(toFile: notJSON, atomically: true, encoding: .utf8)
            let garbage = try await vmib.run("template", "update", "--name", "T", "--file", notJSON)
            #expect(garbage.exitCode == 2 && garbage.stderr.contains("--file"), "\(garbage.stderr)")
            #expect(try await vmib.databaseDump() == before)
        }

        @Test func evaluatesDeploymentParametersAndVariablesAndRefusesUnsupportedFunctions() async throws {
            var resource = Self.body(location: "[parameters('where')]")
            resource["type"] = "Microsoft.VirtualMachineImages/imageTemplates"
            resource["name"] = "[variables('templateName')]"
            var props = resource["properties"] as! [String: Any]
            props["buildTimeoutInMinutes"] = "[parameters('minutes')]"
            resource["properties"] = props
            let deployment: [String: Any] = [
                "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
                "parameters": ["where": ["type": "string", "defaultValue": "westus"], "minutes": ["type": "int", "defaultValue": 60]],
                "variables": ["templateName": "fromArm"], "resources": [resource]]
            let path = try file(deployment)
            let created = try await vmib.run("template", "create", "--name", "Arm", "--file", path, "--parameter", "minutes=90", "--output", "json")
            #expect(created.exitCode == 0, "\(created.stderr)")
            let json = try created.json() as? [String: Any]
            #expect(json?["location"] as? String == "westus")
            #expect((json?["properties"] as? [String: Any])?["buildTimeoutInMinutes"] as? Int == 90)

            let unknown = try await vmib.run("template", "create", "--name", "Arm2", "--file", path, "--parameter", "colour=red")
            #expect(unknown.exitCode == 2 && unknown.stderr.contains("--parameter: 'colour' is not a parameter"))
            // A function vmib cannot evaluate faithfully is refused, naming it and where it is;
            // nothing is created.
            var reference = deployment
            var r2 = resource
            r2["location"] = "[concat('east', reference('someId').location)]"
            reference["resources"] = [r2]
            let before = try await vmib.databaseDump()
            let refused = try await vmib.run("template", "create", "--name", "Arm3", "--file", try file(reference))
            #expect(refused.exitCode == 2, "\(refused.stderr)")
            let errors = refused.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
            #expect(errors.count == 1 && errors[0].contains("resources[0].location: the function 'reference' is not supported by vmib")
                    && errors[0].contains("(at character 17 of \"[concat('east', reference('someId').location)]\")"), "\(refused.stderr)")
            #expect(try await vmib.databaseDump() == before)
            #expect(try await vmib.run("template", "show", "--name", "Arm3").exitCode == 2)
        }
    }
}
