import Foundation
import Testing
import VMIBBuild
import VMIBTestSupport

/// A run's staging area: what each cleaning removes and keeps, and the processes that work
/// in it (its worker, a leftover build VM).
@Suite struct RunWorkspaceTests {
    /// Every file a run leaves in its staging area, with a VHD output beside them.
    static let everything = ["customization.log", "worker.log", "checkpoint.json", "work.raw", "downloads", "image.vhd",
                             "image.vhd.partial", "vm.pid", "vm-work.json", "vm-outcome.json", "vm-progress.json", "vm-worker.log",
                             "customizer-1.out", "validator-2.out", "out.vhd"]

    func filled() throws -> RunWorkspace {
        let dir = try TestFiles.directory("vmib-workspace")
        let workspace = RunWorkspace(path: dir.path)
        for name in Self.everything {
            if name == "downloads" {
                try FileManager.default.createDirectory(atPath: workspace.downloads, withIntermediateDirectories: true)
                try Data("x".utf8).write(to: URL(fileURLWithPath: workspace.download("customizer", index: 0, ext: "sh")))
            } else {
                try Data("x".utf8).write(to: dir.appendingPathComponent(name))
            }
        }
        return workspace
    }

    func contents(_ workspace: RunWorkspace) throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: workspace.path))
    }

    @Test func theEndOfARunRemovesDisksDownloadsAndTheCheckpointAndKeepsLogsAndOutputs() throws {
        let workspace = try filled()
        defer { workspace.remove() }
        workspace.cleanIntermediates()
        #expect(try contents(workspace) == ["customization.log", "worker.log", "vm-work.json", "vm-outcome.json", "vm-progress.json",
                                            "vm-worker.log", "customizer-1.out", "validator-2.out", "out.vhd"])
    }

    @Test func aRebuildRemovesWhatTheLastBuildLeftAndKeepsTheCheckpoint() throws {
        let workspace = try filled()
        defer { workspace.remove() }
        workspace.cleanForRebuild()
        #expect(try contents(workspace) == ["customization.log", "worker.log", "checkpoint.json", "vm-work.json", "vm-outcome.json",
                                            "vm-progress.json", "vm-worker.log", "out.vhd"])
    }

    @Test func namesFollowTheStagingAreaConvention() throws {
        let workspace = RunWorkspace(root: "/state/staging", resourceGroup: "rg", templateName: "t", runID: "42")
        #expect(workspace.path == "/state/staging/IT_rg_t_42")
        #expect(workspace.log == "/state/staging/IT_rg_t_42/customization.log")
        #expect(workspace.stepOutput("validator", index: 1) == "/state/staging/IT_rg_t_42/validator-2.out")
        #expect(workspace.output(named: "v") == "/state/staging/IT_rg_t_42/v.vhd")
        #expect(RunCheckpointFile(staging: workspace.path).path == workspace.path(of: .checkpoint))
        #expect(RunWorkspace.Entry.stepOutput.matches("customizer-12.out") && !RunWorkspace.Entry.stepOutput.matches("customizer-1.sh"))
    }

    @Test func createMakesAnEmptyLogAndRemoveTakesEverything() throws {
        let root = try TestFiles.directory("vmib-workspace")
        defer { try? FileManager.default.removeItem(at: root) }
        let workspace = RunWorkspace(root: root.path, resourceGroup: "rg", templateName: "t", runID: "1")
        try workspace.create()
        #expect(workspace.readLog() == "")
        try workspace.openLog().line("hello")
        #expect(workspace.readLog().hasSuffix("hello\n"))
        workspace.remove()
        #expect(!FileManager.default.fileExists(atPath: workspace.path))
    }

    @Test func aWorkerIsAliveUntilItExitsAndWritesItsLogInTheWorkspace() async throws {
        let workspace = try filled()
        defer { workspace.remove() }
        #expect(RunWorker.isAlive(RunWorker.current))
        #expect(!RunWorker.isAlive(nil))
        let pid = try RunWorker.start(["sh", "-c", "echo working; exec sleep 30"], environment: [:], in: workspace)
        try await waitUntil("the worker writes its log", timeout: .seconds(10)) {
            ((try? String(contentsOfFile: workspace.path(of: .workerLog), encoding: .utf8)) ?? "").contains("working")
        }
        #expect(RunWorker.isAlive(pid))
        kill(pid, SIGKILL)
        var status: Int32 = 0
        #expect(waitpid(pid, &status, 0) == pid)
        #expect(!RunWorker.isAlive(pid))
    }

    @Test func onlyALeftoverQemuIsKilled() async throws {
        let workspace = try filled()
        defer { workspace.remove() }
        let pidFile = workspace.path(of: .vmPID)
        // Not a qemu: left alone.
        let other = try Subprocess.spawn(["sleep", "30"], output: nil)
        defer { other.killGroup() }
        try "\(other.pid)\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
        #expect(!workspace.killLeftoverVM())
        #expect(other.poll() == nil)
        // A process whose command line says qemu: killed.
        let vm = try Subprocess.spawn(["bash", "-c", "exec -a qemu-system-x86_64 sleep 30"], output: nil)
        defer { vm.killGroup() }
        try await waitUntil("the fake qemu has its name", timeout: .seconds(10)) {
            String(decoding: FileManager.default.contents(atPath: "/proc/\(vm.pid)/cmdline") ?? Data(), as: UTF8.self).contains("qemu")
        }
        try "\(vm.pid)\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
        #expect(workspace.killLeftoverVM())
        let status = try await vm.wait(deadline: .now + .seconds(10))
        #expect(status == 128 + SIGKILL)
        // No pid file: nothing to kill.
        unlink(pidFile)
        #expect(!workspace.killLeftoverVM())
    }
}
