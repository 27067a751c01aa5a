import Foundation
import Testing
import VMIBTestSupport

/// PlatformImage (downloaded over HTTP by libcurl) → Shell + File → SharedImage + VHD, then
/// a patch run from the SharedImageVersion it made, then the staging areas' life cycle.
extension TemplateCLISuites {
    @Suite struct TemplateEndToEndTests {
        @Test func buildsPublishesPatchesAndCleansUp() async throws {
            let f = try await TemplateFixture()
            let script = try f.serve("setup.sh", "#!/bin/sh\necho \"from script: $(cat /etc/hostname)\"\necho scripted > /etc/scripted\n")
            let motd = try f.serve("motd", "Welcome to a vmib image\n")
            let vhdOut = f.dir.appendingPathComponent("out/final.vhd").path
            let body = TemplateFixture.body(customize: [
                ["type": "Shell", "name": "inline-steps", "inline": ["echo first > /etc/step1", "echo second >> /etc/step1"]],
                ["type": "Shell", "name": "remote-script", "scriptUri": script.url, "sha256Checksum": script.sha256],
                ["type": "File", "name": "motd", "sourceUri": motd.url, "sha256Checksum": motd.sha256, "destination": "/etc/motd"],
            ], distribute: [
                TemplateFixture.sharedImage(regions: [["name": "eastus", "replicaCount": 2], ["name": "westeurope"]]),
                ["type": "VHD", "runOutputName": "vhd-staging"],
                ["type": "VHD", "runOutputName": "vhd-uri", "uri": "file://\(vhdOut)"],
            ])
            try expectSuccess(await f.vmib.run("template", "create", "--name", "base", "--file", try f.templateFile("base", body)))

            let plan = try await f.vmib.run("template", "plan", "base")
            #expect(plan.exitCode == 0)
            #expect(plan.stdout.contains("vmib:busybox:gpt:1.0.0") && plan.stdout.contains("as version 1.0.0"))
            #expect(plan.stdout.contains("eastus: 2 × Standard_LRS") && plan.stdout.contains("server-side copies"))

            let run = try await f.vmib.run("template", "run", "base")
            #expect(run.exitCode == 0, "\(run.stderr)\(run.stdout)")
            let status = try await f.lastRun("base")
            #expect(status["runState"] as? String == "Succeeded")
            #expect(status["startTime"] != nil && status["endTime"] != nil)
            let staging = status["stagingArea"] as? String ?? ""
            #expect(URL(fileURLWithPath: staging).lastPathComponent.hasPrefix("IT_vmib_base_"))

            // Run outputs, Azure-shaped.
            let outputs = try await f.vmib.run("template", "outputs", "base", "--output", "json").json() as? [String: Any]
            let values = outputs?["value"] as? [[String: Any]] ?? []
            #expect(values.count == 3 && values.allSatisfy { $0.properties["provisioningState"] as? String == "Succeeded" })
            #expect(values.contains { $0.properties["artifactId"] as? String == TemplateFixture.imageID + "/versions/1.0.0" })

            // The VHDs are fixed VHDs with a 1 MiB-aligned size; the customizations are on the disk.
            for vhd in [staging + "/vhd-staging.vhd", vhdOut] {
                let info = try await ChildProcess.run(["qemu-img", "info", "-f", "vpc", "--output", "json", vhd])
                let json = try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any] ?? [:]
                #expect(json["format"] as? String == "vpc")
                #expect(((json["virtual-size"] as? Int) ?? 1) % (1 << 20) == 0)
            }
            let raw = f.dir.appendingPathComponent("check.raw").path
            _ = try await ChildProcess.run(["qemu-img", "convert", "-f", "vpc", "-O", "raw", vhdOut, raw])
            #expect(try await debugfsCat("/etc/step1", raw) == "first\nsecond\n")
            #expect(try await debugfsCat("/etc/scripted", raw) == "scripted\n")
            #expect(try await debugfsCat("/etc/motd", raw) == "Welcome to a vmib image\n")
            // The partition table is the source's.
            let source = f.www.appendingPathComponent("busybox-gpt.img").path
            #expect(try await partitionTable(raw) == partitionTable(source))

            // The log names each customizer with its exit code and output.
            let log = try await f.vmib.run("template", "logs", "base").stdout
            #expect(log.contains("start customizer 'remote-script' (Shell) in the build VM (Linux ") && log.contains("from script: vmib-busybox"))
            #expect(log.contains("end customizer 'motd' (File): copied to /etc/motd"))

            // Version 1.0.0 replicated; a patch run from it makes 1.0.1 (Latest versioning).
            let v1 = try await f.vmib.run("version", "show", "--gallery", "G", "--image", "I", "--version", "1.0.0", "--replication-status", "--output", "json").json() as? [String: Any]
            #expect(v1?.aggregatedState == "Completed")
            let patch = TemplateFixture.body(
                source: ["type": "SharedImageVersion", "imageVersionId": TemplateFixture.imageID + "/versions/1.0.0"],
                customize: [["type": "Shell", "name": "patch", "inline": ["echo patched > /etc/patch-level"]]],
                distribute: [TemplateFixture.sharedImage("patched", versioning: ["scheme": "Latest", "major": 1]), ["type": "VHD", "runOutputName": "vhd"]])
            try expectSuccess(await f.vmib.run("template", "create", "--name", "patch", "--file", try f.templateFile("patch", patch)))
            #expect(try await f.vmib.run("template", "plan", "patch").stdout.contains("as version 1.0.1"))
            let patchRun = try await f.vmib.run("template", "run", "patch")
            #expect(patchRun.exitCode == 0, "\(patchRun.stderr)")
            #expect(try await f.versions().contains("1.0.1"))
            let patchStaging = try await f.lastRun("patch")["stagingArea"] as? String ?? ""
            let patched = f.dir.appendingPathComponent("patched.raw").path
            _ = try await ChildProcess.run(["qemu-img", "convert", "-f", "vpc", "-O", "raw", patchStaging + "/vhd.vhd", patched])
            #expect(try await debugfsCat("/etc/patch-level", patched) == "patched\n")
            #expect(try await debugfsCat("/etc/motd", patched) == "Welcome to a vmib image\n", "the patch keeps version 1.0.0's changes")

