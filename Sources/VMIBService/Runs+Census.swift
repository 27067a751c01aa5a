import Foundation
import VMIBBuild
import VMIBCore

extension Runs {
    /// Runs by state across every template of this subscription, for the server's metrics.
    public func census() throws -> [RunState: Int] {
        var census: [RunState: Int] = [:]
        for t in try configuration.subscriptions.flatMap({ try templateStore.templates(subscription: $0, resourceGroup: nil) }) {
            for r in try templateStore.runs(of: t.key) { census[r.state, default: 0] += 1 }
        }
        return census
    }

    /// Takes over the runs a previous server process left active (it was shut down, or
    /// killed, mid-run), for this process to resume from their checkpoints: each is recorded
    /// as carried out by this process, so no one else starts or ends it meanwhile. A run
    /// being canceled ends Canceled instead. Call it before serving, with nothing running.
    ///
    /// With several servers (a shared store), a run is taken over only with its lease (no
    /// server renewed it for a lease's time); one whose workspace is not on this server (it
    /// was on the server that stopped) ends Failed, saying so. Servers call this again
    /// every lease, to take over the runs of a server that died.
    /// - Returns: the runs to resume (Running, subState Queued).
    public func adoptAbandoned() throws -> [TemplateRun] {
        if let leases = root.leases { return try adoptAbandoned(leases) }
        var adopted: [TemplateRun] = []
        for t in try configuration.subscriptions.flatMap({ try templateStore.templates(subscription: $0, resourceGroup: nil) }) {
            // This process runs nothing yet: its own pid on a run is a previous process's (a
            // restarted container's server is pid 1 every time).
            for r in try templateStore.runs(of: t.key) where r.state.isActive && (r.workerPID == RunWorker.current || !RunWorker.isAlive(r.workerPID)) {
                if r.state == .Canceling {
                    try finishAbandoned(r, canceled: true)
                    continue
                }
                var run = r
                run.workerPID = RunWorker.current
                run.subState = .Queued
                run.message = "resuming after a server restart"
                try templateStore.updateRun(run)
                adopted.append(run)
            }
        }
        return adopted
    }

    private func adoptAbandoned(_ leases: StoreLeases) throws -> [TemplateRun] {
        var adopted: [TemplateRun] = []
        for t in try configuration.subscriptions.flatMap({ try templateStore.templates(subscription: $0, resourceGroup: nil) }) {
            for r in try templateStore.runs(of: t.key) where r.state.isActive {
                guard try isAbandoned(r), leases.tryAcquire(Self.leaseKey(r.id)) else { continue }
                if r.state == .Canceling {
                    try finishAbandoned(r, canceled: true)
                    leases.release(Self.leaseKey(r.id))
                    continue
                }
                guard FileManager.default.fileExists(atPath: r.staging) else {
                    var failed = r
                    failed.state = .Failed
                    failed.subState = nil
                    failed.endTime = Date()
                    failed.message = "the server carrying the run out stopped, and its workspace (\(r.staging)) is not on this server; run the template again"
                    try templateStore.updateRun(failed)
                    leases.release(Self.leaseKey(r.id))
                    continue
                }
                var run = r
                run.workerPID = RunWorker.current
                run.subState = .Queued
                run.message = "resuming: the server carrying it out stopped"
                try templateStore.updateRun(run)
                adopted.append(run)
            }
        }
        return adopted
    }
}
