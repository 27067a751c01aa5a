import Foundation
import Synchronization
import VMIBReplication
import VMIBStore

/// Leases on versions in the store that several servers share (PostgreSQL), so that one
/// server at a time works on a version, and a server that dies loses its versions once its
/// leases run out. Held leases are renewed in the background every third of their duration;
/// a paused server's renewals stop, another takes the version over, and the paused server's
/// writes then carry a stale fencing token, which the store refuses.
final class StoreLeases: WorkLock {
    private let store: any LeaseStore
    private let holder: String
    private let duration: TimeInterval
    private let now: @Sendable () -> Date
    private let held = Mutex<[String: Lease]>([:])
    /// The token of the last lease held on each key, kept after it was lost, until release.
    private let fences = Mutex<[String: Fence]>([:])
    /// Whether the renewal thread runs; false once this is deinitialized (it stops then).
    private let renewing = Mutex<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    private let told = Mutex<Set<String>>([])
    /// Keys another holder's lease was seen on, until when: not asked again before then.
    private let elsewhere = Mutex<[String: Date]>([:])

    /// - Parameters:
    ///   - holder: who holds (unique per process: host, pid and a random part).
    ///   - now: the time leases are taken and compared at (injectable).
    init(store: any LeaseStore, holder: String, duration: TimeInterval, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store; self.holder = holder; self.duration = duration; self.now = now
    }

    deinit { stopped.store(true, ordering: .relaxed) }

    static func holderName() -> String {
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count)
        let name = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "\(name):\(getpid()):\(UUID().uuidString.prefix(8).lowercased())"
    }

    func tryAcquire(_ key: String) -> Bool {
        if let lease = held.withLock({ $0[key] }), lease.expiresAt.timeIntervalSince(now()) > duration / 2 { return true }
        if let until = elsewhere.withLock({ $0[key] }), until > now() { return false }
        do {
            guard let lease = try store.acquireLease(key, holder: holder, at: now(), for: duration) else {
                held.withLock { _ = $0.removeValue(forKey: key) }
                if let other = try? store.lease(key) { elsewhere.withLock { $0[key] = other.expiresAt } }
                if told.withLock({ $0.insert(key).inserted }) {
                    FileHandle.standardError.write(Data("another vmib server holds the lease on \(key); waiting for it…\n".utf8))
                }
                return false
            }
            held.withLock { $0[key] = lease }
            fences.withLock { $0[key] = lease.fence }
            elsewhere.withLock { _ = $0.removeValue(forKey: key) }
            startRenewing()
            return true
        } catch {
            return false
        }
    }

    func release(_ key: String) {
        let lease = held.withLock { $0.removeValue(forKey: key) }
        fences.withLock { _ = $0.removeValue(forKey: key) }
        if let lease { try? store.releaseLease(lease) }
    }

    /// The last lease's token; a key never held here gets token 0, which no lease has: no
    /// lease, no write.
    func fence(_ key: String) -> Fence? {
        fences.withLock { $0[key] } ?? Fence(key: key, token: 0)
    }

    /// Whether this process holds the lease on `key` now.
    func holds(_ key: String) -> Bool {
        held.withLock { $0[key] }.map { $0.expiresAt > now() } ?? false
    }

    /// Whether another holder's lease on `key` runs now (a read; nothing is taken).
    func heldElsewhere(_ key: String) throws -> Bool {
        guard let lease = try store.lease(key) else { return false }
        return lease.holder != holder && lease.expiresAt > now()
    }

    var leaseDuration: TimeInterval { duration }

    /// Renews every held lease; a lease another server took over is dropped (its fence stays).
    func renewAll() {
        for lease in held.withLock({ Array($0.values) }) {
            do {
                let renewed = try store.renewLease(lease, at: now(), for: duration)
                held.withLock { held in
                    guard held[lease.key]?.token == lease.token else { return }
                    held[lease.key] = renewed
                }
            } catch {
                // The store unreachable: tried again next time; the lease runs out if it stays so.
            }
        }
    }

    /// Renews on a thread of its own, not on a task: a server's concurrency pool (as many
    /// threads as cores) can be busy with blocking store calls for longer than a lease, and a
    /// renewal that waited for it let another server take the version over (seen in a test
    /// under load, with 2 s leases).
    private func startRenewing() {
        let start = renewing.withLock { running in
            defer { running = true }
            return !running
        }
        guard start else { return }
        let interval = duration / 3
        let thread = Thread { [weak self] in
            while true {
                Thread.sleep(forTimeInterval: interval)
                guard let self, !self.stopped.load(ordering: .relaxed) else { return }
                self.renewAll()
            }
        }
        thread.name = "vmib-lease-renewal"
        thread.start()
    }
}
