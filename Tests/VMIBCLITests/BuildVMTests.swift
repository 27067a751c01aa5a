import Foundation
import Testing
import VMIBTestSupport

/// What a template asks of its build VM, through the CLI: the network its
/// `vmProfile.vnetConfig` names (a configuration server on this machine, reachable only
/// through the topology's restricted network), a larger OS disk, a VM size, validators and
/// what happens when one fails.
extension TemplateCLISuites {
    @Suite struct BuildVMTests {
        static let subnet = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/vmib/providers/Microsoft.Network/virtualNetworks/cfg/subnets/builders"

        /// The local topology plus a `builds` section: network cfg/builders reaches the
        /// fixture's HTTP server (a stand-in for Chef/Puppet) at 169.254.10.4:8080 and nothing else.
        func fixture() async throws -> TemplateFixture {
            let dir = try TestFiles.directory("vmib-buildvm-topology")
            let local = try String(contentsOf: RepositoryPaths.root.appendingPathComponent("topology/local.json"), encoding: .utf8)
            var topology = try JSONSerialization.jsonObject(with: Data(local.utf8)) as! [String: Any]
            let path = dir.appendingPathComponent("topology.json")
            // The server's port is known once the fixture runs: the topology file is read per command.
            topology["builds"] = ["networks": ["cfg/builders": ["mode": "restricted", "forward": [["guest": "169.254.10.4:8080", "target": "127.0.0.1:1"]]]]]
            try JSONSerialization.data(withJSONObject: topology).write(to: path)
            let f = try await TemplateFixture(extraEnvironment: ["VMIB_TOPOLOGY": path.path])
            topology["builds"] = ["networks": ["cfg/builders": ["mode": "restricted",
                                                               "forward": [["guest": "169.254.10.4:8080", "target": "127.0.0.1:\(f.port)"]]]]]
            try JSONSerialization.data(withJSONObject: topology).write(to: path)
            return f
        }

        @Test func aCustomizerReachesTheConfigurationServerOnlyThroughTheNetworkTheTopologyOffers() async throws {
            let f = try await fixture()
            _ = try f.serve("cookbook.txt", "run_list: base\n")
            let fetch: [[String: Any]] = [["type": "Shell", "name": "configure", "inline": [
                "wget -O /etc/cookbook http://169.254.10.4:8080/cookbook.txt",
                // The host's own loopback (169.254.2.2 on an open network) is not reachable here.
                "if wget -O /dev/null http://169.254.2.2:\(f.port)/cookbook.txt; then echo REACHED-HOST; fi",
            ]]]
            let vhd = f.dir.appendingPathComponent("out/cfg.vhd").path
            let body = TemplateFixture.body(customize: fetch, distribute: [["type": "VHD", "runOutputName": "v", "uri": "file://\(vhd)"]],
                                            extra: ["vmProfile": ["vnetConfig": ["subnetId": Self.subnet]]])
            try expectSuccess(await f.vmib.run("template", "create", "--name", "withnet", "--file", try f.templateFile("withnet", body)))
            let run = try await f.vmib.run("template", "run", "withnet")
            let log = try await f.vmib.run("template", "logs", "withnet").stdout
            #expect(run.exitCode == 0, "\(run.stderr)\(log)")
            #expect(log.contains("a restricted network reaching 169.254.10.4:8080"), "\(log)")
            #expect(!log.contains("REACHED-HOST"), "\(log)")
            let raw = f.dir.appendingPathComponent("cfg.raw").path
            _ = try await ChildProcess.run(["qemu-img", "convert", "-f", "vpc", "-O", "raw", vhd, raw])
            #expect(try await ChildProcess.run(["debugfs", "-R", "cat /etc/cookbook", "\(raw)?offset=1048576"]).stdout == "run_list: base\n")

            // The same customizer without a network: the connection error is in the log.
            var bare = body
            bare["properties"] = (body["properties"] as! [String: Any]).filter { $0.key != "vmProfile" }
            try expectSuccess(await f.vmib.run("template", "create", "--name", "nonet", "--file", try f.templateFile("nonet", bare)))
            let failed = try await f.vmib.run("template", "run", "nonet")
            #expect(failed.exitCode == 1)
            let noLog = try await f.vmib.run("template", "logs", "nonet").stdout
            #expect(noLog.contains("no network") && noLog.contains("169.254.10.4"), "\(noLog)")
            #expect(noLog.contains("Network is unreachable") || noLog.contains("can't connect"), "\(noLog)")
            #expect(failed.stderr.contains("customizer 'configure' (Shell) failed"), "\(failed.stderr)")

            // A network the deployment does not offer, a VM size it does not know, a disk size out
            // of range: refused at create, naming the field; nothing is created.
            for (name, profile, field, says) in [
                ("othernet", ["vnetConfig": ["subnetId": Self.subnet.replacingOccurrences(of: "/cfg/", with: "/prod/")]],
                 "properties.vmProfile.vnetConfig.subnetId", "network 'prod/builders' is not offered by this deployment; offered: cfg/builders"),
                ("badsubnet", ["vnetConfig": ["subnetId": "builders"]], "properties.vmProfile.vnetConfig.subnetId", "is not a subnet id"),
                ("badsize", ["vmSize": "Standard_Imaginary_v9"], "properties.vmProfile.vmSize", "is not a VM size this deployment offers"),
                ("bigdisk", ["osDiskSizeGB": 1e300], "properties.vmProfile.osDiskSizeGB", "must be an integer 0…4095"),
            ] as [(String, [String: Any], String, String)] {
                let b = TemplateFixture.body(customize: [], distribute: [["type": "VHD", "runOutputName": "v"]], extra: ["vmProfile": profile])
                let r = try await f.vmib.run("template", "create", "--name", name, "--file", try f.templateFile(name, b))
                #expect(r.exitCode == 2, "\(name): \(r.stderr)")
                #expect(r.stderr.contains(field) && r.stderr.contains(says), "\(name): \(r.stderr)")
                #expect(try await f.vmib.run("template", "show", name).exitCode != 0, "\(name) was not created")
            }
        }

