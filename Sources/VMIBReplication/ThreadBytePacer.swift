import Foundation
import Synchronization
import VMIBCore
import VMIBTransfer

/// A region's bytes/s limit, shared by all its uploads. Transfers call it from their own
/// threads (libcurl's read callback), so it blocks rather than suspends. The bucket is pure;
/// time and sleeping are injected so tests can run it without waiting.
public final class ThreadBytePacer: BytePacer {
    private let bucket: Mutex<TokenBucket>
    private let now: @Sendable () -> Duration
    private let sleep: @Sendable (Duration) -> Void

    public init(bytesPerSecond: Int64,
                now: @escaping @Sendable () -> Duration = ThreadBytePacer.monotonicNow,
                sleep: @escaping @Sendable (Duration) -> Void = ThreadBytePacer.threadSleep) {
        // A burst of 1/20 s keeps short-term rate close to the cap while letting chunks through.
        let rate = Double(bytesPerSecond)
        bucket = Mutex(TokenBucket(rate: rate, capacity: max(rate / 20, 64 * 1024), now: now()))
        self.now = now
        self.sleep = sleep
    }

    public func pace(bytes: Int) {
        let wait = bucket.withLock { $0.take(Double(bytes), now: now()) }
        if wait > .zero { sleep(wait) }
    }

    public static let monotonicNow: @Sendable () -> Duration = {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return .seconds(ts.tv_sec) + .nanoseconds(ts.tv_nsec)
    }

    public static let threadSleep: @Sendable (Duration) -> Void = { d in
        let (s, atto) = d.components
        Thread.sleep(forTimeInterval: Double(s) + Double(atto) / 1e18)
    }
}
