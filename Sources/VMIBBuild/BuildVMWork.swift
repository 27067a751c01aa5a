import Foundation

/// Where a build's VM part runs.
public enum BuildVMRunner: Sendable {
    /// In a child process, `EXECUTABLE build-vm --work FILE` (a `vmib`): libguestfs lives
    /// there, so its limits (it uses select(), which aborts the process on a descriptor
    /// above 1023, as a busy server has) and any crash of it cost the child, not the server.
    case process(executable: String)
    /// In this process (tests of the build itself; nothing else runs here).
    case inProcess
}

/// The VM part of a build, all of it data (Codable), so that a child process can do it:
/// start the VM with the work disk, grow the root, unpack a tarball, run the customizers and
/// validators, generalize, stop the VM.
public struct BuildVMWork: Sendable, Codable {
    var disk: String
    var spec: GuestVM.Spec
    var root: PartitionTable.RootFileSystem
    var grow: Bool
    var tarball: String?
    var gzip: Bool
    var steps: [ImageBuilder.Step]
    var validators: [ImageBuilder.Step]
    var generalize: Bool
    var continueDistributeOnFailure: Bool
    var workspace: String
    /// The run's customization.log.
    var log: String
    var timeoutMinutes: Int

    /// What the VM part came to.
    public struct Outcome: Sendable, Codable {
        /// The root file system's size when it grew.
        var rootSize: Int64?
        /// A validator's failure the build went on past (continueDistributeOnFailure).
        var validationFailure: String?
        var error: BuildError?
    }

    /// What the VM part is doing, for a parent: the phase, and the step (for messages).
    struct Progress: Codable { var phase: BuildPhase?; var step: String }

    var files: RunWorkspace { RunWorkspace(path: workspace) }
    var workFile: String { files.path(of: .vmWork) }
    var outcomeFile: String { files.path(of: .vmOutcome) }
    var progressFile: String { files.path(of: .vmProgress) }

    /// Runs the VM part here or in a child, and stops at `deadline` or when cancelled.
    func run(_ runner: BuildVMRunner, deadline: ContinuousClock.Instant, log: BuildLog, stopReason: @escaping @Sendable () -> String,
             phase: @escaping @Sendable (BuildPhase) async -> Void) async throws -> Outcome {
        switch runner {
        case .inProcess:
            let step = StepBox()
            do {
                return try await perform(deadline: deadline, log: log) { p, s in
                    step.set(s)
                    if let p { await phase(p) }
                }
            } catch is CancellationError {
                log.line("killed the build VM while \(step.get()): \(stopReason())")
                throw CancellationError()
            }
        case .process(let executable):
            return try await inChild(executable, deadline: deadline, log: log, stopReason: stopReason, phase: phase)
        }
    }

    // MARK: the parent's side

    private func inChild(_ executable: String, deadline: ContinuousClock.Instant, log: BuildLog, stopReason: @escaping @Sendable () -> String,
                         phase: @escaping @Sendable (BuildPhase) async -> Void) async throws -> Outcome {
        var copy = self
        copy.secondsLeft = max(0, (deadline - .now).seconds)
        try JSONEncoder().encode(copy).write(to: URL(fileURLWithPath: workFile))
        for f in [outcomeFile, progressFile] { unlink(f) }
        let child = try Subprocess.spawn([executable, "build-vm", "--work", workFile], output: files.path(of: .vmWorkerLog))
        var last = Progress(phase: nil, step: "starting the build VM")
        // The child stops itself at the deadline; a child that does not is killed a minute later.
        let limit = deadline + .seconds(60)
        var status: Int32?
        while status == nil {
            if let data = FileManager.default.contents(atPath: progressFile),
               let p = try? JSONDecoder().decode(Progress.self, from: data), p.step != last.step || p.phase != last.phase {
                if let ph = p.phase, ph != last.phase { await phase(ph) }
                last = p
            }
            if Task.isCancelled || ContinuousClock.now > limit {
                child.killGroup()
                files.killLeftoverVM()
                if Task.isCancelled {
                    log.line("killed the build VM while \(last.step): \(stopReason())")
                    throw CancellationError()
                }
                log.line("killed the build VM's worker: it outlived the build timeout (\(timeoutMinutes) min) while \(last.step)")
                throw BuildError(.timedOut, "build timeout of \(timeoutMinutes) minutes passed while \(last.step); the build VM was killed")
            }
            status = child.poll()
            if status == nil { try? await Task.sleep(for: .milliseconds(100)) }
        }
        guard let data = FileManager.default.contents(atPath: outcomeFile), let outcome = try? JSONDecoder().decode(Outcome.self, from: data) else {
            let tail = BuildLog.tail((try? String(contentsOfFile: files.path(of: .vmWorkerLog), encoding: .utf8)) ?? "")
            files.killLeftoverVM()
            throw BuildError(.tool, "the build VM's worker stopped with status \(status!) while \(last.step)\(tail.isEmpty ? "" : ": \(tail)")")
        }
        if let error = outcome.error { throw error }
        return outcome
    }

    /// Seconds left until the deadline, when the work goes to a child.
    var secondsLeft: Double = 0

