/// Keeps two processes from working on the same key at once. Non-blocking: a key held
/// elsewhere is requeued, never waited for on a thread.
public protocol WorkLock: Sendable {
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
