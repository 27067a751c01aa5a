import Synchronization
import Testing
import VMIBCore
@testable import VMIBReplication

@Suite struct ReconcileDriverTests {
    /// requeueAfter waits on the injected clock, for exactly the time asked, and no pass
    /// sleeps itself.
    @Test func requeueAfterWaitsOnTheClock() async throws {
        let clock = VirtualClock()
        let driver = ReconcileDriver<String>(clock: clock)
        let passes = Mutex(0)
        await driver.enqueue("k")
        try await driver.run(workers: 2, until: "k", reconcile: { _ in
            let n = passes.withLock { $0 += 1; return $0 }
            return n < 3 ? .requeueAfter(.seconds(5)) : .done
        }, isTransient: { _ in true })
        #expect(passes.withLock { $0 } == 3)
        #expect(clock.sleeps.filter { $0 > .zero } == [.seconds(5), .seconds(5)])
    }

    struct Flaky: Error {}
    struct Broken: Error {}

    /// Transient failures back off exponentially per key; a success resets the backoff;
    /// a terminal error of the awaited key ends the run with it.
    @Test func failuresBackOffExponentiallyAndTerminalErrorsEndTheRun() async throws {
        let clock = VirtualClock()
        let driver = ReconcileDriver<String>(clock: clock, backoff: KeyedBackoff(base: .seconds(1), max: .seconds(4)))
        let passes = Mutex(0)
        await driver.enqueue("k")
        await #expect(throws: Broken.self) {
            try await driver.run(workers: 1, until: "k", reconcile: { _ in
                let n = passes.withLock { $0 += 1; return $0 }
                switch n {
                case 1...4: throw Flaky()
                case 5: return .requeueAfter(.zero)
                case 6: throw Flaky()
                default: throw Broken()
                }
            }, isTransient: { $0 is Flaky })
        }
        // 1, 2, 4, 4 (capped); then a success forgot the key: 1 again.
        #expect(clock.sleeps.filter { $0 > .zero } == [.seconds(1), .seconds(2), .seconds(4), .seconds(4), .seconds(1)])
        #expect(passes.withLock { $0 } == 7)
    }

    /// Jobs run beside the workers and a job's requeue reaches the awaited key.
    @Test func waitingKeysComeBackWhenTheirJobEnds() async throws {
        let driver = ReconcileDriver<String>(clock: VirtualClock())
        let passes = Mutex(0)
        await driver.enqueue("k")
        try await driver.run(workers: 1, until: "k", reconcile: { key in
            let n = passes.withLock { $0 += 1; return $0 }
            if n == 1 {
                driver.spawn { await driver.enqueue(key) }
                return .waiting
            }
            return .done
        }, isTransient: { _ in false })
        #expect(passes.withLock { $0 } == 2)
    }
}

@Suite struct RetryAfterRangeTests {
    /// A server's Retry-After is range-checked before it becomes a Duration: 1e300 or a
    /// negative or NaN value must not trap (it did, and again on every restart).
    @Test func hugeOrInvalidRetryAfterDoesNotTrap() {
        #expect(ReplicaTransfer.duration(1e300) == .seconds(86_400))
        #expect(ReplicaTransfer.duration(2.5) == .milliseconds(2500))
        #expect(ReplicaTransfer.duration(-1) == nil)
        #expect(ReplicaTransfer.duration(.nan) == nil)
        #expect(ReplicaTransfer.duration(.infinity) == nil)
        #expect(ReplicaTransfer.duration(nil) == nil)
    }
}
