import Foundation
import Testing
import VMIBTestSupport

/// Cancel during Customizing, the build timeout, and every way a run fails: each gives a
/// clear message and leaves the gallery without a new version.
extension TemplateCLISuites {
    @Suite struct TemplateRunControlTests {
        func create(_ f: TemplateFixture, _ name: String, customize: [[String: Any]], extra: [String: Any] = [:],
                    distribute: [[String: Any]]? = nil) async throws {
            let body = TemplateFixture.body(customize: customize, distribute: distribute ?? [TemplateFixture.sharedImage()], extra: extra)
            try expectSuccess(await f.vmib.run("template", "create", "--name", name, "--file", try f.templateFile(name, body)))
        }

        func waitFor(_ f: TemplateFixture, _ name: String, seconds: Int = 60, until: ([String: Any]) -> Bool) async throws -> [String: Any] {
            let deadline = ContinuousClock.now + .seconds(seconds)
            while ContinuousClock.now < deadline {
                let s = try await f.lastRun(name)
                if until(s) { return s }
                try await Task.sleep(for: .milliseconds(150))
            }
            return try await f.lastRun(name)
        }

        @Test func cancelDuringCustomizingStopsTheBuildVMAndEndsCanceled() async throws {
            let f = try await TemplateFixture()
            try await create(f, "slow", customize: [["type": "Shell", "name": "sleeper", "inline": ["sleep 4242"]]])
            let started = try await f.vmib.run("template", "run", "slow", "--no-wait")
            #expect(started.exitCode == 0, "\(started.stderr)")
            let customizing = try await waitFor(f, "slow") { $0["runSubState"] as? String == "Customizing" }
            #expect(customizing["runState"] as? String == "Running")
            let staging = try #require(customizing["stagingArea"] as? String)
            try await waitUntil("the customizer runs in the build VM", timeout: .seconds(120)) {
                try await f.vmib.run("template", "logs", "slow").stdout.contains("start customizer 'sleeper' (Shell) in the build VM")
            }
            #expect(try ProcessList.contains(staging + "/work.raw"), "the build VM (qemu) has the run's work disk")
            let cancel = try await f.vmib.run("template", "cancel", "slow")
            #expect(cancel.exitCode == 0 && cancel.stdout.contains("Canceling"), "\(cancel.stderr)\(cancel.stdout)")
            let end = try await waitFor(f, "slow") { $0["runState"] as? String == "Canceled" }
            #expect(end["runState"] as? String == "Canceled")
            try await waitUntil("the build VM is gone", timeout: .seconds(20)) { !(try ProcessList.contains(staging + "/work.raw")) }
            #expect(try await f.versions().contains("1.0.0") == false)
            #expect(try await f.vmib.run("template", "logs", "slow").stdout.contains("killed the build VM while running customizer 'sleeper' (Shell): the run was canceled"))
        }

        @Test func theBuildTimeoutStopsTheBuildVM() async throws {
            // One "minute" is 20 seconds here: a 2-minute timeout passes after 40 s, once the
            // build VM (about 15 s under emulation) runs the customizer that never ends.
            let f = try await TemplateFixture()
            try await create(f, "hangs", customize: [["type": "Shell", "name": "forever", "inline": ["sleep 4343 & sleep 4344"]]],
                             extra: ["buildTimeoutInMinutes": 2])
            let r = try await f.vmib.run("template", "run", "hangs", "--build-minute-seconds", "20")
            #expect(r.exitCode == 1)
            #expect(r.stderr.contains("build timeout of 2 minutes passed while running customizer 'forever'")
                    && r.stderr.contains("the build VM was killed"), "\(r.stderr)")
            let staging = try #require(try await f.lastRun("hangs")["stagingArea"] as? String)
            #expect(!(try ProcessList.contains(staging + "/work.raw")), "the build VM is gone")
            #expect(try await f.lastRun("hangs")["runState"] as? String == "Failed")
        }

