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
    let logger: Logger
    /// Set once the first scan of the store has been made (for /readyz).
    let ready: ReadyFlag

    public init(api: API, interval: Duration = .milliseconds(500), ready: ReadyFlag, logger: Logger) {
        self.api = api; self.interval = interval; self.ready = ready; self.logger = logger
    }

    public func run() async throws {
        let running = RunningSet()
        // Cancelled (not just told) on graceful shutdown: the cancellation reaches every
        // worker, and transfers check it between chunks, so they stop at a checkpoint
        // rather than finishing the image.
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                while !Task.isCancelled {
                    do {
                        for ref in try api.service.versionsWithPendingWork() {
                            guard running.insert(ref) else { continue }
                            group.addTask {
                                await work(on: ref)
                                running.remove(ref)
                            }
                        }
                        ready.set()
                    } catch {
                        logger.error("cannot read versions with pending work", metadata: ["error": .string("\(error)")])
                    }
                    try? await Task.sleep(for: interval)
                }
            }
        }
        logger.info("replication stopped; unfinished work resumes at the next start")
    }

    private func work(on ref: VersionRef) async {
        do {
            let state = try api.service.details(ref).version.provisioningState
            if state == .Deleting {
                try await api.service.purge(ref)
                logger.info("deleted version", metadata: ["version": .string(ref.description)])
            } else {
                let outcome = try await api.service.reconcile(ref, observer: MetricsObserver(metrics: api.metrics))
                logger.info("reconciled version", metadata: ["version": .string(ref.description), "state": .string(outcome.state.rawValue)])
            }
        } catch is CancellationError {
        } catch {
            if Task.isCancelled { return }
            logger.error("reconcile failed", metadata: ["version": .string(ref.description), "error": .string("\(error)")])
            // Back off before the next scan picks this version up again.
            try? await Task.sleep(for: .seconds(2))
        }
    }
}

/// Set once; read by /readyz.
public final class ReadyFlag: Sendable {
    private let value = Atomic<Bool>(false)
    public init() {}
    public func set() { value.store(true, ordering: .releasing) }
    public var isSet: Bool { value.load(ordering: .acquiring) }
}

/// The versions a worker is on, so no version gets two at once.
final class RunningSet: Sendable {
    private let refs = Mutex<Set<VersionRef>>([])
    func insert(_ ref: VersionRef) -> Bool { refs.withLock { $0.insert(ref).inserted } }
    func remove(_ ref: VersionRef) { refs.withLock { _ = $0.remove(ref) } }
}
