import Foundation
import Synchronization
import VMIBBuild
import VMIBCore
import VMIBStore

/// Template runs: build the image in a VM and distribute it.
public struct Runs: ServicePart {
    let root: VMIBService
}

extension Runs {
    /// Records a new run (Running/Queued) with its staging area. A template with Windows
    /// customizers fails at once: there is no Windows build host.
    /// - Throws: `DomainError`/`StoreError` when the template is missing or a run is active.
    /// - Parameter authorize: checks the template's resources against whoever starts the run.
    public func start(_ key: TemplateKey) throws -> TemplateRun { try start(key, authorize: { _ in }) }

    public func start(_ key: TemplateKey, authorize: (ImageTemplate) throws -> Void) throws -> TemplateRun {
        let details = try root.templates.details(key)
        try authorize(details.template)
        let (run, workspace) = try prepare(details, triggeredBy: nil)
        do { try templateStore.createRun(run) } catch {
            workspace.remove()
            throw error
        }
        return run
    }

    /// Starts the run a trigger fired for `version` of the template's source, unless another
    /// process fired it first or a run became active meanwhile (nil then: nothing recorded).
    func start(_ trigger: TemplateTrigger, version: String, status: TriggerStatus) throws -> TemplateRun? {
        let details = try root.templates.details(trigger.key.template)
        let (run, workspace) = try prepare(details, triggeredBy: RunTrigger(trigger: trigger.key.name, sourceVersion: version))
        let fired: Bool
        do { fired = try templateStore.fireTrigger(trigger.key, expecting: trigger.lastSourceVersion, run: run, status: status) } catch {
            workspace.remove()
            throw error
        }
        if !fired { workspace.remove() }
        return fired ? run : nil
    }

    /// A new run of a template with its staging area; Failed at once when the template has
    /// Windows customizers.
    private func prepare(_ details: TemplateDetails, triggeredBy: RunTrigger?) throws -> (TemplateRun, RunWorkspace) {
        let key = details.record.key
        if let last = details.lastRun, last.state.isActive, try isAbandoned(last) { try finishAbandoned(last) }
        let guid = UUID().uuidString.lowercased()
        let workspace = RunWorkspace(root: root.templates.stagingRoot, resourceGroup: key.resourceGroup, templateName: key.name, runID: guid)
        try workspace.create()
        var run = TemplateRun(id: guid, template: key, state: .Running, subState: .Queued, message: "queued",
                              startTime: Date(), staging: workspace.path, workerPID: RunWorker.current, triggeredBy: triggeredBy)
        if let w = details.template.customize.first(where: { if case .windows = $0 { true } else { false } }) {
            run.state = .Failed
            run.subState = nil
            run.endTime = Date()
            run.message = "customizer '\(w.name)' (\(w.typeName)) needs a Windows build host, and none is configured; this deployment builds Linux images only"
        }
        return (run, workspace)
    }

    /// A template's runs, newest first.
    public func list(_ key: TemplateKey) throws -> [TemplateRun] {
        _ = try root.templates.details(key)
        return try templateStore.runs(of: key)
    }

