import Foundation
import VMIBBuild
import VMIBCore

extension Runs {
    /// Records a run and starts `executable arguments…` (a `vmib template run-worker`) in a
    /// process group of its own to carry it out, so the caller can return at once.
    public func startInBackground(_ key: TemplateKey, worker: (TemplateRun) -> [String]) throws -> TemplateRun {
        try carryOutInBackground(try start(key), worker: worker)
    }

    /// Starts `executable arguments…` to carry out a run just recorded (e.g. by a trigger).
    public func carryOutInBackground(_ recorded: TemplateRun, worker: (TemplateRun) -> [String]) throws -> TemplateRun {
        var run = recorded
        guard run.state == .Running else { return run }
        do {
            run.workerPID = try RunWorker.start(worker(run), environment: configuration.environment, in: RunWorkspace(path: run.staging))
            try templateStore.updateRun(run)
        } catch {
            run.state = .Failed; run.subState = nil; run.endTime = Date(); run.message = "cannot start the run's worker: \(error)"
            try templateStore.updateRun(run)
        }
        return try get(id: run.id)
    }
}
