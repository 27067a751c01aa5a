import Foundation
import Testing
import VMIBBuild
import VMIBCore
import VMIBTestSupport

@Suite(.serialized) struct ImageBuilderTests {
    let dir: URL
    init() throws { dir = try TestFiles.directory("vmib-build") }

    /// The VM part runs in a child `vmib build-vm`, as under the CLI and the server: this test
    /// process holds many descriptors, and libguestfs's select() aborts on one above 1023.
    /// - Parameter seconds: the build's deadline: generous by default (a TCG build VM on a busy
    ///   2-core machine needs more than a minute), short where a test is about the timeout.
    func job(_ source: String, _ customizers: [TemplateCustomizer], seconds: Int = 300) -> BuildJob {
        var j = BuildJob(source: source, customizers: customizers, workspace: dir.appendingPathComponent("ws").path,
                         deadline: .now + .seconds(seconds), timeoutMinutes: max(1, seconds / 60),
                         cache: DownloadCache(root: dir.appendingPathComponent("cache").path))
        j.vmRunner = .process(executable: RepositoryPaths.vmib)
        return j
    }

    @Test func findsTheRootFileSystemOnWholeDiskGPTAndMBR() async throws {
        let whole = try PartitionTable.findRoot(try await BusyboxImages.make("whole", in: dir))
        #expect(whole.scheme == .none && whole.offset == 0)
        let gpt = try PartitionTable.findRoot(try await BusyboxImages.make("gpt", in: dir))
        #expect(gpt.scheme == .gpt && gpt.partition == 1 && gpt.offset == 1 << 20)
        let mbr = try PartitionTable.findRoot(try await BusyboxImages.make("mbr", in: dir))
        #expect(mbr.scheme == .mbr && mbr.partition == 1 && mbr.offset == 1 << 20)
    }

    @Test func customizesAGPTDiskInPlaceKeepingThePartitionTable() async throws {
        let source = try await BusyboxImages.make("gpt", in: dir)
        let payload = dir.appendingPathComponent("motd")
        try "hello from File\n".write(to: payload, atomically: true, encoding: .utf8)
        let sum = try await TestFiles.sha256(payload.path)
        let log = try BuildLog(path: dir.appendingPathComponent("customization.log").path)
        let built = try await ImageBuilder.build(job(source, [
            .shell(name: "write", script: .inline(["echo built-by-vmib > /etc/vmib-marker", "uname -r > /etc/build-kernel"]), sha256Checksum: nil),
            .file(name: "motd", sourceUri: "file://\(payload.path)", sha256Checksum: sum, destination: "/etc/motd"),
        ]), log: log) { _ in }
        #expect(built.root.scheme == .gpt)
        #expect(try await BusyboxImages.cat("/etc/vmib-marker", in: built.disk, offset: built.root.offset) == "built-by-vmib\n")
        // It ran in the build VM: under the appliance's kernel, not the host's.
        let kernel = try await BusyboxImages.cat("/etc/build-kernel", in: built.disk, offset: built.root.offset)
        #expect(!kernel.isEmpty && kernel != ProcessInfo.processInfo.operatingSystemVersionString)
        #expect(kernel.trimmingCharacters(in: .whitespacesAndNewlines) != (try await ChildProcess.run(["uname", "-r"])).stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(try await BusyboxImages.cat("/etc/motd", in: built.disk, offset: built.root.offset) == "hello from File\n")
        // Protective MBR, GPT header and entries (first MiB) and the backup GPT (last 33 sectors) are unchanged.
        let size = (try FileManager.default.attributesOfItem(atPath: source)[.size] as! NSNumber).int64Value
        #expect(try BusyboxImages.digest(source, offset: 0, count: 1 << 20) == BusyboxImages.digest(built.disk, offset: 0, count: 1 << 20))
        #expect(try BusyboxImages.digest(source, offset: size - 33 * 512, count: 33 * 512) == BusyboxImages.digest(built.disk, offset: size - 33 * 512, count: 33 * 512))
        let text = try String(contentsOfFile: log.path, encoding: .utf8)
        #expect(text.contains("start customizer 'write' (Shell) in the build VM (Linux \(kernel.trimmingCharacters(in: .whitespacesAndNewlines))"))
        #expect(text.contains("end customizer 'motd' (File): copied to /etc/motd"))
    }

    @Test func convertsQcow2AndPacksATarballOntoExt4() async throws {
        let whole = try await BusyboxImages.make("whole", in: dir)
        let qcow = dir.appendingPathComponent("src.qcow2").path
        _ = try await ChildProcess.run(["qemu-img", "convert", "-f", "raw", "-O", "qcow2", whole, qcow])
        #expect(try DiskFormat.sniff(qcow) == .qcow2)
        let built = try await ImageBuilder.build(job(qcow, [.shell(name: "mark", script: .inline(["echo q > /q"]), sha256Checksum: nil)]),
                                                 log: try BuildLog(path: dir.appendingPathComponent("q.log").path)) { _ in }
        #expect(built.sourceFormat == .qcow2)
        #expect(try await BusyboxImages.cat("/q", in: built.disk) == "q\n")

        let tar = try await BusyboxImages.make("tar", in: dir)
        #expect(try DiskFormat.sniff(tar) == .tarGz)
        var j = job(tar, [.shell(name: "mark", script: .inline(["echo t > /t"]), sha256Checksum: nil)])
        j.workspace = dir.appendingPathComponent("ws-tar").path
        let packed = try await ImageBuilder.build(j, log: try BuildLog(path: dir.appendingPathComponent("t.log").path)) { _ in }
        #expect(try await BusyboxImages.cat("/t", in: packed.disk) == "t\n")
        #expect(try await BusyboxImages.cat("/etc/hostname", in: packed.disk) == "vmib-busybox\n")
    }

