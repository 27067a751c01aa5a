/// A de-duplicating queue of keys, shaped like controller-runtime's: a key added while it
/// waits is not queued twice, and a key added while a worker holds it is queued again only
/// when that worker is done, so no key is ever on two workers at once and no change is
/// missed. Waiting for work suspends; it never blocks a thread.
public actor WorkQueue<Key: Hashable & Sendable> {
    private var queue: [Key] = []
    private var dirty: Set<Key> = []
    private var processing: Set<Key> = []
    private var waiters: [CheckedContinuation<Key?, Never>] = []
    private var shuttingDown = false

    public init() {}

    /// Queues `key` unless it is queued already.
    public func add(_ key: Key) {
        guard !shuttingDown, dirty.insert(key).inserted else { return }
        // Held by a worker: `done` queues it again.
        if processing.contains(key) { return }
        if waiters.isEmpty { queue.append(key) } else { hand(key, to: waiters.removeFirst()) }
    }

    /// The next key, once there is one; nil after `shutDown`. The caller must call `done`.
    public func next() async -> Key? {
        if shuttingDown { return nil }
        if !queue.isEmpty {
            let key = queue.removeFirst()
            processing.insert(key)
            dirty.remove(key)
            return key
        }
        return await withCheckedContinuation { waiters.append($0) }
    }

    /// The worker holding `key` has finished with it.
    public func done(_ key: Key) {
        processing.remove(key)
        guard dirty.contains(key), !shuttingDown else { return }
        if waiters.isEmpty { queue.append(key) } else { hand(key, to: waiters.removeFirst()) }
    }

    /// Releases every waiting worker with nil; later adds are ignored.
    public func shutDown() {
        shuttingDown = true
        for w in waiters { w.resume(returning: nil) }
        waiters.removeAll()
    }

    /// Keys queued and not yet taken.
    public var count: Int { queue.count }

    private func hand(_ key: Key, to waiter: CheckedContinuation<Key?, Never>) {
        processing.insert(key)
        dirty.remove(key)
        waiter.resume(returning: key)
    }
}
