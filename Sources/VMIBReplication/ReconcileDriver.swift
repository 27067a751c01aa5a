import Synchronization
import VMIBCore

/// Carries out reconcile passes for the keys of a `WorkQueue`: N workers, never the same
/// key on two at once, per-key exponential backoff for passes that failed (reset by a
/// success), and every wait on the injected clock. Background jobs (transfers, delayed
/// requeues) run in the driver's own task group, so cancelling `run` stops them all.
///
/// One driver serves one `run`; a new run takes a new driver.
public final class ReconcileDriver<Key: Hashable & Sendable>: Sendable {
    public typealias Job = @Sendable () async -> Void

    public let queue = WorkQueue<Key>()
    let clock: any Clock<Duration>
    private let jobs: AsyncStream<Job>
    private let submit: AsyncStream<Job>.Continuation
    private let backoff: Mutex<(policy: KeyedBackoff<Key>, holding: Set<Key>)>
    /// Delayed adds waiting, by key: their deadlines on the clock (one timer per key and
    /// deadline, so passes that ask for the same wait do not stack timers).
    private let timers = Mutex<[Key: Duration]>([:])
    private let now: @Sendable () -> Duration

    /// How often a key whose pass is `.waiting` is looked at again anyway (level-triggered
    /// resync: a change made by another process is noticed while a long transfer runs).
    let resync: Duration?

    public init(clock: any Clock<Duration>, backoff: KeyedBackoff<Key> = KeyedBackoff(), resync: Duration? = nil) {
        self.clock = clock
        self.resync = resync
        (jobs, submit) = AsyncStream.makeStream(of: Job.self)
        self.backoff = Mutex((backoff, []))
        now = elapsedTime(on: clock)
    }

    /// Queues `key` now, unless it is backing off after a failed pass (its timer queues it).
    public func enqueue(_ key: Key) async {
        guard !backoff.withLock({ $0.holding.contains(key) }) else { return }
        await queue.add(key)
    }

    /// Queues `key` after `delay` on the driver's clock.
    public func enqueue(_ key: Key, after delay: Duration) {
        guard delay > .zero else { return spawn { [queue] in await queue.add(key) } }
        let deadline = now() + delay
        let armed = timers.withLock { timers in
            if let pending = timers[key], pending <= deadline { return false }
            timers[key] = deadline
            return true
        }
        guard armed else { return }
        spawn { [self] in
            do { try await clock.sleep(for: delay, tolerance: nil) } catch { return }
            timers.withLock { if $0[key] == deadline { $0[key] = nil } }
            await queue.add(key)
        }
    }

    /// Runs `job` beside the workers, until it ends or the run is cancelled.
    public func spawn(_ job: @escaping Job) { submit.yield(job) }

    /// Runs `workers` workers over the queue.
    /// - Parameters:
    ///   - target: stop once a pass of this key returns `.done` (rethrowing a terminal error
    ///     of that key); nil runs until the calling task is cancelled.
    ///   - reconcile: one pass over one key.
    ///   - isTransient: whether a pass's error is worth a retry with backoff.
    ///   - report: hears every error of a pass (logs, status).
    public func run(workers: Int, until target: Key? = nil,
                    reconcile: @escaping @Sendable (Key) async throws -> ReconcileResult,
                    isTransient: @escaping @Sendable (any Error) -> Bool,
                    report: @escaping @Sendable (Key, any Error) -> Void = { _, _ in }) async throws {
        let (settled, settle) = AsyncStream.makeStream(of: Result<Void, any Error>.self)
        defer { submit.finish() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [jobs] in
                await withDiscardingTaskGroup { running in
                    for await job in jobs { running.addTask { await job() } }
                }
            }
            for _ in 0..<max(1, workers) {
                group.addTask {
                    while let key = await self.next() {
                        await self.work(on: key, target: target, settle: settle, reconcile: reconcile,
                                        isTransient: isTransient, report: report)
                        await self.queue.done(key)
                    }
                }
            }
            var outcome: Result<Void, any Error> = .success(())
            for await result in settled { outcome = result; break }
            group.cancelAll()
            await queue.shutDown()
            submit.finish()
            try await group.waitForAll()
            try outcome.get()
        }
    }

    private func next() async -> Key? {
        await withTaskCancellationHandler {
            await queue.next()
        } onCancel: {
            Task { [queue] in await queue.shutDown() }
        }
    }

    private func work(on key: Key, target: Key?, settle: AsyncStream<Result<Void, any Error>>.Continuation,
                      reconcile: @Sendable (Key) async throws -> ReconcileResult,
                      isTransient: @Sendable (any Error) -> Bool,
                      report: @Sendable (Key, any Error) -> Void) async {
        do {
            let result = try await reconcile(key)
            backoff.withLock { _ = $0.policy.forget(key) }
            switch result {
            case .done: if key == target { settle.yield(.success(())) }
            case .requeueAfter(let delay): enqueue(key, after: delay)
            case .waiting: if let resync { enqueue(key, after: resync) }
            }
        } catch {
            if Task.isCancelled || error is CancellationError { return }
            report(key, error)
            // A terminal error of the awaited key ends the run; any other failed key backs
            // off, so a daemon's rescans do not spin on it.
            if key == target, !isTransient(error) {
                settle.yield(.failure(error))
            } else {
                let delay = backoff.withLock { state in
                    state.holding.insert(key)
                    return state.policy.failed(key)
                }
                spawn { [self] in
                    do { try await clock.sleep(for: delay, tolerance: nil) } catch { return }
                    backoff.withLock { _ = $0.holding.remove(key) }
                    await queue.add(key)
                }
            }
        }
    }
}
