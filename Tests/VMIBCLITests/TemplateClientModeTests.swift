import Foundation
import Testing
import VMIBTestSupport

/// Template commands against a live `vmib serve` print what they print embedded: create
/// (idempotent, immutable, invalid), show, list, run (the server builds), outputs, cancel,
/// delete — same stdout (run ids and state paths aside) and the same exit codes.
extension TemplateCLISuites {
    @Suite struct TemplateClientModeTests {
        @Test func templateCommandsAgainstAServerMatchEmbedded() async throws {
            let f = try await TemplateFixture()
            let hash = try await ChildProcess.run(["sh", "-c", "printf %s tpl-token | sha256sum"]).stdout.prefix(64)
            let tokens = f.dir.appendingPathComponent("tokens.json").path
            try #"{"tokens":[{"sha256":"\#(hash)","principal":"cli","role":"Contributor","scope":"/subscriptions/00000000-0000-0000-0000-000000000000"}]}"#
                .write(toFile: tokens, atomically: true, encoding: .utf8)
            let serverState = f.dir.appendingPathComponent("server-state").path
            let server = VMIBProcess(stateDirectory: serverState, environment: f.vmib.environment)
            let served = try await server.serve(["--token-file", tokens],
                                                stdout: f.dir.appendingPathComponent("serve.out"), stderr: f.dir.appendingPathComponent("serve.err"))
            let serve = served.process, port = served.port
            defer { ChildProcess.kill9(serve) }
            try await HTTPReadiness.wait(for: "http://127.0.0.1:\(port)/readyz")
            let client = VMIBProcess(stateDirectory: f.dir.appendingPathComponent("client-state").path,
                                     environment: ["VMIB_SERVER": "http://127.0.0.1:\(port)", "VMIB_TOKEN": "tpl-token"])
            // The gallery image the SharedImage distributor publishes to, on the server.
            _ = try await client.run("gallery", "create", "--name", "G")
            _ = try await client.run("image", "create", "--gallery", "G", "--name", "I", "--os-type", "Linux", "--os-state", "Generalized",
                                     "--publisher", "P", "--offer", "O", "--sku", "S")

            let body = TemplateFixture.body(customize: [["type": "Shell", "name": "stamp", "inline": ["echo client > /etc/stamp"]]],
                                            distribute: [TemplateFixture.sharedImage(), ["type": "VHD", "runOutputName": "vhd"]])
            let file = try f.templateFile("t", body)
            var changed = body
            changed["properties"] = (body["properties"] as? [String: Any] ?? [:]).merging(["buildTimeoutInMinutes": 30]) { $1 }
            let other = try f.templateFile("changed", changed)
            let update = f.dir.appendingPathComponent("update.json").path
            try #"{"tags":{"stage":"nightly"},"properties":{"distribute":[{"type":"VHD","runOutputName":"nightly"}]}}"#
                .write(toFile: update, atomically: true, encoding: .utf8)
            let immutable = f.dir.appendingPathComponent("immutable.json").path
            try #"{"properties":{"buildTimeoutInMinutes":5}}"#.write(toFile: immutable, atomically: true, encoding: .utf8)
            let invalid = try f.templateFile("invalid", TemplateFixture.body(customize: [["type": "Ansible"]], distribute: [["type": "VHD", "runOutputName": "v"]]))
            // A deployment template: the client evaluates it with the server's answer for
            // resourceGroup().location, so both evaluate it alike.
            var resource = TemplateFixture.body(customize: [], distribute: [["type": "VHD", "runOutputName": "[concat(parameters('n'), '-vhd')]"]])
            resource["location"] = "[resourceGroup().location]"
            resource["tags"] = ["stamp": "[uniqueString(resourceGroup().id)]"]
            let arm = try f.templateFile("arm", ["parameters": ["n": ["type": "string"]], "resources": [resource]])
            var unsupported = resource
            unsupported["location"] = "[reference('x').location]"
            let refused = try f.templateFile("refused", ["resources": [unsupported]])

            let steps: [[String]] = [
                ["template", "create", "--name", "T", "--file", file],
                ["template", "create", "--name", "T", "--file", file, "--output", "json"],       // unchanged
                ["template", "create", "--name", "T", "--file", other],                         // immutable: 2
                ["template", "create", "--name", "U", "--file", invalid],                       // BadCustomizerType: 2
                ["template", "show", "T", "--output", "json"],
                ["template", "list"],
                ["template", "cancel", "T"],                                                    // no run: 2
                ["template", "plan", "T"],
                ["template", "logs", "T"],                                                      // not run yet: 2
                ["template", "run", "T"],
                ["template", "logs", "T"],
                ["template", "show", "T"],
                ["template", "list", "--output", "json"],
                ["template", "outputs", "T"],
                ["template", "outputs", "T", "--output", "json"],
                ["version", "list", "--gallery", "G", "--image", "I"],
                ["template", "update", "T", "--file", update],
                ["template", "update", "T", "--file", immutable],                               // not updatable: 2
                ["template", "show", "T", "--output", "json"],
                ["template", "delete", "T"],
                ["template", "show", "T"],                                                      // gone: 2
                ["template", "create", "--name", "A", "--file", arm, "--parameter", "n=x", "--output", "json"],
                ["template", "create", "--name", "B", "--file", refused],                       // reference(): 2
            ]
            var codes: [Int32] = []
            var outputs: [String] = []
            for step in steps {
                let e = try await f.vmib.run(step)
                let r = try await client.run(step)
                #expect(e.exitCode == r.exitCode, "\(step): embedded \(e.exitCode) \(e.stderr) / server \(r.exitCode) \(r.stderr)")
                var (a, b) = (normalized(e.stdout, f), normalized(r.stdout, f))
                if step.prefix(2) == ["template", "logs"] {
                    // Distributors run concurrently: their lines may interleave either way.
                    (a, b) = (a.split(separator: "\n").sorted().joined(separator: "\n"), b.split(separator: "\n").sorted().joined(separator: "\n"))
                }
                #expect(a == b, "\(step):\n--- embedded\n\(e.stdout)\n--- server\n\(r.stdout)")
                if step.prefix(2) == ["template", "create"] && e.exitCode == 2 {
                    #expect(e.stderr.contains("BadCustomizerType") == r.stderr.contains("BadCustomizerType"), "\(e.stderr) / \(r.stderr)")
                }
                codes.append(r.exitCode)
                outputs.append(r.stdout)
            }
            #expect(codes == [0, 0, 2, 2, 0, 0, 2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 2, 0, 2], "\(codes)")
            #expect(outputs[21].contains(#""location" : "eastus""#), "\(outputs[21])")
            #expect(outputs[21].contains("x-vhd"), "\(outputs[21])")
            #expect(outputs[16].contains("VHD 'nightly'"), "\(outputs[16])")
            #expect(outputs[18].contains("nightly") && outputs[18].contains(#""stage""#), "the update is kept: \(outputs[18])")
            #expect(outputs[7].contains("plan for") && outputs[7].contains("distribute SharedImage"), "\(outputs[7])")
            #expect(outputs[9].contains("Succeeded"), "the server ran the build: \(outputs[9])")
            #expect(outputs[10].contains("echo client") || outputs[10].contains("stamp"), "the server's customization.log: \(outputs[10])")
            #expect(outputs[13].contains("gallery") && outputs[13].contains("SharedImage") && outputs[13].contains("/versions/1.0.0"))
        }

