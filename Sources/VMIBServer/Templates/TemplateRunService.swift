import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import VMIBCore
import VMIBService

/// The template runs of the server process, as a service: it carries out the runs the
/// `run` route records, and at start-up the runs a previous server process left active.
///
/// On graceful shutdown (SIGTERM) every run in progress is cancelled: the customizer's
/// process tree is killed, and the run stays Running (subState Queued) with its checkpoint,
/// so the next start resumes it. A user's cancel request still ends a run Canceled.
public struct TemplateRunService: Service {
    /// One run to carry out; `resumed` when a previous process started it.
    struct Job: Sendable { var runID: String; var resumed: Bool }

    let api: API
    let resuming: [String]
    let poll: Duration
    let logger: Logger

    /// - Parameters:
    ///   - resuming: ids of runs to resume (`Runs.adoptAbandoned`).
    ///   - poll: how often a run waiting for a published version's replication reads the store.
    public init(api: API, resuming: [String], poll: Duration = .milliseconds(250), logger: Logger) {
        self.api = api; self.resuming = resuming; self.poll = poll; self.logger = logger
    }

    public func run() async throws {
        let (jobs, inbox) = AsyncStream.makeStream(of: Job.self)
        api.runInbox.attach(inbox)
        defer { inbox.finish() }
        for id in resuming { inbox.yield(Job(runID: id, resumed: true)) }
        // Cancelled (not just told) on graceful shutdown, so that the cancellation reaches each
        // run's build and it stops at once rather than when its customizers are done.
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                let shared = api.service.configuration
                if shared.store != nil {
                    // Several servers: every lease, take over the runs of a server that died.
                    group.addTask {
                        while !Task.isCancelled {
                            try? await Task.sleep(for: .seconds(shared.leaseDuration))
                            do {
                                for run in try api.service.runs.adoptAbandoned() { inbox.yield(Job(runID: run.id, resumed: true)) }
                            } catch {
                                logger.error("cannot look for abandoned template runs", metadata: ["error": .string("\(error)")])
                            }
                        }
                    }
                }
                for await job in jobs {
                    group.addTask { await Self.carryOut(job, api: api, replication: .controller(poll: poll), logger: logger) }
                }
            }
        }
        logger.info("template runs stopped; interrupted runs resume at the next start")
    }

    /// Hands a run the `run` route recorded to the server's service. A router driven
    /// in-process (tests) has none: the run gets a task of its own, and reconciles the
    /// versions it publishes itself.
    static func carryOut(_ runID: String, api: API) {
        let job = Job(runID: runID, resumed: false)
        guard let inbox = api.runInbox.continuation else {
            Task.detached { await carryOut(job, api: api, replication: .inline, logger: nil) }
            return
        }
        // Refused once the service stopped (the server is shutting down): the run stays
        // Running with this process as its worker, and the next start resumes it.
        _ = inbox.yield(job)
    }

    private static func carryOut(_ job: Job, api: API, replication: RunReplication, logger: Logger?) async {
        if job.resumed {
            api.metrics.runResumed()
            logger?.info("resuming template run", metadata: ["run": .string(job.runID)])
        }
        do {
            let run = try await api.service.runs.execute(id: job.runID, replication: replication)
            if run.state.isActive {
                api.metrics.runInterrupted()
                logger?.info("template run interrupted", metadata: ["run": .string(run.id), "message": .string(run.message)])
            } else {
                api.metrics.runEnded(state: run.state.rawValue)
            }
        } catch {
            api.metrics.runEnded(state: RunState.Failed.rawValue)
            logger?.error("template run failed", metadata: ["run": .string(job.runID), "error": .string("\(error)")])
        }
    }
}

/// Where the `run` route hands runs to the server's `TemplateRunService`. It stays attached
/// after the service stopped, so that a run recorded during shutdown is left for the next
/// start rather than started on a task nothing will stop.
public final class TemplateRunInbox: Sendable {
    private let value = Mutex<AsyncStream<TemplateRunService.Job>.Continuation?>(nil)
    public init() {}
    func attach(_ continuation: AsyncStream<TemplateRunService.Job>.Continuation) { value.withLock { $0 = continuation } }
    var continuation: AsyncStream<TemplateRunService.Job>.Continuation? { value.withLock { $0 } }
}
