import Foundation
import Testing
import VMIBTestSupport

/// `vmib template trigger …` as a user types it (embedded): create, list, show, check,
/// delete; each bad input one error line naming the option, with the state unchanged.
@Suite struct TriggerCLITests {
    static let image = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/vmib/providers/Microsoft.Compute/galleries/G/images/base"

    let dir: URL
    let vmib: VMIBProcess

    init() async throws {
        dir = try TestFiles.directory("vmib-trigger-cli")
        vmib = VMIBProcess(stateDirectory: dir.appendingPathComponent("state").path)
        try expectSuccess(await vmib.run("gallery", "create", "--name", "G"))
        try expectSuccess(await vmib.run("image", "create", "--gallery", "G", "--name", "base", "--os-type", "Windows",
                                         "--os-state", "Generalized", "--publisher", "P", "--offer", "O", "--sku", "S"))
        try await publish("1.0.0")
        // A Windows template: its runs end at once (no Windows build host), so checks need no build VM.
        for (name, version) in [("patcher", "latest"), ("pinned", "1.0.0")] {
            let body = #"{"location":"eastus","properties":{"source":{"type":"SharedImageVersion","imageVersionId":"\#(Self.image)/versions/\#(version)"},"customize":[{"type":"PowerShell","name":"patch","inline":["Write-Host patched"]}],"distribute":[{"type":"VHD","runOutputName":"vhd"}]}}"#
            let file = dir.appendingPathComponent("\(name).json")
            try body.write(to: file, atomically: true, encoding: .utf8)
            try expectSuccess(await vmib.run("template", "create", "--name", name, "--file", file.path))
        }
    }

    func publish(_ version: String) async throws {
        let disk = dir.appendingPathComponent("disk-\(version).raw")
        try TestFiles.random(disk, bytes: 8192, seed: UInt64(version.hashValue & 0xffff))
        try expectSuccess(await vmib.run("version", "publish", "--gallery", "G", "--image", "base", "--version", version,
                                         "--disk", disk.path, "--target-region", "eastus"))
    }

    @Test func aTriggerIsCreatedShownCheckedAndDeleted() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let created = try await vmib.run("template", "trigger", "create", "--template", "patcher", "--name", "source")
        #expect(created.exitCode == 0 && created.stdout.contains("created trigger source on image template patcher"), "\(created.stderr)")
        #expect(created.stdout.contains("status: Enabled: follows gallery image G/base at latest; latest is 1.0.0"), "\(created.stdout)")
        let again = try await vmib.run("template", "trigger", "create", "--template", "patcher", "source")
        #expect(again.exitCode == 0 && again.stdout.contains("unchanged"), "\(again.stdout)")

        let list = try await vmib.run("template", "trigger", "list", "--template", "patcher", "--output", "json")
        let value = (try list.json() as? [String: Any])?["value"] as? [[String: Any]]
        #expect(value?.count == 1 && value?.first?["name"] as? String == "source", "\(list.stdout)")
        #expect(((value?.first?["properties"] as? [String: Any])?["vmib"] as? [String: Any])?["lastSourceVersion"] as? String == "1.0.0")

        let quiet = try await vmib.run("template", "trigger", "check")
        #expect(quiet.exitCode == 0 && quiet.stdout.contains("no trigger fired"), "\(quiet.stdout) \(quiet.stderr)")
        try await publish("1.1.0")
        let fired = try await vmib.run("template", "trigger", "check", "--wait")
        #expect(fired.exitCode == 0 && fired.stdout.contains("trigger source of image template patcher started run")
                && fired.stdout.contains("for source version 1.1.0"), "\(fired.stdout) \(fired.stderr)")
        let shown = try await vmib.run("template", "show", "--name", "patcher", "--output", "json")
        let last = ((try shown.json() as? [String: Any])?["properties"] as? [String: Any])?["lastRunStatus"] as? [String: Any]
        #expect(last?["triggeredBy"] as? [String: String] == ["trigger": "source", "sourceVersion": "1.1.0"], "\(shown.stdout)")
        let runs = try await vmib.run("template", "runs", "--name", "patcher")
        #expect(runs.exitCode == 0 && runs.stdout.contains("trigger source (source 1.1.0)") && runs.stdout.contains(last?["runId"] as? String ?? "?"),
                "\(runs.stdout)")
        let twice = try await vmib.run("template", "trigger", "check")
        #expect(twice.stdout.contains("no trigger fired"), "1.1.0 starts one run: \(twice.stdout)")
        let show = try await vmib.run("template", "trigger", "show", "--template", "patcher", "--name", "source")
        #expect(show.stdout.contains("last triggered version: 1.1.0") && show.stdout.contains("last run: \(last?["runId"] as? String ?? "?")"),
                "\(show.stdout)")

        let deleted = try await vmib.run("template", "trigger", "delete", "--template", "patcher", "--name", "source")
        #expect(deleted.exitCode == 0 && deleted.stdout.contains("deleted trigger source of image template patcher"))
        let empty = try await vmib.run("template", "trigger", "list", "--template", "patcher", "--output", "json")
        #expect(((try empty.json() as? [String: Any])?["value"] as? [Any])?.isEmpty == true, "\(empty.stdout)")
    }

    @Test func badTriggerInputIsOneErrorNamingTheOptionAndChangesNothing() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let before = try await vmib.databaseDump()
        let cases: [([String], String)] = [
            (["create", "--template", "patcher", "--name=-x"], "--name: '-x' is not a valid trigger name"),
            (["create", "--template", "patcher", "--name", "a/b"], "--name: 'a/b' is not a valid trigger name"),
            (["create", "--template", "patcher", "--name", "source", "--kind", "Schedule"], "--kind: 'Schedule' is not a trigger kind; allowed: SourceImage"),
            (["create", "--template", "pinned", "--name", "source"], "--kind: a SourceImage trigger follows a source taken at latest"),
            (["create", "--template", "nope", "--name", "source"], "--template: image template 'nope' does not exist"),
            (["create", "--template", "patcher"], "--name: the trigger's name is required"),
            (["show", "--template", "patcher", "--name", "none"], "--name: image template 'patcher' has no trigger 'none'"),
            (["delete", "--template", "patcher", "--name", "none"], "--name: image template 'patcher' has no trigger 'none'"),
            (["list", "--template", "Bad Name"], "--template: 'Bad Name' is not a valid image template name"),
        ]
        for (arguments, says) in cases {
            let r = try await vmib.run(["template", "trigger"] + arguments)
            let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
            #expect(r.exitCode == 2 && errors.count == 1 && errors[0].contains(says), "\(arguments): \(r.stderr)")
        }
        #expect(try await vmib.databaseDump() == before)
    }
}