    // MARK: the child's side (and the in-process runner)

    /// `vmib build-vm --work FILE`: does the work, writes the outcome beside it.
    /// - Returns: the exit status (0 when the outcome was written, whatever it says).
    public static func runChild(workFile: String) async -> Int32 {
        guard let data = FileManager.default.contents(atPath: workFile),
              let work = try? JSONDecoder().decode(BuildVMWork.self, from: data),
              let log = try? BuildLog(path: work.log) else {
            FileHandle.standardError.write(Data("build-vm: cannot read the work file \(workFile)\n".utf8))
            return 2
        }
        let progress = work.progressFile
        let outcome: Outcome
        do {
            outcome = try await work.perform(deadline: .now + .milliseconds(Int64(work.secondsLeft * 1000)), log: log) { p, step in
                if let d = try? JSONEncoder().encode(Progress(phase: p, step: step)) { try? d.write(to: URL(fileURLWithPath: progress), options: .atomic) }
            }
        } catch let e as BuildError {
            outcome = Outcome(error: e)
        } catch {
            outcome = Outcome(error: BuildError(.internal, "\(error)"))
        }
        do {
            try JSONEncoder().encode(outcome).write(to: URL(fileURLWithPath: work.outcomeFile), options: .atomic)
            return 0
        } catch {
            FileHandle.standardError.write(Data("build-vm: cannot write the outcome: \(error)\n".utf8))
            return 1
        }
    }

    /// Starts the VM and does the work in it; stops it afterwards (a timeout kills it).
    /// - Parameter report: the phase when it changes, and each step as it starts.
    func perform(deadline: ContinuousClock.Instant, log: BuildLog,
                 report: @escaping @Sendable (BuildPhase?, String) async -> Void) async throws -> Outcome {
        let vm = try GuestVM(disk: disk, spec: spec, workspace: workspace, deadline: deadline)
        let network = switch spec.network {
        case nil: "no network"
        case .host?: "the host's network"
        case .restricted(let f)?: "a restricted network reaching \(f.map { "\($0.guestAddress):\($0.guestPort) (→ \($0.target):\($0.targetPort))" }.joined(separator: ", "))"
        }
        log.line("starting the build VM: \(spec.cpus) vCPU, \(spec.memoryMiB) MiB, \(network), \(spec.acceleration == .tcg ? "software emulation (TCG)" : "KVM")")
        var current = "starting the build VM"
        do {
            let started = try await vm.launch()
            log.line(String(format: "build VM started in %.1f s: kernel %@", started.seconds, started.kernel))
            var outcome = Outcome()
            if grow {
                current = "growing the root file system"
                await report(nil, current)
                let size = try await vm.growRoot(root)
                outcome.rootSize = size
                log.line("grew the disk to \(ImageBuilder.fileSize(disk)) bytes and the root file system to \(size) bytes")
            }
            try await vm.mountRoot(root)
            if let tarball {
                current = "unpacking the tarball"
                await report(nil, current)
                try await vm.unpack(tarball, gzip: gzip)
                log.line("unpacked the tarball's tree in the build VM")
            }
            await report(.customizing, current)
            for step in steps {
                current = "running \(step.label)"
                await report(.customizing, current)
                try await ImageBuilder.execute(step, in: vm, kernel: started.kernel, log: log)
            }
            if !validators.isEmpty {
                for step in validators {
                    current = "running \(step.label)"
                    await report(.validating, current)
                    do {
                        try await ImageBuilder.execute(step, in: vm, kernel: started.kernel, log: log)
                    } catch let e as BuildError where e.code == .validation && continueDistributeOnFailure {
                        log.line("validation failed; distributing anyway (validate.continueDistributeOnFailure): \(e.message)")
                        outcome.validationFailure = e.message
                        break
                    }
                }
            }
            current = "stopping what the customizers left running"
            let leftovers = try await vm.stopLeftovers()
            if !leftovers.isEmpty {
                log.line("stopped \(leftovers.count) process(es) the customizers left running in the image: \(leftovers.joined(separator: ", "))")
            }
            if generalize {
                current = "generalizing the image"
                await report(nil, current)
                let removed = try await vm.generalize()
                log.line("generalized the image (\(removed.count) item(s))\(removed.isEmpty ? "" : ":")")
                for r in removed { log.line("  \(r)") }
            }
            current = "stopping the build VM"
            await report(nil, current)
            try await vm.shutdown()
            log.line("build VM stopped; the disk is synced")
            return outcome
        } catch let e as BuildError where e.code == .timedOut && e.message == BuildError.timedOut.message {
            log.line("killed the build VM: the build timeout (\(timeoutMinutes) min) passed while \(current)")
            throw BuildError(.timedOut, "build timeout of \(timeoutMinutes) minutes passed while \(current); the build VM was killed")
        }
    }
}

/// The step in progress, shared with the closure that reports it.
private final class StepBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value = "starting the build VM"
    func set(_ s: String) { lock.lock(); value = s; lock.unlock() }
    func get() -> String { lock.lock(); defer { lock.unlock() }; return value }
}
