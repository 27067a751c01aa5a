/// At most `limit` holders at once; later callers wait in arrival order. `0` means unlimited.
public actor ConcurrencyGate {
    private let limit: Int
    private var holders = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init(limit: Int) { self.limit = limit }

    /// Runs `body` while holding one of the gate's places.
    public func withPlace<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        if limit == 0 || holders < limit { holders += 1; return }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty { holders -= 1 } else { waiters.removeFirst().resume() }
    }

    /// Holders right now (for tests and status).
    public var inUse: Int { holders }
}