        @Test func theDiskGrowsAndAFailedValidatorFailsTheRunYetDistributesWhenAsked() async throws {
            let f = try await TemplateFixture()
            let vhd = f.dir.appendingPathComponent("out/grown.vhd").path
            let body = TemplateFixture.body(
                customize: [["type": "Shell", "name": "mark", "inline": ["echo customized > /etc/mark"]]],
                distribute: [["type": "VHD", "runOutputName": "v", "uri": "file://\(vhd)"]],
                extra: ["vmProfile": ["vmSize": "Standard_B2s", "osDiskSizeGB": 1],
                        "validate": ["continueDistributeOnFailure": true, "inVMValidations": [
                            // The root file system grew with the disk: more than 900 MiB in 1 KiB blocks.
                            ["type": "Shell", "name": "size", "inline": ["df -k / | tail -1", "test $(df -k / | tail -1 | awk '{print $2}') -gt 900000"]],
                            ["type": "Shell", "name": "policy", "inline": ["cat /etc/mark", "echo policy violated", "exit 4"]],
                        ]]])
            try expectSuccess(await f.vmib.run("template", "create", "--name", "grow", "--file", try f.templateFile("grow", body)))
            let run = try await f.vmib.run("template", "run", "grow")
            let log = try await f.vmib.run("template", "logs", "grow").stdout
            // Azure: a failed validation fails the run, and continueDistributeOnFailure still distributes.
            #expect(run.exitCode == 1, "\(run.stderr)")
            let status = try await f.lastRun("grow")
            let message = status["message"] as? String ?? ""
            #expect(status["runState"] as? String == "Failed")
            #expect(message.contains("validator 'policy' (Shell) failed with exit code 4: customized / policy violated")
                    && message.contains("distributed anyway (validate.continueDistributeOnFailure)"), "\(message)")
            #expect(log.contains("build VM size Standard_B2s: 2 vCPU, 4096 MiB"), "\(log)")
            #expect(log.contains("grew the disk to 1073741824 bytes"), "\(log)")
            #expect(log.contains("end validator 'size' (Shell): exit code 0"), "\(log)")
            let info = try await ChildProcess.run(["qemu-img", "info", "-f", "vpc", "--output", "json", vhd])
            let json = try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any] ?? [:]
            #expect(json["virtual-size"] as? Int == 1 << 30, "\(info.stdout)")

