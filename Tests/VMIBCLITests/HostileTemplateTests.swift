import Foundation
import Testing
import VMIBTestSupport

/// Templates sent to `vmib serve` by a resource-group Contributor reach no further than the
/// server allows. A VHD distributor writes only under the server's `--output-root` (or the
/// run's staging area): never to /etc, never through a symbolic link, never over a
/// directory; refused at create when the uri is visibly outside, and a run that meets a link
/// or a directory fails naming it, the files behind them unchanged. A `file://` script or
/// File source outside `--source-root` (`file:///etc/shadow`) is refused at create.
///
/// Shell customizers run as root in the build VM, not on the host: writing
/// /proc/sysrq-trigger reaches the VM's kernel, a device node mounts only the VM's own disk,
/// /etc/shadow is the image's (it has none), no process the VM sees has the server's
/// environment, TCP to the API port and an S3 region fails (the VM has no network), and a
/// process forked to outlive its customizer is stopped before the image is unmounted (the
/// run succeeds, and what it would have written later is not in the image). The host's files
/// are unchanged, the server answers, and the produced image holds none of the host's secrets.
///
/// A source or distribute target in another resource group is refused at create, update and
/// run (exit 2, the field named); that group's gallery image gets no version and its managed
/// image stays as it was. Numbers too large for an integer (`1e300`) are a 400 naming the
/// field, and the server keeps answering.
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

        static let scopedToken = "rg-token-5e1f0c"
        static let adminToken = "admin-token-a77d2b"

        /// A running `vmib serve` with the fixture's marketplace, and a client for each of its
        /// tokens: `client` is a Contributor of resource group vmib, `admin` of the subscription.
        struct Served {
            let server: VMIBProcess.Server
            let state: String
            let tokens: String
            let client: VMIBProcess
            let admin: VMIBProcess
            var base: String { "http://127.0.0.1:\(server.port)" }

            func healthz() async throws -> String {
                try await ChildProcess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", "\(base)/healthz"]).stdout
            }
        }

        /// Starts `vmib serve` on a fresh state directory; `prepare` runs embedded on that state first.
        func serve(_ f: TemplateFixture, topology: String? = nil, environment: [String: String] = [:],
                   prepare: (VMIBProcess) async throws -> Void = { _ in }) async throws -> Served {
            var entries: [String] = []
            for (token, principal, scope) in [(Self.scopedToken, "rg", "/subscriptions/\(TemplateFixture.sub)/resourceGroups/vmib"),
                                               (Self.adminToken, "admin", "/subscriptions/\(TemplateFixture.sub)")] {
                let hash = try await ChildProcess.run(["sh", "-c", "printf %s \(token) | sha256sum"]).stdout.prefix(64)
                entries.append(#"{"sha256":"\#(hash)","principal":"\#(principal)","role":"Contributor","scope":"\#(scope)"}"#)
            }
            let tokens = f.dir.appendingPathComponent("tokens.json").path
            try #"{"tokens":[\#(entries.joined(separator: ","))]}"#.write(toFile: tokens, atomically: true, encoding: .utf8)
            let state = f.dir.appendingPathComponent("server-state").path
            let process = VMIBProcess(stateDirectory: state, topology: topology, environment: f.vmib.environment.merging(environment) { $1 })
            try await prepare(process)
            let server = try await process.serve(["--token-file", tokens],
                                                 stdout: f.dir.appendingPathComponent("serve.out"), stderr: f.dir.appendingPathComponent("serve.err"))
            do {
                try await HTTPReadiness.wait(for: "http://127.0.0.1:\(server.port)/readyz")
            } catch {
                ChildProcess.kill9(server.process)
                throw error
            }
            func client(_ token: String, _ label: String) -> VMIBProcess {
                VMIBProcess(stateDirectory: f.dir.appendingPathComponent("\(label)-state").path,
                            environment: ["VMIB_SERVER": "http://127.0.0.1:\(server.port)", "VMIB_TOKEN": token])
            }
            return Served(server: server, state: state, tokens: tokens, client: client(Self.scopedToken, "client"), admin: client(Self.adminToken, "admin"))
        }

        /// The host files a customizer on the host could read or change.
        static func hostFiles() throws -> [String: String] {
            var files = ["/etc (listing)": try FileManager.default.contentsOfDirectory(atPath: "/etc").sorted().joined(separator: "\n")]
            for path in ["/etc/shadow", "/etc/passwd", "/etc/hostname"] {
                files[path] = (try? TemplateFixture.sha256(path)) ?? "missing"
            }
            return files
        }

        /// One template whose Shell customizers try, as root, to reach the host: the kernel
        /// (sysrq), its disks (a device node, mounted), its secrets (/etc/shadow, the server's
        /// environment), its services (the API port, an S3 region, a web server) and its
        /// process table (a child that outlives the customizer). Run once, in one build VM.
        @Test func hostileCustomizersReachOnlyTheBuildVM() async throws {
            let f = try await TemplateFixture()
            // The server's S3 region (rclone), its credentials in the server's environment with another secret.
            let s3 = try await RcloneS3Server(buckets: ["eastus"])
            defer { s3.remove() }
            let topology = f.dir.appendingPathComponent("topology.json").path
            try #"""
            {"name": "hostile", "regions": [{"name": "eastus", "storage": {"Standard_LRS": {"kind": "s3", "endpoint": "\#(s3.endpoint)",
              "bucket": "eastus", "accessKeyEnv": "VMIB_HOSTILE_S3_KEY", "secretKeyEnv": "VMIB_HOSTILE_S3_SECRET"}}}]}
            """#.write(toFile: topology, atomically: true, encoding: .utf8)
            let secret = "hostile-secret-123"
            let s = try await serve(f, topology: topology, environment: ["VMIB_TEST_SECRET": secret, "VMIB_HOSTILE_S3_KEY": RcloneS3Server.accessKey,
                                                                         "VMIB_HOSTILE_S3_SECRET": RcloneS3Server.secretKey])
            defer { ChildProcess.kill9(s.server.process) }

            // What the host has that the image has not.
            let marker = "host-marker-\(UUID().uuidString.prefix(8))"
            try "host only".write(to: f.dir.appendingPathComponent(marker), atomically: true, encoding: .utf8)
            let shadow = try String(contentsOfFile: "/etc/shadow", encoding: .utf8)
            let rootLine = try #require(shadow.split(separator: "\n").first { $0.hasPrefix("root:") }.map(String.init))
            let imageRoot: Set<String> = [".", "..", "bin", "sbin", "usr", "etc", "dev", "proc", "sys", "tmp", "root", "var", "lost+found", "mnt"]
            let hostOnly = Set(try FileManager.default.contentsOfDirectory(atPath: "/")).subtracting(imageRoot)
            try #require(!hostOnly.isEmpty)
            let planted = ["/tmp/vmib-hostile-sda", "/mnt/vmib-hostile-x", "/etc/late", "/root/stolen-shadow", "/root/stolen-environ"]
            try #require(planted.allSatisfy { !FileManager.default.fileExists(atPath: $0) })
            let before = try Self.hostFiles()

            func connect(_ label: String, _ host: String, _ port: Int) -> String {
                "printf 'GET /from-the-build-vm HTTP/1.0\\r\\n\\r\\n' | nc -w 3 \(host) \(port) && echo '\(label): connected' || echo \"\(label): rc=$?\""
            }
            let targets = [("api loopback", "127.0.0.1", s.server.port), ("api host", "169.254.2.2", s.server.port),
                           ("s3 loopback", "127.0.0.1", s3.port), ("s3 host", "169.254.2.2", s3.port),
                           ("www loopback", "127.0.0.1", f.port), ("www host", "169.254.2.2", f.port)]
            let customize: [[String: Any]] = [
                ["type": "Shell", "name": "sysrq", "inline": [
                    "echo h > /proc/sysrq-trigger && echo 'sysrq: written' || echo \"sysrq: rc=$?\"",
                    "dmesg | grep -i 'sysrq' | tail -n 1"]],
                ["type": "Shell", "name": "device", "inline": [
                    "mknod /tmp/vmib-hostile-sda b 8 0 && mknod /tmp/vmib-hostile-sda1 b 8 1",
                    "mkdir -p /mnt/vmib-hostile-x",
                    "mount /tmp/vmib-hostile-sda /mnt/vmib-hostile-x || echo \"whole disk: rc=$?\"",
                    "mount /tmp/vmib-hostile-sda1 /mnt/vmib-hostile-x || echo \"partition 1: rc=$?\"",
                    "echo \"listing: $(ls -a /mnt/vmib-hostile-x | tr '\\n' ' ')\"",
                    "umount /mnt/vmib-hostile-x || true",
                    "ls -a \(f.dir.path) || echo \"test directory: rc=$?\""]],
                ["type": "Shell", "name": "shadow", "inline": [
                    "cat /etc/shadow || echo \"shadow: rc=$?\"",
                    "cat /etc/shadow > /root/stolen-shadow 2>&1 || true"]],
                ["type": "Shell", "name": "environ", "inline": [
                    "for p in /proc/[0-9]*; do tr '\\0' '\\n' < $p/environ || true; echo; done 2>/dev/null | sort -u > /root/stolen-environ",
                    "cat /root/stolen-environ", "env", "ps"]],
                ["type": "Shell", "name": "network", "inline": targets.map { connect($0.0, $0.1, $0.2) }],
            ]
            /// Creates and runs a template with `customize` and a VHD distributor: the run's
            /// result, its log and its last run status.
            func build(_ name: String, _ customize: [[String: Any]]) async throws -> (VMIBProcess.Result, String, [String: Any]) {
                let body = TemplateFixture.body(customize: customize, distribute: [["type": "VHD", "runOutputName": "v"]])
                try expectSuccess(await s.client.run("template", "create", "--name", name, "--file", try f.templateFile(name, body)))
                let run = try await s.client.run("template", "run", "--name", name)
                let log = try await s.client.run("template", "logs", "--name", name).stdout
                let shown = try await s.client.run("template", "show", "--name", name, "--output", "json").json() as? [String: Any] ?? [:]
                return (run, log, shown.properties["lastRunStatus"] as? [String: Any] ?? [:])
            }
            /// A customizer's lines in a log, from its start in the build VM to its end with exit code 0.
            func section(_ log: String, _ name: String) -> String {
                guard let start = log.range(of: "start customizer '\(name)' (Shell) in the build VM (Linux "),
                      let end = log.range(of: "end customizer '\(name)' (Shell): exit code 0", range: start.upperBound..<log.endIndex)
                else { return "" }
                return String(log[start.lowerBound..<end.upperBound])
            }

            let (run, log, status) = try await build("hostile", customize)
            #expect(run.exitCode == 0, "\(run.stderr)\n\(log)")
            #expect(status["runState"] as? String == "Succeeded", "\(status)")
            for name in ["sysrq", "device", "shadow", "environ", "network"] {
                #expect(!section(log, name).isEmpty, "customizer '\(name)' ran in the build VM and ended with 0:\n\(log)")
            }
            // The write reached a kernel, and that kernel's log is the VM's.
            let sysrq = section(log, "sysrq"), device = section(log, "device"), network = section(log, "network")
            #expect(sysrq.contains("sysrq: written") && sysrq.contains("HELP"), "\(sysrq)")
            // The device node is the VM's first disk: the image's partition mounts, and lists the image.
            let listing = Set(device.split(separator: "\n").first { $0.contains("| listing: ") }?
                .components(separatedBy: "| listing: ").last?.split(separator: " ").map(String.init) ?? [])
            #expect(listing.contains("lost+found") && listing.contains("etc"), "\(device)")
            #expect(listing.isDisjoint(with: hostOnly), "the host's root: \(listing.intersection(hostOnly))")
            #expect(device.contains("test directory: rc="), "the host's test directory is not in the VM: \(device)")
            #expect(!log.contains(marker))
            // /etc/shadow is the image's, and it has none.
            #expect(section(log, "shadow").contains("No such file") && section(log, "shadow").contains("shadow: rc=1"), "\(section(log, "shadow"))")
            #expect(!log.contains(rootLine), "the host's /etc/shadow is in the log")
            // No process the VM sees has the server's environment or command line.
            #expect(section(log, "environ").contains("PATH="), "\(section(log, "environ"))")
            for leak in [secret, RcloneS3Server.secretKey, Self.scopedToken, Self.adminToken, s.tokens] {
                #expect(!log.contains(leak), "the log shows \(leak)")
            }
            // Every connection failed, and the web server saw no request from the VM.
            for (label, _, _) in targets {
                #expect(network.contains("\(label): rc=") && !network.contains("\(label): connected"), "\(network)")
            }
            #expect(network.contains("can't connect"), "\(network)")
            let requests = try String(contentsOf: f.dir.appendingPathComponent("http.err"), encoding: .utf8)
            #expect(!requests.contains("from-the-build-vm"), "\(requests)")

            // The image holds what the customizers saw: none of the host's secrets.
            let outputs = try await s.client.run("template", "outputs", "--name", "hostile", "--output", "json").json() as? [String: Any]
            let uri = try #require((outputs?["value"] as? [[String: Any]])?.first?.properties["artifactUri"] as? String)
            let raw = f.dir.appendingPathComponent("hostile.raw").path
            #expect(try await ChildProcess.run(["qemu-img", "convert", "-f", "vpc", "-O", "raw", String(uri.dropFirst("file://".count)), raw]).status == 0)
            func cat(_ path: String) async throws -> String {
                try await ChildProcess.run(["debugfs", "-R", "cat \(path)", "\(raw)?offset=1048576"]).stdout
            }
            let stolenShadow = try await cat("/root/stolen-shadow"), stolenEnviron = try await cat("/root/stolen-environ")
            #expect(stolenShadow.contains("No such file") && !stolenShadow.contains(rootLine), "\(stolenShadow)")
            #expect(stolenEnviron.contains("PATH="), "\(stolenEnviron)")
            for leak in [secret, RcloneS3Server.secretKey, Self.scopedToken, Self.adminToken] {
                #expect(!stolenEnviron.contains(leak), "the image holds \(leak)")
            }
            #expect(try await cat("/etc/os-release").contains("vmib-busybox"), "the checks read the image")

            // A child that outlives its customizer is stopped before the image is unmounted: no
            // such process on the host, no qemu with the run's disk, and the run succeeds.
            let (forkRun, forkLog, forkStatus) = try await build("forks", [
                ["type": "Shell", "name": "fork", "inline": ["(sleep 6061; echo late > /etc/late) &", "echo \"forked $!\""]]])
            #expect(section(forkLog, "fork").contains("forked "), "\(forkLog)")
            #expect(!(try ProcessList.contains("sleep 6061")), "a customizer's child runs on the host")
            let staging = try #require(forkStatus["stagingArea"] as? String)
            #expect(!(try ProcessList.contains(staging + "/work.raw")), "the build VM is gone")
            #expect(forkRun.exitCode == 0 && forkStatus["runState"] as? String == "Succeeded", "\(forkStatus)")
            // The subshell and its sleep.
            #expect(forkLog.contains("process(es) the customizers left running in the image:") && forkLog.contains(" sleep"), "\(forkLog)")

            // The host: its files unchanged, nothing planted, the server answering.
            #expect(try Self.hostFiles() == before)
            #expect(try String(contentsOf: f.dir.appendingPathComponent(marker), encoding: .utf8) == "host only")
            for path in planted { #expect(!FileManager.default.fileExists(atPath: path), "\(path) on the host") }
            #expect(try await s.healthz() == "200")
        }

        /// A Contributor of resource group vmib cannot make, change or run a template that reads
        /// from or writes into resource group `other`; `other`'s images stay as they were.
        @Test func templatesCannotReachIntoAnotherResourceGroup() async throws {
            let f = try await TemplateFixture()
            let compute = "/subscriptions/\(TemplateFixture.sub)/resourceGroups/other/providers/Microsoft.Compute"
            let otherImage = compute + "/galleries/OG/images/OI", otherManaged = compute + "/images/m"
            func shared(_ image: String) -> [String: Any] {
                ["type": "SharedImage", "runOutputName": "s", "galleryImageId": image, "targetRegions": [["name": "eastus"]]]
            }
            let vhd: [String: Any] = ["type": "VHD", "runOutputName": "v"]
            let managed: [String: Any] = ["type": "ManagedImage", "runOutputName": "m", "imageId": otherManaged, "location": "eastus"]
            // Resource group `other` holds version 1.0.0 of a gallery image and a managed image; a
            // template in vmib, made by someone with wider rights, publishes into `other`.
            let s = try await serve(f) { state in
                try expectSuccess(await state.run("gallery", "create", "--resource-group", "other", "--name", "OG"))
                try expectSuccess(await state.run("image", "create", "--resource-group", "other", "--gallery", "OG", "--name", "OI", "--os-type", "Linux",
                                                  "--os-state", "Generalized", "--publisher", "P", "--offer", "O", "--sku", "S"))
                try expectSuccess(await state.run("version", "publish", "--resource-group", "other", "--gallery", "OG", "--image", "OI", "--version", "1.0.0",
                                                  "--disk", f.www.appendingPathComponent("busybox-gpt.img").path, "--target-region", "eastus=1"))
                let mk = TemplateFixture.body(customize: [], distribute: [managed])
                try expectSuccess(await state.run("template", "create", "--resource-group", "other", "--name", "mk", "--file", try f.templateFile("mk", mk)))
                try expectSuccess(await state.run("template", "run", "--resource-group", "other", "--name", "mk"))
                let wide = TemplateFixture.body(customize: [], distribute: [shared(otherImage)])
                try expectSuccess(await state.run("template", "create", "--name", "wide", "--file", try f.templateFile("wide", wide)))
            }
            defer { ChildProcess.kill9(s.server.process) }
            let managedFile = s.state + "/managedImages/eastus/other/m.raw"
            let managedBefore = try TemplateFixture.sha256(managedFile)
            func versions() async throws -> [String] {
                let r = try await s.admin.run("version", "list", "--resource-group", "other", "--gallery", "OG", "--image", "OI", "--output", "json")
                return (try r.json() as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            }
            #expect(try await versions() == ["1.0.0"])

            let cases: [(String, [String: Any], String, String)] = [
                ("fromversion", TemplateFixture.body(source: ["type": "SharedImageVersion", "imageVersionId": otherImage + "/versions/1.0.0"],
                                                     customize: [], distribute: [vhd]), "properties.source.imageVersionId", "read"),
                ("frommanaged", TemplateFixture.body(source: ["type": "ManagedImage", "imageId": otherManaged], customize: [], distribute: [vhd]),
                 "properties.source.imageId", "read"),
                ("intogallery", TemplateFixture.body(customize: [], distribute: [vhd, shared(otherImage)]), "properties.distribute[1].galleryImageId", "write"),
                ("intomanaged", TemplateFixture.body(customize: [], distribute: [managed]), "properties.distribute[0].imageId", "write"),
            ]
            for (name, body, field, access) in cases {
                let r = try await s.client.run("template", "create", "--name", name, "--file", try f.templateFile(name, body))
                #expect(r.exitCode == 2, "\(name): \(r.stderr)")
                #expect(r.stderr.contains("\(field): The client has no permission to \(access) '"), "\(name): \(r.stderr)")
                #expect(try await s.admin.run("template", "show", "--name", name).exitCode == 2, "\(name) was stored")
            }
            // Nor may it put a template in `other`, point its own template there, or run the wide one.
            let mine = try await s.client.run("template", "create", "--resource-group", "other", "--name", "mine",
                                              "--file", try f.templateFile("mine", TemplateFixture.body(customize: [], distribute: [vhd])))
            #expect(mine.exitCode == 2 && mine.stderr.contains("does not have authorization") && mine.stderr.contains("/resourceGroups/other"), "\(mine.stderr)")
            try expectSuccess(await s.client.run("template", "create", "--name", "own", "--file", try f.templateFile("own", TemplateFixture.body(customize: [], distribute: [vhd]))))
            let patch = f.dir.appendingPathComponent("patch.json")
            try JSONSerialization.data(withJSONObject: ["properties": ["distribute": [shared(otherImage)]]]).write(to: patch)
            let update = try await s.client.run("template", "update", "--name", "own", "--file", patch.path)
            #expect(update.exitCode == 2 && update.stderr.contains("properties.distribute[0].galleryImageId: The client has no permission to write"), "\(update.stderr)")
            #expect(!(try await s.client.run("template", "show", "--name", "own", "--output", "json").stdout.contains("/resourceGroups/other/")))
            let run = try await s.client.run("template", "run", "--name", "wide")
            #expect(run.exitCode == 2 && run.stderr.contains("properties.distribute[0].galleryImageId: The client has no permission to write"), "\(run.stderr)")
            let wide = try await s.admin.run("template", "show", "--name", "wide", "--output", "json").json() as? [String: Any] ?? [:]
            #expect(wide.properties["lastRunStatus"] == nil, "the wide template was not run")

            #expect(try await versions() == ["1.0.0"], "no new version in the other resource group")
            #expect(try TemplateFixture.sha256(managedFile) == managedBefore)
            #expect(try await s.healthz() == "200")
        }

        /// Numbers no integer holds, sent straight to the server: a 400 naming the field, nothing
        /// stored or changed, and the server answers /healthz after each.
        @Test func hugeNumbersAreRefusedAndTheServerKeepsAnswering() async throws {
            let f = try await TemplateFixture()
            let s = try await serve(f)
            defer { ChildProcess.kill9(s.server.process) }
            let platform = #"{"type":"PlatformImage","publisher":"vmib","offer":"busybox","sku":"gpt","version":"latest"}"#
            func shared(_ region: String, versioning: String = "") -> String {
                #"[{"type":"SharedImage","runOutputName":"s","galleryImageId":"\#(TemplateFixture.imageID)","targetRegions":[\#(region)]\#(versioning)}]"#
            }
            func body(_ extra: String = "", distribute: String = #"[{"type":"VHD","runOutputName":"v"}]"#) -> String {
                #"{"location":"eastus","properties":{"source":\#(platform),"customize":[],"distribute":\#(distribute)\#(extra)}}"#
            }
            let templates = "\(s.base)/subscriptions/\(TemplateFixture.sub)/resourceGroups/vmib/providers/Microsoft.VirtualMachineImages/imageTemplates"
            func send(_ method: String, _ name: String, _ text: String? = nil) async throws -> (status: String, body: [String: Any]) {
                var args = ["curl", "-s", "-X", method, "-H", "Authorization: Bearer \(Self.scopedToken)", "-w", "\n%{http_code}", "--max-time", "30"]
                if let text {
                    let file = f.dir.appendingPathComponent("body-\(UUID().uuidString).json").path
                    try text.write(toFile: file, atomically: true, encoding: .utf8)
                    args += ["-H", "Content-Type: application/json", "--data-binary", "@\(file)"]
                }
                let out = try await ChildProcess.run(args + ["\(templates)/\(name)?api-version=2025-10-01"]).stdout
                let lines = out.split(separator: "\n", omittingEmptySubsequences: false)
                let json = try? JSONSerialization.jsonObject(with: Data(lines.dropLast().joined(separator: "\n").utf8)) as? [String: Any]
                return (String(lines.last ?? ""), json ?? [:])
            }
            let replicas = "properties.distribute[0].targetRegions[0].replicaCount", disk = "properties.vmProfile.osDiskSizeGB"
            let timeout = "properties.buildTimeoutInMinutes"
            // 1e400 is no Double: the body is not JSON to the server's parser, a 400 too.
            let cases: [(String, String, String?)] = [
                ("replicas", body(distribute: shared(#"{"name":"eastus","replicaCount":1e300}"#)), replicas),
                ("replicas-negative", body(distribute: shared(#"{"name":"eastus","replicaCount":-1e300}"#)), replicas),
                ("disk", body(#","vmProfile":{"osDiskSizeGB":1e300}"#), disk),
                ("disk-overflow", body(#","vmProfile":{"osDiskSizeGB":1e400}"#), nil),
                ("timeout", body(#","buildTimeoutInMinutes":1e300"#), timeout),
                ("timeout-negative", body(#","buildTimeoutInMinutes":-1e300"#), timeout),
                ("major", body(distribute: shared(#"{"name":"eastus"}"#, versioning: #","versioning":{"scheme":"Latest","major":1e300}"#)),
                 "properties.distribute[0].versioning.major"),
            ]
            for (name, text, field) in cases {
                let r = try await send("PUT", name, text)
                let error = r.body["error"] as? [String: Any] ?? [:]
                if let field {
                    #expect(r.status == "400" && error["target"] as? String == field, "\(name): \(r.status) \(r.body)")
                } else {
                    #expect(r.status == "400" && (error["message"] as? String ?? "").contains("not JSON"), "\(name): \(r.status) \(r.body)")
                }
                #expect(try await send("GET", name).status == "404", "\(name) was stored")
                #expect(try await s.healthz() == "200", "after \(name)")
            }
            // An update is checked as a create is; the template keeps its body.
            #expect(try await send("PUT", "ok", body()).status == "201")
            let original = try await send("GET", "ok").body["properties"] as? [String: Any] ?? [:]
            for (patch, field) in [(#"{"properties":{"vmProfile":{"osDiskSizeGB":1e300}}}"#, disk),
                                   (#"{"properties":{"distribute":\#(shared(#"{"name":"eastus","replicaCount":1e300}"#))}}"#, replicas)] {
                let r = try await send("PATCH", "ok", patch)
                #expect(r.status == "400" && (r.body["error"] as? [String: Any])?["target"] as? String == field, "\(patch): \(r.status) \(r.body)")
                #expect(try await s.healthz() == "200")
            }
            let after = try await send("GET", "ok").body["properties"] as? [String: Any] ?? [:]
            func canonical(_ value: Any?) -> String {
                value.flatMap { try? JSONSerialization.data(withJSONObject: ["v": $0], options: [.sortedKeys]) }.map { String(decoding: $0, as: UTF8.self) } ?? "none"
            }
            #expect(canonical(after["distribute"]) == canonical(original["distribute"]) && canonical(after["vmProfile"]) == canonical(original["vmProfile"]),
                    "\(original) / \(after)")
        }
    }
}