        /// The template-name rule is checked once, by the service behind both modes: a name
        /// Azure allows with a trailing `.`, `-` or `_` (which the route's own regex used to
        /// refuse) is created in both, and names outside the rule are refused in both.
        /// A `vmib serve` over its own state beside the fixture's, with the fixture's
        /// marketplace, and a client of it (a subscription Contributor).
        static func serve(_ f: TemplateFixture) async throws -> (client: VMIBProcess, server: Process) {
            let hash = try await ChildProcess.run(["sh", "-c", "printf %s tpl-token | sha256sum"]).stdout.prefix(64)
            let tokens = f.dir.appendingPathComponent("tokens.json").path
            try #"{"tokens":[{"sha256":"\#(hash)","principal":"cli","role":"Contributor","scope":"/subscriptions/00000000-0000-0000-0000-000000000000"}]}"#
                .write(toFile: tokens, atomically: true, encoding: .utf8)
            let server = VMIBProcess(stateDirectory: f.dir.appendingPathComponent("server-state").path, environment: f.vmib.environment)
            let served = try await server.serve(["--token-file", tokens],
                                                stdout: f.dir.appendingPathComponent("serve.out"), stderr: f.dir.appendingPathComponent("serve.err"))
            do { try await HTTPReadiness.wait(for: "http://127.0.0.1:\(served.port)/readyz") } catch {
                ChildProcess.kill9(served.process)
                throw error
            }
            let client = VMIBProcess(stateDirectory: f.dir.appendingPathComponent("client-state").path,
                                     environment: ["VMIB_SERVER": "http://127.0.0.1:\(served.port)", "VMIB_TOKEN": "tpl-token"])
            return (client, served.process)
        }

