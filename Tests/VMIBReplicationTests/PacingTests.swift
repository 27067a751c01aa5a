import Synchronization
import Testing
import VMIBCore
@testable import VMIBReplication

/// A lock-protected value that closures and tasks can share.
final class Shared<T: Sendable>: Sendable {
    private let m: Mutex<T>
    init(_ value: T) { m = Mutex(value) }
    func withLock<R>(_ body: (inout T) -> R) -> R { m.withLock { body(&$0) } }
}

@Suite struct PacingTests {
    @Test func bytePacerHoldsTheRateInVirtualTime() {
        let now = Shared(Duration.zero)
        let pacer = ThreadBytePacer(bytesPerSecond: 4_000_000, now: { now.withLock { $0 } },
                                    sleep: { d in now.withLock { $0 += d } })
        for _ in 0..<1000 { pacer.pace(bytes: 64 * 1024) }
        let elapsed = now.withLock { $0 }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = Double(1000 * 64 * 1024) / seconds
        #expect(abs(rate - 4_000_000) / 4_000_000 < 0.02, "rate \(rate)")
    }

    @Test func requestPacerSpacesRequests() async throws {
        let clock = VirtualClock()
        let pacer = RequestPacer(requestsPerSecond: 10, clock: clock, now: { clock.elapsed })
        for _ in 0..<51 { try await pacer.admit() }
        #expect(clock.elapsed >= .seconds(4.9) && clock.elapsed <= .seconds(5.1))
    }

    @Test func gateAdmitsAtMostItsLimit() async {
        let gate = ConcurrencyGate(limit: 2)
        let peak = Shared((now: 0, max: 0))
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    await gate.withPlace {
                        peak.withLock { $0.now += 1; $0.max = max($0.max, $0.now) }
                        try? await Task.sleep(for: .milliseconds(5))
                        peak.withLock { $0.now -= 1 }
                    }
                }
            }
        }
        #expect(peak.withLock { $0.max } == 2)
    }
}