        @Test func failuresNameTheCauseAndLeaveTheGalleryUnchanged() async throws {
            let f = try await TemplateFixture()
            let script = try f.serve("s.sh", "echo hi\n")
            let cases: [(String, [[String: Any]], String)] = [
                ("exits", [["type": "Shell", "name": "breaks", "inline": ["echo something went wrong", "exit 3"]]],
                 "customizer 'breaks' (Shell) failed with exit code 3: something went wrong"),
                ("badsum", [["type": "Shell", "name": "summed", "scriptUri": script.url, "sha256Checksum": String(repeating: "a", count: 64)]],
                 "customizer 'summed' (Shell): SHA-256 of"),
                ("missing", [["type": "File", "name": "gone", "sourceUri": "\(f.base)/nope.txt", "destination": "/etc/x"]],
                 "customizer 'gone' (File): cannot download \(f.base)/nope.txt: HTTP 404"),
            ]
            for (name, customize, message) in cases {
                try await create(f, name, customize: customize)
                let r = try await f.vmib.run("template", "run", name)
                #expect(r.exitCode == 1, "\(name)")
                #expect(r.stderr.contains(message), "\(name): \(r.stderr)")
            }
            // A source URL that answers 404.
            let catalog: [String: Any] = ["entries": [["publisher": "vmib", "offer": "busybox", "sku": "gone", "version": "1.0.0",
                                                        "url": "\(f.base)/missing.img", "sha256": String(repeating: "b", count: 64),
                                                        "diskFormat": "raw", "osType": "Linux", "hyperVGeneration": "V2"]]]
            try JSONSerialization.data(withJSONObject: catalog).write(to: f.dir.appendingPathComponent("marketplace.json"))
            let body = TemplateFixture.body(source: ["type": "PlatformImage", "publisher": "vmib", "offer": "busybox", "sku": "gone", "version": "latest"],
                                            customize: [], distribute: [TemplateFixture.sharedImage()])
            try expectSuccess(await f.vmib.run("template", "create", "--name", "nosource", "--file", try f.templateFile("nosource", body)))
            let r = try await f.vmib.run("template", "run", "nosource")
            #expect(r.exitCode == 1 && r.stderr.contains("HTTP 404"), "\(r.stderr)")
            #expect(!(try await f.versions().contains("1.0")), "no version was published")
        }

        @Test func autoRunStartsARunWhenTheTemplateIsCreated() async throws {
            let f = try await TemplateFixture()
            let body = TemplateFixture.body(customize: [], distribute: [["type": "VHD", "runOutputName": "v"]],
                                            extra: ["autoRun": ["state": "Enabled"]])
            let created = try await f.vmib.run("template", "create", "--name", "auto", "--file", try f.templateFile("auto", body))
            #expect(created.exitCode == 0 && created.stdout.contains("autoRun: run "), "\(created.stdout)\(created.stderr)")
            let ended = try await waitFor(f, "auto") { $0["runState"] as? String == "Succeeded" }
            #expect(ended["runState"] as? String == "Succeeded", "\(ended)")
            // The same body again is unchanged and starts nothing.
            let again = try await f.vmib.run("template", "create", "--name", "auto", "--file", try f.templateFile("auto", body))
            #expect(again.exitCode == 0 && !again.stdout.contains("autoRun"), "\(again.stdout)")
        }

