import Foundation

/// A one-way flag a task's cancellation handler sets and a blocking thread polls.
///
/// Work that runs on its own thread (libcurl, file copies) cannot see `Task.isCancelled`,
/// so the async side flips this flag and the thread checks it between chunks.
final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false

    func cancel() {
        lock.lock(); cancelled = true; lock.unlock()
    }

    var isCancelled: Bool {
        lock.lock(); defer { lock.unlock() }
        return cancelled
    }
}