        /// Trigger commands print the same in both modes (times, ids and the server's principal
        /// aside), with the same exit codes; `trigger check` is the embedded mode's only.
        @Test func triggerCommandsAgainstAServerMatchEmbedded() async throws {
            let f = try await TemplateFixture()
            let (client, server) = try await Self.serve(f)
            defer { ChildProcess.kill9(server) }
            let file = try f.templateFile("t", TemplateFixture.body(customize: [], distribute: [["type": "VHD", "runOutputName": "vhd"]]))
            let steps: [([String], Int32)] = [
                (["template", "create", "--name", "T", "--file", file], 0),
                (["template", "trigger", "create", "--template", "T", "--name", "source"], 0),
                (["template", "trigger", "create", "--template", "T", "source", "--output", "json"], 0),   // unchanged
                (["template", "trigger", "list", "--template", "T"], 0),
                (["template", "trigger", "show", "--template", "T", "--name", "source"], 0),
                (["template", "trigger", "create", "--template", "T", "--name=-x"], 2),
                (["template", "trigger", "create", "--template", "T", "--name", "s2", "--kind", "Schedule"], 2),
                (["template", "trigger", "create", "--template", "nope", "--name", "source"], 2),
                (["template", "trigger", "show", "--template", "T", "--name", "none"], 2),
                (["template", "runs", "T"], 0),
                (["template", "trigger", "delete", "--template", "T", "--name", "source"], 0),
                (["template", "trigger", "delete", "--template", "T", "--name", "source"], 2),
                (["template", "trigger", "list", "--template", "T", "--output", "json"], 0),
            ]
            for (step, expected) in steps {
                let e = try await f.vmib.run(step)
                let r = try await client.run(step)
                #expect(e.exitCode == expected && r.exitCode == expected, "\(step): embedded \(e.exitCode) \(e.stderr) / server \(r.exitCode) \(r.stderr)")
                #expect(normalized(e.stdout, f) == normalized(r.stdout, f), "\(step):\n--- embedded\n\(e.stdout)\n--- server\n\(r.stdout)")
                #expect(e.stderr == r.stderr, "\(step): the same refusal in both modes")
                if step.prefix(3) == ["template", "trigger", "show"] && expected == 0 {
                    #expect(r.stdout.contains("status: Enabled: follows platform image vmib:busybox:gpt at latest; latest is 1.0.0"), "\(r.stdout)")
                }
            }
            let check = try await client.run("template", "trigger", "check")
            #expect(check.exitCode == 2 && check.stderr.contains("a server checks its templates' triggers itself"), "\(check.stderr)")
        }

        @Test func embeddedAndServerAgreeOnTemplateNames() async throws {
            let f = try await TemplateFixture()
            let (client, server) = try await Self.serve(f)
            defer { ChildProcess.kill9(server) }
            let file = try f.templateFile("t", TemplateFixture.body(customize: [], distribute: [["type": "VHD", "runOutputName": "vhd"]]))

            let steps: [([String], Int32)] = [
                (["template", "create", "--name", "T.", "--file", file], 0),
                (["template", "create", "--name", "T-", "--file", file], 0),
                (["template", "create", "--name", "T_", "--file", file], 0),
                (["template", "show", "T.", "--output", "json"], 0),
                (["template", "list"], 0),
                (["template", "delete", "T-"], 0),
                (["template", "create", "--name", "bad!name", "--file", file], 2),
                (["template", "create", "--name", "a b", "--file", file], 2),
                (["template", "create", "--name", ".", "--file", file], 2),
                (["template", "create", "--name", String(repeating: "a", count: 65), "--file", file], 2),
                (["template", "show", "x!y"], 2),
            ]
            for (step, expected) in steps {
                let e = try await f.vmib.run(step)
                let r = try await client.run(step)
                #expect(e.exitCode == expected && r.exitCode == expected,
                        "\(step): embedded \(e.exitCode) \(e.stderr) / server \(r.exitCode) \(r.stderr)")
                #expect(normalized(e.stdout, f) == normalized(r.stdout, f), "\(step):\n--- embedded\n\(e.stdout)\n--- server\n\(r.stdout)")
                // "." is a dot segment: the URL drops it, so the server answers 404, still a refusal.
                if expected == 2, step.count > 3, step[2] == "--name", step[3] != "." {
                    #expect(e.stderr.contains("is not a valid image template name") && r.stderr.contains("is not a valid image template name"),
                            "\(step): \(e.stderr) / \(r.stderr)")
                }
            }
        }

        /// Run ids and state directories differ between the two; nothing else may.
        func normalized(_ text: String, _ f: TemplateFixture) -> String {
            text.replacingOccurrences(of: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"#, with: "<time>", options: .regularExpression)
                // How long the build VM (or the acceleration probe) took to start.
                .replacingOccurrences(of: #"\d+\.\d s"#, with: "<seconds>", options: .regularExpression)
                // The server records its caller's principal (systemData); the embedded CLI has none.
                .replacingOccurrences(of: #"\n\s*"(createdBy|createdByType|lastModifiedBy|lastModifiedByType)" : "[^"]*",?"#, with: "", options: .regularExpression)
                .replacingOccurrences(of: #",(\n\s*\})"#, with: "$1", options: .regularExpression)
                .replacingOccurrences(of: #"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"#, with: "<id>", options: .regularExpression)
                .replacingOccurrences(of: f.dir.appendingPathComponent("server-state").path, with: "<state>")
                .replacingOccurrences(of: f.dir.appendingPathComponent("state").path, with: "<state>")
        }
    }
}