            // Intermediates went after success; the log and outputs stay until the template is deleted.
            #expect(!FileManager.default.fileExists(atPath: staging + "/work.raw"))
            #expect(FileManager.default.fileExists(atPath: staging + "/customization.log"))
            try expectSuccess(await f.vmib.run("template", "delete", "--name", "base"))
            #expect(!FileManager.default.fileExists(atPath: staging))
            #expect(try await f.vmib.run("template", "show", "base").exitCode == 2)
        }

        /// A deployment template shaped like Microsoft's samples: the build region is the
        /// resource group's, names come from concat/format/resourceId/uniqueString, and the
        /// version goes to Premium_LRS storage, which the default topology offers.
        @Test func buildsFromAnARMDeploymentTemplateIntoPremiumStorage() async throws {
            let f = try await TemplateFixture()
            let deployment: [String: Any] = [
                "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                "contentVersion": "1.0.0.0",
                "parameters": [
                    "imageTemplateName": ["type": "string"],
                    "api-version": ["type": "string", "defaultValue": "2022-02-14"],
                    "svclocation": ["type": "string", "defaultValue": "[resourceGroup().location]"],
                    "storage": ["type": "string", "defaultValue": "Premium_LRS", "allowedValues": ["Standard_LRS", "Premium_LRS"]],
                    "replicas": ["type": "int", "defaultValue": 1],
                ],
                "variables": [
                    "imageId": "[resourceId('Microsoft.Compute/galleries/images', 'G', 'I')]",
                    "runOutputName": "[concat(parameters('imageTemplateName'), '-', toLower('SIG'))]",
                    "stamp": "[format('{0}-{1}', resourceGroup().name, uniqueString(resourceGroup().id))]",
                ],
                "resources": [[
                    "name": "[parameters('imageTemplateName')]",
                    "type": "Microsoft.VirtualMachineImages/imageTemplates",
                    "apiVersion": "[parameters('api-version')]",
                    "location": "[parameters('svclocation')]",
                    "tags": ["stamp": "[variables('stamp')]"],
                    "properties": [
                        "source": ["type": "PlatformImage", "publisher": "vmib", "offer": "busybox", "sku": "gpt", "version": "latest"],
                        "customize": [["type": "Shell", "name": "stamp", "inline": ["[concat('echo ', variables('stamp'), ' > /etc/stamp')]"]]],
                        "distribute": [["type": "SharedImage", "galleryImageId": "[variables('imageId')]",
                                        "runOutputName": "[variables('runOutputName')]",
                                        "targetRegions": [["name": "[parameters('svclocation')]", "replicaCount": "[parameters('replicas')]",
                                                           "storageAccountType": "[parameters('storage')]"]]]],
                    ],
                ]],
            ]
            let created = try await f.vmib.run("template", "create", "--name", "fromArm", "--file", try f.templateFile("arm", deployment),
                                               "--parameter", "imageTemplateName=ubuntu", "--output", "json")
            #expect(created.exitCode == 0, "\(created.stderr)")
            let json = try created.json() as? [String: Any] ?? [:]
            let stamp = json["tags"].flatMap { ($0 as? [String: Any])?["stamp"] as? String } ?? ""
            #expect(stamp.hasPrefix("vmib-") && stamp.count == "vmib-".count + 13, "\(stamp)")
            #expect(json["location"] as? String == "eastus", "the first build region of the default topology")
            let distribute = (json.properties["distribute"] as? [[String: Any]])?.first ?? [:]
            #expect(distribute["runOutputName"] as? String == "ubuntu-sig")
            #expect(distribute["galleryImageId"] as? String == TemplateFixture.imageID)

            let plan = try await f.vmib.run("template", "plan", "fromArm")
            #expect(plan.stdout.contains("eastus: 1 × Premium_LRS"), "\(plan.stdout)")
            let run = try await f.vmib.run("template", "run", "fromArm")
            #expect(run.exitCode == 0, "\(run.stderr)\(run.stdout)")
            let v1 = try await f.vmib.run("version", "show", "--gallery", "G", "--image", "I", "--version", "1.0.0",
                                          "--replication-status", "--output", "json").json() as? [String: Any]
            #expect(v1?.aggregatedState == "Completed")
            let premium = f.dir.appendingPathComponent("state/regions/eastus.Premium_LRS").path
            #expect(!((try? FileManager.default.subpathsOfDirectory(atPath: premium)) ?? []).isEmpty, "the replica is in Premium_LRS storage")
            let log = try await f.vmib.run("template", "logs", "fromArm").stdout
            #expect(log.contains("start customizer 'stamp' (Shell)"))
        }

        func debugfsCat(_ path: String, _ disk: String) async throws -> String {
            try await ChildProcess.run(["debugfs", "-R", "cat \(path)", "\(disk)?offset=1048576"]).stdout
        }

        func partitionTable(_ disk: String) async throws -> String {
            let dump = try await ChildProcess.run(["sfdisk", "--dump", disk]).stdout
            return dump.split(separator: "\n").filter { !$0.hasPrefix("device:") }
                .map { $0.replacingOccurrences(of: disk, with: "DISK") }.joined(separator: "\n")
        }
    }
}
