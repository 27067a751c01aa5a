import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import VMIBCore
import VMIBService

/// The replication controller as a service of the server process: it picks up every version
/// with pending work (at start-up, and whenever a request or a CLI adds some) and closes the
/// gap, one worker per version, never the same version twice at once.
///
/// On graceful shutdown (SIGTERM) running transfers are cancelled; they stop at their next
/// checkpoint with everything already persisted (the controller's invariant), and the next
/// start resumes them from the store.
public struct ReplicationService: Service {
    let api: API
    let interval: Duration
    /// How often the store is asked for versions with replicas due for a scrub.
    let scrubScan: Duration
    let workers: Int
    let logger: Logger
    /// Set once the first scan of the store has been made (for /readyz).
    let ready: ReadyFlag

    public init(api: API, interval: Duration = .milliseconds(500), scrubScan: Duration = .seconds(10), workers: Int = 4,
                ready: ReadyFlag, logger: Logger) {
        self.api = api; self.interval = interval; self.scrubScan = scrubScan; self.workers = workers
        self.ready = ready; self.logger = logger
    }

    public func run() async throws {
        let controller = try api.service.replication()
        let metrics = controller.observe(MetricsObserver(metrics: api.metrics))
        defer { controller.stopObserving(metrics) }
        // Cancelled (not just told) on graceful shutdown: the cancellation reaches every
        // transfer, and transfers check it between chunks, so they stop at a checkpoint
        // rather than finishing the image.
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    try? await controller.run(workers: workers) { [logger] ref, error in
                        logger.error("reconcile failed", metadata: ["version": .string(ref.description), "error": .string("\(error)")])
                    }
                }
                // Level-triggered: whatever has pending work in the store (written by a
                // request, a CLI or another server) is queued; the queue de-duplicates.
                // Versions with replicas due for a scrub too, less often (each pass over a
                // settled version also asks to be run again when its next check is due;
                // this finds them after a restart).
                var lastScrubScan = ContinuousClock.now - scrubScan
                while !Task.isCancelled {
                    do {
                        for ref in try api.service.versions.withPendingWork() { await controller.enqueue(ref) }
                        if ContinuousClock.now - lastScrubScan >= scrubScan {
                            lastScrubScan = .now
                            for ref in try api.service.versions.withReplicasDue() {
                                await controller.enqueue(ref)
                            }
                        }
                        ready.set()
                    } catch {
                        logger.error("cannot read versions with pending work", metadata: ["error": .string("\(error)")])
                    }
                    try? await Task.sleep(for: interval)
                }
                group.cancelAll()
            }
        }
        logger.info("replication stopped; unfinished work resumes at the next start")
    }
}

/// Set once; read by /readyz.
public final class ReadyFlag: Sendable {
    private let value = Atomic<Bool>(false)
    public init() {}
    public func set() { value.store(true, ordering: .releasing) }
    public var isSet: Bool { value.load(ordering: .acquiring) }
}