    @Test func generalizingRemovesWhatIdentifiesOneMachine() async throws {
        let source = try await BusyboxImages.make("whole", in: dir)
        var j = job(source, [.shell(name: "identity", script: .inline([
            "mkdir -p /etc/ssh /var/log/app /root",
            "echo 0123456789abcdef > /etc/machine-id", "echo key > /etc/ssh/ssh_host_ed25519_key",
            "echo secret-history > /root/.ash_history", "echo boot > /var/log/app/boot.log", "echo keep > /etc/keep",
        ]), sha256Checksum: nil)])
        j.generalize = true
        let log = try BuildLog(path: dir.appendingPathComponent("g.log").path)
        let built = try await ImageBuilder.build(j, log: log) { _ in }
        #expect(try await BusyboxImages.cat("/etc/machine-id", in: built.disk) == "")
        #expect(try await BusyboxImages.cat("/etc/ssh/ssh_host_ed25519_key", in: built.disk) == "")
        #expect(try await BusyboxImages.cat("/root/.ash_history", in: built.disk) == "")
        #expect(try await BusyboxImages.cat("/var/log/app/boot.log", in: built.disk) == "")
        #expect(try await BusyboxImages.cat("/etc/keep", in: built.disk) == "keep\n")
        let text = try String(contentsOfFile: log.path, encoding: .utf8)
        for line in ["emptied /etc/machine-id", "removed /etc/ssh/ssh_host_ed25519_key", "removed /root/.ash_history", "emptied /var/log/app/boot.log"] {
            #expect(text.contains(line), "the log lists '\(line)'")
        }
    }

    @Test func aFailingCustomizerNamesItselfItsExitCodeAndOutput() async throws {
        let source = try await BusyboxImages.make("whole", in: dir)
        do {
            _ = try await ImageBuilder.build(job(source, [.shell(name: "breaks", script: .inline(["echo about to fail", "exit 7"]), sha256Checksum: nil)]),
                                             log: try BuildLog(path: dir.appendingPathComponent("f.log").path)) { _ in }
            Issue.record("expected the customizer to fail")
        } catch let e as BuildError {
            #expect(e.code == .customizer && e.message.contains("'breaks'") && e.message.contains("exit code 7") && e.message.contains("about to fail"))
        }
    }

    @Test func aChecksumMismatchFailsTheCustomizer() async throws {
        let source = try await BusyboxImages.make("whole", in: dir)
        let payload = dir.appendingPathComponent("f")
        try "x".write(to: payload, atomically: true, encoding: .utf8)
        do {
            _ = try await ImageBuilder.build(job(source, [.file(name: "bad-sum", sourceUri: "file://\(payload.path)",
                                                                sha256Checksum: String(repeating: "0", count: 64), destination: "/x")]),
                                             log: try BuildLog(path: dir.appendingPathComponent("c.log").path)) { _ in }
            Issue.record("expected a checksum failure")
        } catch let e as BuildError {
            #expect(e.code == .customizer && e.message.contains("'bad-sum'") && e.message.contains("expected 0000"))
        }
    }

    @Test func theTimeoutKillsTheBuildVM() async throws {
        let source = try await BusyboxImages.make("whole", in: dir)
        let workspace = dir.appendingPathComponent("ws").path
        let started = ContinuousClock.now
        do {
            // Long enough for the VM to start under emulation; the customizer never ends.
            _ = try await ImageBuilder.build(job(source, [.shell(name: "hangs", script: .inline(["sleep 3171 &", "sleep 3172"]), sha256Checksum: nil)], seconds: 45),
                                             log: try BuildLog(path: dir.appendingPathComponent("t.log").path)) { _ in }
            Issue.record("expected a timeout")
        } catch let e as BuildError {
            #expect(e.code == .timedOut && e.message.contains("'hangs'") && e.message.contains("the build VM was killed"), "\(e)")
        }
        #expect(ContinuousClock.now - started < .seconds(75))
        try await waitUntil("the timed-out build VM is gone", timeout: .seconds(30)) {
            try ProcessTable.commandLines().filter { $0.contains("qemu") && $0.contains(workspace) }.isEmpty
        }
    }
}

/// Command lines of every process, from /proc.
enum ProcessTable {
    static func commandLines() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc").filter { $0.allSatisfy(\.isNumber) }.compactMap {
            guard let d = FileManager.default.contents(atPath: "/proc/\($0)/cmdline"), !d.isEmpty else { return nil }
            return String(decoding: d.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
        }
    }
}
