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
        var adopted: [TemplateRun] = []
        for t in try configuration.subscriptions.flatMap({ try templateStore.templates(subscription: $0, resourceGroup: nil) }) {
            for r in try templateStore.runs(of: t.key) where r.state.isActive {
                if let run = try adopt(r) { adopted.append(run) }
            }
        }
        return adopted
    }

    /// Takes one active run over, unless someone carries it out: Running again with this
    /// process as its worker (nil when it was not taken, or ended instead).
    private func adopt(_ r: TemplateRun) throws -> TemplateRun? {
        let key = Self.leaseKey(r.id)
        if let leases = root.leases {
            guard try isAbandoned(r), leases.tryAcquire(key) else { return nil }
        } else {
            // This process runs nothing yet: its own pid on a run is a previous process's (a
            // restarted container's server is pid 1 every time).
            guard r.workerPID == RunWorker.current || !RunWorker.isAlive(r.workerPID) else { return nil }
        }
        if r.state == .Canceling {
            try finishAbandoned(r, canceled: true)
            root.leases?.release(key)
            return nil
        }
        guard root.leases == nil || FileManager.default.fileExists(atPath: r.staging) else {
            var failed = r
            failed.state = .Failed
            failed.subState = nil
            failed.endTime = Date()
            failed.message = "the server carrying the run out stopped, and its workspace (\(r.staging)) is not on this server; run the template again"
            try templateStore.updateRun(failed)
            root.leases?.release(key)
            return nil
        }
        var run = r
        run.workerPID = RunWorker.current
        run.subState = .Queued
        run.message = root.leases == nil ? "resuming after a server restart" : "resuming: the server carrying it out stopped"
        try templateStore.updateRun(run)
        return run
    }
}
