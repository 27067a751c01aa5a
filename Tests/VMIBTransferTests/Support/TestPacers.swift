import Foundation
import VMIBTestSupport
import VMIBTransfer

/// Counts the bytes it is asked to pace and, once `limit` is reached, runs `onLimit` once
/// (e.g. to cancel the uploading task part-way).
final class CountingPacer: BytePacer, @unchecked Sendable {
    private let lock = NSLock()
    private var counted: Int64 = 0
    private var fired = false
    private let limit: Int64?
    private let onLimit: @Sendable () -> Void

    init(limit: Int64? = nil, onLimit: @escaping @Sendable () -> Void = {}) {
        self.limit = limit
        self.onLimit = onLimit
    }

    var total: Int64 {
        lock.lock(); defer { lock.unlock() }
        return counted
    }

    func pace(bytes: Int) {
        lock.lock()
        counted += Int64(bytes)
        let fire = !fired && limit.map { counted >= $0 } == true
        if fire { fired = true }
        lock.unlock()
        if fire { onLimit() }
    }
}

/// Lets `bytesPerSecond` through by sleeping the sending thread: the simplest pacer.
final class RatePacer: BytePacer, @unchecked Sendable {
    private let lock = NSLock()
    private let bytesPerSecond: Double
    private var start: Date?
    private var sent: Double = 0

    init(bytesPerSecond: Double) { self.bytesPerSecond = bytesPerSecond }

    func pace(bytes: Int) {
        lock.lock()
        let start = self.start ?? Date()
        self.start = start
        sent += Double(bytes)
        let due = start.addingTimeInterval(sent / bytesPerSecond)
        lock.unlock()
        let wait = due.timeIntervalSinceNow
        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
    }
}

/// Collects values handed to a `@Sendable` callback (checkpoints, progress).
final class Recorder<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Value] = []

    func record(_ value: Value) {
        lock.lock(); stored.append(value); lock.unlock()
    }

    var values: [Value] {
        lock.lock(); defer { lock.unlock() }
        return stored
    }
}