            // Without the flag, a failed validator distributes nothing; onValidationError abort keeps
            // the work disk for inspection.
            let strict = TemplateFixture.body(
                customize: [], distribute: [TemplateFixture.sharedImage()],
                extra: ["validate": ["inVMValidations": [["type": "Shell", "name": "policy", "inline": ["echo policy violated", "exit 4"]]]],
                        "errorHandling": ["onValidationError": "abort"]])
            try expectSuccess(await f.vmib.run("template", "create", "--name", "strict", "--file", try f.templateFile("strict", strict)))
            #expect(try await f.vmib.run("template", "run", "strict").exitCode == 1)
            let strictRun = try await f.lastRun("strict")
            #expect((strictRun["message"] as? String ?? "").contains("validator 'policy' (Shell) failed with exit code 4"), "\(strictRun)")
            #expect(try await f.versions().contains("1.0.0") == false, "nothing was distributed")
            let staging = try #require(strictRun["stagingArea"] as? String)
            #expect(FileManager.default.fileExists(atPath: staging + "/work.raw"), "abort keeps the work disk")
            #expect(try await f.vmib.run("template", "logs", "strict").stdout.contains("errorHandling.onValidationError is abort"))

            // sourceValidationOnly: the validators run on the source as it is; nothing is distributed.
            let sourceOnly = TemplateFixture.body(
                customize: [], distribute: [TemplateFixture.sharedImage()],
                extra: ["validate": ["sourceValidationOnly": true,
                                     "inVMValidations": [["type": "Shell", "name": "os", "inline": ["grep -q vmib-busybox /etc/os-release"]]]]])
            try expectSuccess(await f.vmib.run("template", "create", "--name", "sourceonly", "--file", try f.templateFile("sourceonly", sourceOnly)))
            let checked = try await f.vmib.run("template", "run", "sourceonly")
            #expect(checked.exitCode == 0, "\(checked.stderr)")
            let checkedRun = try await f.lastRun("sourceonly")
            #expect(checkedRun["runState"] as? String == "Succeeded" && (checkedRun["message"] as? String ?? "").contains("nothing was distributed"), "\(checkedRun)")
            #expect(try await f.vmib.run("template", "logs", "sourceonly").stdout.contains("end validator 'os' (Shell): exit code 0"))
            #expect(try await f.versions().contains("1.0.0") == false, "nothing was distributed")
        }

        /// Azure deprovisions the build VM unless the image definition is Specialized: a VHD is
        /// generalized, a Specialized definition's version keeps the machine's identity, and one
        /// run cannot make both.
        @Test func aSpecializedDefinitionKeepsTheMachinesIdentityAndCannotShareARunWithAGeneralizedOutput() async throws {
            let f = try await TemplateFixture()
            try expectSuccess(await f.vmib.run("image", "create", "--gallery", "G", "--name", "Spec", "--os-type", "Linux",
                                               "--os-state", "Specialized", "--publisher", "P", "--offer", "O", "--sku", "Spec"))
            let spec = TemplateFixture.imageID.replacingOccurrences(of: "/images/I", with: "/images/Spec")
            let identity: [[String: Any]] = [["type": "Shell", "name": "identity", "inline": ["echo 0123456789abcdef > /etc/machine-id"]]]
            let target: [String: Any] = ["type": "SharedImage", "runOutputName": "spec", "galleryImageId": spec,
                                         "targetRegions": [["name": "eastus", "replicaCount": 1]]]
            let mixed = TemplateFixture.body(customize: identity, distribute: [target, ["type": "VHD", "runOutputName": "vhd"]])
            try expectSuccess(await f.vmib.run("template", "create", "--name", "mixed", "--file", try f.templateFile("mixed", mixed)))
            let refused = try await f.vmib.run("template", "run", "mixed")
            #expect(refused.exitCode == 1 && refused.stderr.contains("properties.distribute")
                    && refused.stderr.contains("'spec' publish to a Specialized image definition and 'vhd' need a generalized image"), "\(refused.stderr)")

            let only = TemplateFixture.body(customize: identity, distribute: [target])
            try expectSuccess(await f.vmib.run("template", "create", "--name", "specialized", "--file", try f.templateFile("specialized", only)))
            let run = try await f.vmib.run("template", "run", "specialized")
            #expect(run.exitCode == 0, "\(run.stderr)")
            let log = try await f.vmib.run("template", "logs", "specialized").stdout
            #expect(log.contains("end customizer 'identity' (Shell): exit code 0") && !log.contains("generalized the image"), "\(log)")
        }
    }
}
