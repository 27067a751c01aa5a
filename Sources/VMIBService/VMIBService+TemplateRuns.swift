import Foundation
import Synchronization
import VMIBBuild
import VMIBCore
import VMIBStore

extension VMIBService {
    /// Records a new run (Running/Queued) with its staging area. A template with Windows
    /// customizers fails at once: there is no Windows build host.
    /// - Throws: `DomainError`/`StoreError` when the template is missing or a run is active.
    /// - Parameter authorize: checks the template's resources against whoever starts the run.
    public func startRun(_ key: TemplateKey) throws -> TemplateRun { try startRun(key, authorize: { _ in }) }

    public func startRun(_ key: TemplateKey, authorize: (ImageTemplate) throws -> Void) throws -> TemplateRun {
        let details = try templateDetails(key)
        try authorize(details.template)
        if let last = details.lastRun, last.state.isActive, !workerAlive(last) { try finishAbandoned(last) }
        let guid = UUID().uuidString.lowercased()
        let staging = "\(stagingRoot)/IT_\(key.resourceGroup)_\(key.name)_\(guid)"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: staging + "/customization.log", contents: nil)
        var run = TemplateRun(id: guid, template: key, state: .Running, subState: .Queued, message: "queued",
                              startTime: Date(), staging: staging, workerPID: getpid())
        if let w = details.template.customize.first(where: { if case .windows = $0 { true } else { false } }) {
            run.state = .Failed
            run.subState = nil
            run.endTime = Date()
            run.message = "customizer '\(w.name)' (\(w.typeName)) needs a Windows build host, and none is configured; this deployment builds Linux images only"
        }
        do { try templateStore.createRun(run) } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
        return run
    }

    public func run(id: String) throws -> TemplateRun {
        guard let r = try templateStore.run(id: id) else { throw DomainError.notFound(.runID, "run '\(id)' does not exist") }
        return r
    }

    /// Carries a recorded run out to its end state. A cancel request (`cancelRun`, from any
    /// process) is noticed within a fraction of a second and kills the customizer's tree.
    ///
    /// Cancelling the calling task (a server shutting down) is not a cancel request: the
    /// customizer's tree is killed as well, but the run stays Running (subState Queued) with
    /// its checkpoint, and a later call resumes it: a finished build (and VHD) is kept, a
    /// published version is waited for rather than published again, and an interrupted build
    /// starts over on a fresh work disk.
    /// - Parameter replication: who replicates the versions SharedImage distributors publish.
    /// - Returns: the run as it ended, or, when interrupted, still Running.
    @discardableResult
    public func executeRun(id: String, replication: RunReplication = .inline) async throws -> TemplateRun {
        var run = try self.run(id: id)
        guard run.state == .Running else { return run }
        try FileManager.default.createDirectory(atPath: run.staging, withIntermediateDirectories: true)
        let log = try BuildLog(path: run.staging + "/customization.log")
        let checkpoint = RunCheckpointFile(staging: run.staging)
        let resumedFrom = checkpoint.value.attempts > 0 ? checkpoint.value.phase : nil
        run.workerPID = getpid()
        try templateStore.updateRun(run)
        let template: ImageTemplate
        do {
            try checkpoint.update { $0.attempts += 1 }
            template = try templateDetails(run.template).template
            try checkFileSources(template)
        } catch {
            return try end(run, .failure(error), log: log, errorHandling: ErrorHandling(),
                           prefix: resumedFrom == nil ? "cannot start the run: " : "cannot resume the run: ")
        }
        let minute = Double(configuration.environment["VMIB_BUILD_MINUTE_SECONDS"] ?? "") ?? 60
        let deadline = ContinuousClock.now + .milliseconds(Int64(Double(template.buildTimeoutInMinutes) * minute * 1000))
        if let resumedFrom {
            log.line("resuming run \(run.id) from checkpoint \(resumedFrom); the build timeout (\(template.buildTimeoutInMinutes) min) starts again")
        } else {
            log.line("run \(run.id) of \(run.template.id): build region \(template.location), timeout \(template.buildTimeoutInMinutes) min")
        }

        let store = templateStore
        let progress: @Sendable (RunSubState, String) async -> Void = { sub, message in
            guard var r = try? store.run(id: id), r.state == .Running else { return }
            r.subState = sub; r.message = message
            try? store.updateRun(r)
        }
        let interrupted = InterruptionFlag()
        let snapshot = run
        let work = Task { [snapshot] () throws -> RunResult in
            let (built, source) = try await self.build(template, run: snapshot, checkpoint: checkpoint, deadline: deadline, log: log,
                                                       progress: progress) {
                interrupted.isSet ? "the server is shutting down" : "the run was canceled"
            }
            try Task.checkCancellation()
            if template.validation.sourceValidationOnly {
                log.line("validate.sourceValidationOnly: the source passed its validators; nothing is distributed")
                return RunResult(outputs: [], validationFailure: nil, sourceValidationOnly: true)
            }
            await progress(.Distributing, "distributing to \(template.distribute.count) target(s)")
            log.line("distributing to \(template.distribute.map { "\($0.typeName) '\($0.runOutputName)'" }.joined(separator: ", "))")
            let outputs = try await self.distribute(template, built: built, source: source, run: snapshot, log: log,
                                                    checkpoint: checkpoint, replication: replication)
            return RunResult(outputs: outputs, validationFailure: built.validationFailure, sourceValidationOnly: false)
        }
        let watcher = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(200))
                if (try? store.run(id: id))?.state == .Canceling { work.cancel(); return }
            }
        }
        let result = await withTaskCancellationHandler {
            await work.result
        } onCancel: {
            interrupted.set()
            work.cancel()
        }
        watcher.cancel()

        run = try self.run(id: id)
        if interrupted.isSet, run.state == .Running, case .failure = result {
            // Not an end: the run keeps its checkpoint and workspace, and the next server resumes it.
            let phase = run.subState?.rawValue ?? RunSubState.Queued.rawValue
            run.subState = .Queued
            run.workerPID = nil
            run.message = "interrupted by server shutdown during \(phase); resumes when the server starts"
            log.line("interrupted by server shutdown during \(phase): the run resumes from checkpoint \(checkpoint.value.phase) when the server starts")
            try templateStore.updateRun(run)
            return run
        }
        return try end(run, result, log: log, errorHandling: template.errorHandling)
    }

    /// The built disk: the checkpoint's when it is still in place, else a fresh build, from a
    /// fresh workspace (customizers never run on a half-customized disk).
    private func build(_ template: ImageTemplate, run: TemplateRun, checkpoint: RunCheckpointFile, deadline: ContinuousClock.Instant,
                       log: BuildLog, progress: @escaping @Sendable (RunSubState, String) async -> Void,
                       stopReason: @escaping @Sendable () -> String) async throws -> (BuiltImage, ResolvedSource) {
        let saved = checkpoint.value
        if let built = saved.builtDiskIfPresent(), let s = saved.source {
            log.line("checkpoint built: the customized disk \(built.disk) is in place; not building again")
            return (built, ResolvedSource(type: s.type, exact: s.exact, exactVersion: s.exactVersion, osType: s.osType))
        }
        if saved.attempts > 1 {
            if GuestVM.killLeftover(pidFile: run.staging + "/vm.pid") {
                log.line("killed the build VM that the stopped server left running")
            }
            if saved.built != nil { log.line("checkpoint built: the customized disk is missing or changed; building again") }
            cleanWorkspace(run.staging)
            try checkpoint.update { $0.built = nil; $0.vhd = nil; $0.source = nil }
            log.line("building again from the source, on a fresh work disk")
        }
        let source = try resolveSource(template.source)
        var job = BuildJob(source: "", customizers: template.customize, workspace: run.staging, deadline: deadline,
                           timeoutMinutes: template.buildTimeoutInMinutes, cache: downloadCache, stopReason: stopReason)
        try await configureVM(&job, template: template, log: log)
        await progress(.Building, "fetching source \(source.exact)")
        job.source = try await withDeadline(deadline, minutes: template.buildTimeoutInMinutes, what: "fetching the source") {
            try await self.fetchSource(source, log: log)
        }
        let built = try await ImageBuilder.build(fetching(job), log: log) { phase in
            switch phase {
            case .building: await progress(.Building, "preparing the disk")
            case .customizing: await progress(.Customizing, "running \(template.customize.count) customizer(s) in the build VM")
            case .validating: await progress(.Validating, "running \(template.validation.inVMValidations.count) validator(s) in the build VM")
            }
        }
        try checkpoint.update {
            $0.source = .init(type: source.type, exact: source.exact, exactVersion: source.exactVersion, osType: source.osType)
            $0.built = built
        }
        log.line("checkpoint built: \(built.disk), \(built.sizeBytes) bytes")
        return (built, source)
    }

    /// Records the run's end state and cleans its workspace (unless asked to keep it).
    private func end(_ recorded: TemplateRun, _ result: Result<RunResult, any Error>, log: BuildLog, errorHandling: ErrorHandling,
                     prefix: String = "") throws -> TemplateRun {
        var run = try self.run(id: recorded.id)
        run.endTime = Date()
        run.subState = nil
        run.workerPID = nil
        var keep: String?
        switch result {
        case .success(let r):
            let ok = r.outputs.filter { $0.provisioningState == "Succeeded" }.count
            run.state = ok == r.outputs.count ? .Succeeded : ok == 0 ? .Failed : .PartiallySucceeded
            run.message = r.outputs.map { "\($0.name): \($0.provisioningState)\($0.message.map { " (\($0))" } ?? "")" }.joined(separator: "; ")
            if r.sourceValidationOnly { run.message = "the source passed validation (validate.sourceValidationOnly); nothing was distributed" }
            if let failure = r.validationFailure {
                // Azure: with continueDistributeOnFailure the image is distributed, and the run still fails.
                run.state = .Failed
                run.message = "\(failure); distributed anyway (validate.continueDistributeOnFailure): \(run.message)"
            }
        case .failure(let error):
            if error is CancellationError || run.state == .Canceling {
                run.state = .Canceled
                run.message = "canceled by request; the build VM was stopped"
            } else {
                run.state = .Failed
                run.message = prefix + "\(error)"
                let validation = (error as? BuildError)?.code == .validation
                if validation ? errorHandling.onValidationError == .abort : errorHandling.onCustomizerError == .abort {
                    keep = validation ? "onValidationError" : "onCustomizerError"
                }
            }
        }
        log.line("run \(run.state.rawValue): \(run.message)")
        if let keep {
            log.line("errorHandling.\(keep) is abort: the workspace (with the build VM's work disk) is kept for inspection in \(run.staging)")
        } else {
            cleanIntermediates(run.staging)
        }
        try templateStore.updateRun(run)
        return run
    }

    private func fetchSource(_ source: ResolvedSource, log: BuildLog) async throws -> String {
        if let path = source.localPath {
            guard FileManager.default.fileExists(atPath: path) else { throw BuildError(.source, "the disk of \(source.exact) is missing (\(path))") }
            return path
        }
        let got = try await downloadCache.fetch(source.url!, sha256: source.sha256, what: "source \(source.exact)")
        log.line("source \(source.exact): \(got.outcome == .hit ? "cache hit" : "downloaded \(source.url!)"), SHA-256 \(source.sha256 ?? "") verified")
        return got.path
    }

    /// Removes work disks, unpacked trees, downloads and the checkpoint; keeps the log and the outputs.
    func cleanIntermediates(_ staging: String) {
        for name in ["work.raw", "downloads", "image.vhd", "image.vhd.partial", "checkpoint.json", "vm.pid"] {
            try? FileManager.default.removeItem(atPath: "\(staging)/\(name)")
        }
    }

    /// Everything a build left behind, so that a resumed run builds on a fresh work disk:
    /// the intermediates and the customizers' captured output (else logged twice).
    func cleanWorkspace(_ staging: String) {
        for name in ["work.raw", "downloads", "image.vhd", "image.vhd.partial", "vm.pid"] {
            try? FileManager.default.removeItem(atPath: "\(staging)/\(name)")
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: staging)) ?? []
        where (name.hasPrefix("customizer-") || name.hasPrefix("validator-")) && name.hasSuffix(".out") {
            try? FileManager.default.removeItem(atPath: "\(staging)/\(name)")
        }
    }

    /// Asks the active run of a template to stop; the run ends Canceled.
    public func cancelRun(_ key: TemplateKey) throws -> TemplateRun {
        let details = try templateDetails(key)
        guard let run = details.lastRun, run.state.isActive else {
            throw DomainError(.refused, field: .template, "image template '\(key.name)' has no run in progress")
        }
        if !workerAlive(run) { return try finishAbandoned(run, canceled: true) }
        _ = try templateStore.requestCancel(runID: run.id, message: "cancel requested")
        return try self.run(id: run.id)
    }

    func workerAlive(_ run: TemplateRun) -> Bool {
        guard let pid = run.workerPID else { return false }
        if pid == getpid() { return true }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    /// Ends a run whose worker died (killed, crashed).
    @discardableResult
    func finishAbandoned(_ run: TemplateRun, canceled: Bool = false) throws -> TemplateRun {
        var r = run
        r.state = canceled ? .Canceled : .Failed
        r.subState = nil
        r.endTime = Date()
        r.message = canceled ? "canceled; the run's worker had already stopped" : "the run's worker process stopped before the run ended"
        try templateStore.updateRun(r)
        // A worker killed with kill -9 may leave its build VM running.
        GuestVM.killLeftover(pidFile: r.staging + "/vm.pid")
        cleanIntermediates(r.staging)
        return r
    }

    /// The last run's customization.log.
    public func runLog(_ key: TemplateKey) throws -> (run: TemplateRun, text: String) {
        guard let run = try templateDetails(key).lastRun else {
            throw DomainError(.refused, field: .template, "image template '\(key.name)' has not been run")
        }
        return (run, (try? String(contentsOfFile: run.staging + "/customization.log", encoding: .utf8)) ?? "")
    }

    public func runOutputs(_ key: TemplateKey) throws -> [RunOutput] {
        _ = try templateDetails(key)
        return try templateStore.runOutputs(of: key)
    }
}

/// Who replicates the versions a run's SharedImage distributors publish.
public enum RunReplication: Sendable {
    /// The run reconciles each version itself (embedded: no controller runs).
    case inline
    /// A replication controller of this process does (the server's); the run waits for
    /// each version's end state, reading the store every `poll`.
    case controller(poll: Duration)
}

/// What a run's build and distribution came to.
struct RunResult: Sendable {
    var outputs: [RunOutput]
    /// A validator's failure the template distributed past.
    var validationFailure: String?
    /// The run validated the source and distributed nothing.
    var sourceValidationOnly: Bool
}

/// Set when the task carrying a run out was cancelled (a shutdown), as opposed to a cancel
/// request recorded in the store.
final class InterruptionFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}

extension VMIBService {
    /// A build job with the addresses its customizers' fetches may reach: public ones only
    /// when this process serves others and the topology does not allow private networks.
    private func fetching(_ job: BuildJob) -> BuildJob {
        var job = job
        job.fetchAddresses = configuration.servesOthers && !topology.fetchFromPrivateNetworks ? .publicOnly : .any
        return job
    }
}
