import Foundation
import Testing
import VMIBTestSupport

/// Templates sent to `vmib serve` by a resource-group Contributor reach no further than the
/// server allows. A VHD distributor writes only under the server's `--output-root` (or the
/// run's staging area): never to /etc, never through a symbolic link, never over a
/// directory; refused at create when the uri is visibly outside, and a run that meets a link
/// or a directory fails naming it, the files behind them unchanged. A `file://` script or
/// File source outside `--source-root` (`file:///etc/shadow`) is refused at create.
extension TemplateCLISuites {
    @Suite struct HostileTemplateTests {
        @Test func templatesReachNoFurtherThanTheServerAllows() async throws {
            let f = try await TemplateFixture()
            let out = f.dir.appendingPathComponent("out").resolvingSymlinksInPath()
            try FileManager.default.createDirectory(at: out.appendingPathComponent("adir"), withIntermediateDirectories: true)
            try "keep".write(to: out.appendingPathComponent("adir/inside"), atomically: true, encoding: .utf8)
            let victim = f.dir.appendingPathComponent("victim").path
            try "untouched".write(toFile: victim, atomically: true, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: out.appendingPathComponent("early-link.vhd").path, withDestinationPath: victim)
            try FileManager.default.createSymbolicLink(atPath: out.appendingPathComponent("escape").path, withDestinationPath: "/etc")

            let hash = try await ChildProcess.run(["sh", "-c", "printf %s vhd-token | sha256sum"]).stdout.prefix(64)
            let tokens = f.dir.appendingPathComponent("tokens.json").path
            try #"{"tokens":[{"sha256":"\#(hash)","principal":"rg","role":"Contributor","scope":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/vmib"}]}"#
                .write(toFile: tokens, atomically: true, encoding: .utf8)
            let server = VMIBProcess(stateDirectory: f.dir.appendingPathComponent("server-state").path, environment: f.vmib.environment)
            let served = try await server.serve(["--token-file", tokens, "--output-root", out.path,
                                                 "--source-root", f.dir.appendingPathComponent("sources").path],
                                                stdout: f.dir.appendingPathComponent("serve.out"), stderr: f.dir.appendingPathComponent("serve.err"))
            defer { ChildProcess.kill9(served.process) }
            try await HTTPReadiness.wait(for: "http://127.0.0.1:\(served.port)/readyz")
            let allowed = f.dir.appendingPathComponent("sources").resolvingSymlinksInPath()
            try FileManager.default.createDirectory(at: allowed, withIntermediateDirectories: true)
            try "echo hi".write(to: allowed.appendingPathComponent("ok.sh"), atomically: true, encoding: .utf8)
            let client = VMIBProcess(stateDirectory: f.dir.appendingPathComponent("client-state").path,
                                     environment: ["VMIB_SERVER": "http://127.0.0.1:\(served.port)", "VMIB_TOKEN": "vhd-token"])
            func template(_ name: String, uri: String) throws -> String {
                try f.templateFile(name, TemplateFixture.body(customize: [], distribute: [["type": "VHD", "runOutputName": "v", "uri": uri]]))
            }
            let etc = try FileManager.default.contentsOfDirectory(atPath: "/etc").sorted()

            for (name, uri, says) in [("etc", "file:///etc/vmib-test.vhd", "outside"), ("escape", "file://\(out.path)/escape/x.vhd", "outside"),
                                      ("early", "file://\(out.path)/early-link.vhd", "symbolic link")] {
                let r = try await client.run("template", "create", "--name", name, "--file", try template(name, uri: uri))
                #expect(r.exitCode == 2, "\(name): \(r.stderr)")
                #expect(r.stderr.contains("properties.distribute[0].uri") && r.stderr.contains(says), "\(name): \(r.stderr)")
            }
            for (name, customizer, member) in [
                ("shadow", ["type": "File", "sourceUri": "file:///etc/shadow", "destination": "/tmp/s"], "sourceUri"),
                ("passwd", ["type": "Shell", "scriptUri": "file:///etc/passwd"], "scriptUri"),
                ("dotdot", ["type": "Shell", "scriptUri": "file://\(allowed.path)/../../../etc/passwd"], "scriptUri"),
            ] as [(String, [String: Any], String)] {
                let body = TemplateFixture.body(customize: [customizer], distribute: [["type": "VHD", "runOutputName": "v"]])
                let r = try await client.run("template", "create", "--name", name, "--file", try f.templateFile(name, body))
                #expect(r.exitCode == 2, "\(name): \(r.stderr)")
                #expect(r.stderr.contains("properties.customize[0].\(member)") && r.stderr.contains("--source-root"), "\(name): \(r.stderr)")
            }
            let inside = TemplateFixture.body(customize: [["type": "Shell", "scriptUri": "file://\(allowed.path)/ok.sh"]],
                                              distribute: [["type": "VHD", "runOutputName": "v"]])
            try expectSuccess(await client.run("template", "create", "--name", "inside", "--file", try f.templateFile("inside", inside)))
            // A script on the server's own loopback (a stand-in for a metadata service or an
            // internal API): the run fails with the refused connection in its log.
            let (script, _) = try f.serve("internal.sh", "echo reached")
            let inner = TemplateFixture.body(customize: [["type": "Shell", "scriptUri": script]],
                                                distribute: [["type": "VHD", "runOutputName": "v"]])
            try expectSuccess(await client.run("template", "create", "--name", "internal", "--file", try f.templateFile("internal", inner)))
            #expect(try await client.run("template", "run", "--name", "internal").exitCode == 1)
            let log = try await client.run("template", "logs", "--name", "internal").stdout
            #expect(log.contains("refused to connect to 127.0.0.1: a loopback address"), "\(log)")
            #expect(!log.contains("reached"))
            // Links and directories that appear after the template was accepted are met at run time.
            for (name, uri, says) in [("link", "file://\(out.path)/link.vhd", "symbolic link"),
                                      ("dir", "file://\(out.path)/adir", "is a directory")] {
                try expectSuccess(await client.run("template", "create", "--name", name, "--file", try template(name, uri: uri)))
                if name == "link" {
                    try FileManager.default.createSymbolicLink(atPath: out.appendingPathComponent("link.vhd").path, withDestinationPath: victim)
                }
                let run = try await client.run("template", "run", "--name", name)
                #expect(run.exitCode == 1, "\(name): \(run.stdout)\(run.stderr)")
                let outputs = try await client.run("template", "outputs", "--name", name, "--output", "json").stdout
                #expect(outputs.contains(says), "\(name): \(outputs)")
            }
            try expectSuccess(await client.run("template", "create", "--name", "ok", "--file", try template("ok", uri: "file://\(out.path)/new/ok.vhd")))
            try expectSuccess(await client.run("template", "run", "--name", "ok"))

            #expect(try String(contentsOfFile: victim, encoding: .utf8) == "untouched")
            #expect(try String(contentsOf: out.appendingPathComponent("adir/inside"), encoding: .utf8) == "keep")
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("new/ok.vhd").path))
            #expect(try FileManager.default.contentsOfDirectory(atPath: "/etc").sorted() == etc)
            #expect((try? FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".tmp") }) == [])
            let health = try await ChildProcess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(served.port)/healthz"])
            #expect(health.stdout == "200")
        }
    }
}