    public func get(id: String) throws -> TemplateRun {
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
    public func execute(id: String, replication: RunReplication = .inline) async throws -> TemplateRun {
        var run = try get(id: id)
        guard run.state == .Running else { return run }
        // With several servers, the one holding the run's lease carries it out (renewed
        // while it does); another server's start of it is a no-op.
        if let leases = root.leases {
            guard leases.tryAcquire(Self.leaseKey(run.id)) else { return run }
        }
        defer { root.leases?.release(Self.leaseKey(id)) }
        let workspace = RunWorkspace(path: run.staging)
        try workspace.ensureExists()
        let log = try workspace.openLog()
        let checkpoint = workspace.openCheckpoint()
        let resumedFrom = checkpoint.value.attempts > 0 ? checkpoint.value.phase : nil
        run.workerPID = RunWorker.current
        let fence = runFence(id)
        try templateStore.updateRun(run, fence: fence)
        var template: ImageTemplate
        do {
            try checkpoint.update { $0.attempts += 1 }
            template = try root.templates.details(run.template).template
            try root.templates.checkFileSources(template)
        } catch {
            return try end(run, .failure(error), interrupted: false, checkpoint: checkpoint, log: log, errorHandling: ErrorHandling(),
                           prefix: resumedFrom == nil ? "cannot start the run: " : "cannot resume the run: ")
        }
        let deadline = ContinuousClock.now + configuration.buildMinute * template.buildTimeoutInMinutes
        if let resumedFrom {
            log.line("resuming run \(run.id) from checkpoint \(resumedFrom); the build timeout (\(template.buildTimeoutInMinutes) min) starts again")
        } else {
            log.line("run \(run.id) of \(run.template.id): build region \(template.location), timeout \(template.buildTimeoutInMinutes) min")
        }
        if let trigger = run.triggeredBy {
            // It builds from the version that fired it, even if a newer one appeared since.
            template.source = template.source.pinned(to: trigger.sourceVersion)
            if resumedFrom == nil { log.line("started by trigger '\(trigger.trigger)' for source version \(trigger.sourceVersion)") }
        }

        let store = templateStore
        let progress: @Sendable (RunSubState, String) async -> Void = { sub, message in
            guard var r = try? store.run(id: id), r.state == .Running else { return }
            r.subState = sub; r.message = message
            try? store.updateRun(r, fence: fence)
        }
        let interrupted = InterruptionFlag()
        let snapshot = run
        let work = Task { [snapshot, template] () throws -> RunResult in
            try await self.carryOut(template, run: snapshot, workspace: workspace, checkpoint: checkpoint, deadline: deadline,
                                    log: log, progress: progress, replication: replication) {
                interrupted.isSet ? "the server is shutting down" : "the run was canceled"
            }
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
        return try end(run, result, interrupted: interrupted.isSet, checkpoint: checkpoint, log: log, errorHandling: template.errorHandling)
    }

    /// Records how the run stopped: its end state, its workspace cleaned (unless asked to
    /// keep it); or, when its process is shutting down, still Running, to be resumed.
    private func end(_ recorded: TemplateRun, _ result: Result<RunResult, any Error>, interrupted: Bool, checkpoint: RunCheckpointFile,
                     log: BuildLog, errorHandling: ErrorHandling, prefix: String = "") throws -> TemplateRun {
        var run = try get(id: recorded.id)
        let stopped: RunEngine.Stopped
        switch result {
        case .success: stopped = .completed
        case .failure(let error):
            if interrupted, run.state == .Running {
                stopped = .interrupted
            } else if error is CancellationError || run.state == .Canceling {
                stopped = .canceled
            } else {
                stopped = .failed(validation: (error as? BuildError)?.code == .validation)
            }
        }
        let disposal = RunEngine.stop(stopped, errorHandling: errorHandling)
        if disposal == .suspend {
            // Not an end: the run keeps its checkpoint and workspace, and the next server resumes it.
            let phase = run.subState?.rawValue ?? RunSubState.Queued.rawValue
            run.subState = .Queued
            run.workerPID = nil
            run.message = "interrupted by server shutdown during \(phase); resumes when the server starts"
            log.line("interrupted by server shutdown during \(phase): the run resumes from checkpoint \(checkpoint.value.phase) when the server starts")
            try templateStore.updateRun(run, fence: runFence(run.id))
            return run
        }
        run.endTime = Date()
        run.subState = nil
        run.workerPID = nil
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
            if stopped == .canceled {
                run.state = .Canceled
                run.message = "canceled by request; the build VM was stopped"
            } else {
                run.state = .Failed
                run.message = prefix + "\(error)"
            }
        }
        log.line("run \(run.state.rawValue): \(run.message)")
        if case .endKeepingWorkspace(let field) = disposal {
            log.line("errorHandling.\(field) is abort: the workspace (with the build VM's work disk) is kept for inspection in \(run.staging)")
        } else {
            RunWorkspace(path: run.staging).cleanIntermediates()
        }
        try templateStore.updateRun(run, fence: runFence(run.id))
        return run
    }

    /// Asks the active run of a template to stop; the run ends Canceled.
    public func cancel(_ key: TemplateKey) throws -> TemplateRun {
        let details = try root.templates.details(key)
        guard let run = details.lastRun, run.state.isActive else {
            throw DomainError(.refused, field: .template, "image template '\(key.name)' has no run in progress")
        }
        if try isAbandoned(run) { return try finishAbandoned(run, canceled: true) }
        _ = try templateStore.requestCancel(runID: run.id, message: "cancel requested")
        return try get(id: run.id)
    }

    /// The key of a run's lease.
    static func leaseKey(_ runID: String) -> String { "run:\(runID)" }

    /// What a run's writes carry while this process carries it out (nil on one machine's store).
    func runFence(_ runID: String) -> Fence? { root.leases?.fence(Self.leaseKey(runID)) }

    /// Whether nobody carries an active run out any more. On one machine: its worker
    /// process is gone. With several servers: no server holds its lease, and it is older
    /// than a lease (a run just recorded is about to be taken by the process that recorded
    /// it or by its worker).
    func isAbandoned(_ run: TemplateRun) throws -> Bool {
        guard let leases = root.leases else { return !RunWorker.isAlive(run.workerPID) }
        let key = Self.leaseKey(run.id)
        if leases.holds(key) { return false }
        if try leases.heldElsewhere(key) { return false }
        return Date().timeIntervalSince(run.startTime) > leases.leaseDuration
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
        let workspace = RunWorkspace(path: r.staging)
        workspace.killLeftoverVM()
        workspace.cleanIntermediates()
        return r
    }

    /// The last run's customization.log.
    public func log(_ key: TemplateKey) throws -> (run: TemplateRun, text: String) {
        guard let run = try root.templates.details(key).lastRun else {
            throw DomainError(.refused, field: .template, "image template '\(key.name)' has not been run")
        }
        return (run, RunWorkspace(path: run.staging).readLog())
    }

    public func outputs(_ key: TemplateKey) throws -> [RunOutput] {
        _ = try root.templates.details(key)
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
