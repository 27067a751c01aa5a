import VMIBStore

/// Keeps two processes from working on the same key at once. Non-blocking: a key held
/// elsewhere is requeued, never waited for on a thread.
public protocol WorkLock: Sendable {
    /// What the writes of this key's work carry, so that the store refuses them once another
    /// process took the key over (a lease's fencing token); nil when writes need none (a
    /// lock the kernel drops with its process, one process). Once the key was held, it is
    /// kept after the hold was lost, until `release`: a late write then carries a stale token.
    func fence(_ key: String) -> Fence?
    /// Takes the lock of `key` unless another process holds it; true when this process
    /// holds it (also when it already did).
    func tryAcquire(_ key: String) -> Bool
    func release(_ key: String)
}

/// No other process to keep out (tests, a single in-process controller).
public struct InProcessOnly: WorkLock {
    public init() {}
    public func tryAcquire(_ key: String) -> Bool { true }
    public func release(_ key: String) {}
}

extension WorkLock {
    public func fence(_ key: String) -> Fence? { nil }
}
