import Synchronization

/// A clock whose sleeps return at once and move virtual time forward by the amount asked,
/// so tests of backoff and pacing run in microseconds and can check every wait.
final class VirtualClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by d: Duration) -> Instant { Instant(offset: offset + d) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
    }

    private let state = Mutex<(now: Duration, sleeps: [Duration])>((.zero, []))

    var now: Instant { Instant(offset: state.withLock { $0.now }) }
    var minimumResolution: Duration { .nanoseconds(1) }
    var sleeps: [Duration] { state.withLock { $0.sleeps } }
    var elapsed: Duration { state.withLock { $0.now } }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        state.withLock { s in
            s.sleeps.append(deadline.offset - s.now)
            if deadline.offset > s.now { s.now = deadline.offset }
        }
        await Task.yield()
    }
}