        @Test func theBuildTimeoutCoversTheSourceDownload() async throws {
            // A source server that accepts the connection and never answers; one "minute" is 3 s.
            let f = try await TemplateFixture()
            let silent = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(silent) }
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(silent, $0, length) == 0 && listen(silent, 8) == 0 && getsockname(silent, $0, &length) == 0 }
            }
            #expect(bound)
            let catalog: [String: Any] = ["entries": [["publisher": "vmib", "offer": "busybox", "sku": "silent", "version": "1.0.0",
                                                        "url": "http://127.0.0.1:\(UInt16(bigEndian: addr.sin_port))/never.img",
                                                        "sha256": String(repeating: "c", count: 64),
                                                        "diskFormat": "raw", "osType": "Linux", "hyperVGeneration": "V2"]]]
            try JSONSerialization.data(withJSONObject: catalog).write(to: f.dir.appendingPathComponent("marketplace.json"))
            let body = TemplateFixture.body(source: ["type": "PlatformImage", "publisher": "vmib", "offer": "busybox", "sku": "silent", "version": "latest"],
                                            customize: [], distribute: [["type": "VHD", "runOutputName": "v"]], extra: ["buildTimeoutInMinutes": 1])
            try expectSuccess(await f.vmib.run("template", "create", "--name", "silent", "--file", try f.templateFile("silent", body)))
            let started = ContinuousClock.now
            let r = try await f.vmib.run("template", "run", "silent", "--build-minute-seconds", "3")
            #expect(r.exitCode == 1 && r.stderr.contains("build timeout of 1 minutes passed while fetching the source"), "\(r.stderr)")
            #expect(ContinuousClock.now - started < .seconds(30), "the run stopped at its deadline, not at a transfer timeout")
        }

        @Test func abortKeepsTheFailedWorkspaceAndCleanupRemovesIt() async throws {
            let f = try await TemplateFixture()
            try await create(f, "keep", customize: [["type": "Shell", "inline": ["exit 1"]]], extra: ["errorHandling": ["onCustomizerError": "abort"]])
            try await create(f, "clean", customize: [["type": "Shell", "inline": ["exit 1"]]], extra: ["errorHandling": ["onCustomizerError": "cleanup"]])
            _ = try await f.vmib.run("template", "run", "keep")
            _ = try await f.vmib.run("template", "run", "clean")
            let kept = try await f.lastRun("keep")["stagingArea"] as? String ?? ""
            let cleaned = try await f.lastRun("clean")["stagingArea"] as? String ?? ""
            #expect(FileManager.default.fileExists(atPath: kept + "/work.raw"))
            #expect(!FileManager.default.fileExists(atPath: cleaned + "/work.raw"))
            #expect(FileManager.default.fileExists(atPath: cleaned + "/customization.log"))
            try expectSuccess(await f.vmib.run("template", "delete", "keep"))
            #expect(!FileManager.default.fileExists(atPath: kept))
        }

        @Test func someDistributorsFailingGivesPartiallySucceeded() async throws {
            let f = try await TemplateFixture()
            let missing = "/subscriptions/\(TemplateFixture.sub)/resourceGroups/vmib/providers/Microsoft.Compute/galleries/G/images/Missing"
            try await create(f, "partial", customize: [], distribute: [
                ["type": "VHD", "runOutputName": "vhd"],
                ["type": "SharedImage", "runOutputName": "nowhere", "galleryImageId": missing, "targetRegions": [["name": "eastus"]]],
            ])
            let r = try await f.vmib.run("template", "run", "partial")
            #expect(r.exitCode == 1)
            #expect(try await f.lastRun("partial")["runState"] as? String == "PartiallySucceeded")
            let outputs = try await f.vmib.run("template", "outputs", "partial").stdout
            #expect(outputs.contains("vhd") && outputs.contains("Succeeded") && outputs.contains("Failed"))
        }

        @Test func aWindowsTemplateFailsAtOnce() async throws {
            let f = try await TemplateFixture()
            try await create(f, "win", customize: [["type": "PowerShell", "name": "ps", "inline": ["Write-Host hi"]], ["type": "WindowsRestart"]])
            let r = try await f.vmib.run("template", "run", "win")
            #expect(r.exitCode == 1 && r.stderr.contains("no"), "\(r.stderr)")
            #expect(r.stderr.contains("needs a Windows build host, and none is configured"))
        }
    }
}

enum ProcessList {
    static func contains(_ text: String) throws -> Bool {
        try FileManager.default.contentsOfDirectory(atPath: "/proc").filter { $0.allSatisfy(\.isNumber) }.contains {
            guard let d = FileManager.default.contents(atPath: "/proc/\($0)/cmdline") else { return false }
            return String(decoding: d.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).contains(text)
        }
    }
}
