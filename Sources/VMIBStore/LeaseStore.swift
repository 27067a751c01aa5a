import Foundation

/// What a write of leased work carries: the key of the work and the token of the lease it
/// holds. The store refuses the write (`StoreError.fenced`) once the key's lease has a
/// newer token, that is once another server took the work over.
public struct Fence: Sendable, Hashable, CustomStringConvertible {
    public var key: String
    public var token: Int64
    public init(key: String, token: Int64) { self.key = key; self.token = token }
    public var description: String { "\(key) #\(token)" }
}

/// A claim on a piece of work (a version's replication, delete and scrub; a template run)
/// until `expiresAt`. A new holder gets the next token.
public struct Lease: Sendable, Hashable {
    public var key: String
    public var holder: String
    public var token: Int64
    public var expiresAt: Date
    public var fence: Fence { Fence(key: key, token: token) }
    public init(key: String, holder: String, token: Int64, expiresAt: Date) {
        self.key = key; self.holder = holder; self.token = token; self.expiresAt = expiresAt
    }
}

/// Leases in the database every server shares, so that several servers never work on one
/// key at once, and a server that died loses its work after the lease expires. Times are
/// the caller's (injectable); servers sharing a store need clocks in step (NTP) to within
/// a small part of a lease's duration.
public protocol LeaseStore: Sendable {
    /// Takes the lease on `key` for `holder` until `now + duration`: when nobody holds it,
    /// when its holder's lease expired (the token grows), or when `holder` holds it already
    /// (extended, same token). Nil while another holder's lease runs.
    func acquireLease(_ key: String, holder: String, at now: Date, for duration: TimeInterval) throws -> Lease?
    /// Extends a lease while it is still this holder's token; nil once another took it over.
    func renewLease(_ lease: Lease, at now: Date, for duration: TimeInterval) throws -> Lease?
    /// Gives the key up (the token stays: the next holder's is higher).
    func releaseLease(_ lease: Lease) throws
    /// Every lease recorded, by key.
    func leases() throws -> [Lease]
    /// The lease recorded on `key` (expired or not), nil when it was never taken.
    func lease(_ key: String) throws -> Lease?
    /// Throws `StoreError.fenced` when the key's lease has moved past `fence`.
    func checkFence(_ fence: Fence) throws
}

extension SQLStateStore: LeaseStore {
    public func acquireLease(_ key: String, holder: String, at now: Date, for duration: TimeInterval) throws -> Lease? {
        let until = now.addingTimeInterval(duration)
        // Held by another and running: answered by a read, without the write lock (servers
        // ask this of every version another one works on, all the time).
        if let current = try lease(key), current.holder != holder, current.expiresAt > now { return nil }
        return try write { db in
            guard let row = try db.row("SELECT holder, token, expires_at FROM leases WHERE key=?", [key]) else {
                try db.execute("INSERT INTO leases (key, holder, token, expires_at) VALUES (?, ?, 1, ?)", [key, holder, until.timeIntervalSince1970])
                return Lease(key: key, holder: holder, token: 1, expiresAt: until)
            }
            let current: String = row["holder"], token: Int64 = row["token"], expires: Double = row["expires_at"]
            let next = current == holder && expires > 0 ? token : token + 1
            guard current == holder || expires <= now.timeIntervalSince1970 else { return nil }
            try db.execute("UPDATE leases SET holder=?, token=?, expires_at=? WHERE key=?", [holder, next, until.timeIntervalSince1970, key])
            return Lease(key: key, holder: holder, token: next, expiresAt: until)
        }
    }

    public func renewLease(_ lease: Lease, at now: Date, for duration: TimeInterval) throws -> Lease? {
        let until = now.addingTimeInterval(duration)
        return try write { db in
            let renewed = try db.execute("UPDATE leases SET expires_at=? WHERE key=? AND holder=? AND token=? AND expires_at > 0",
                                         [until.timeIntervalSince1970, lease.key, lease.holder, lease.token])
            guard renewed == 1 else { return nil }
            var l = lease
            l.expiresAt = until
            return l
        }
    }

    public func releaseLease(_ lease: Lease) throws {
        try write { db in
            _ = try db.execute("UPDATE leases SET expires_at=0 WHERE key=? AND holder=? AND token=?", [lease.key, lease.holder, lease.token])
        }
    }

    public func leases() throws -> [Lease] {
        try read { db in
            try db.rows("SELECT key, holder, token, expires_at FROM leases ORDER BY key").map {
                Lease(key: $0[0], holder: $0[1], token: $0[2], expiresAt: Date(timeIntervalSince1970: $0[3]))
            }
        }
    }

    public func lease(_ key: String) throws -> Lease? {
        try read { db in
            try db.row("SELECT key, holder, token, expires_at FROM leases WHERE key=?", [key]).map {
                Lease(key: $0[0], holder: $0[1], token: $0[2], expiresAt: Date(timeIntervalSince1970: $0[3]))
            }
        }
    }

    public func checkFence(_ fence: Fence) throws {
        try read { db in try Self.refuseStale(db, fence) }
    }

    /// Within a write: throws `StoreError.fenced` unless `fence` is still the key's lease.
    static func refuseStale(_ db: any SQLSession, _ fence: Fence?) throws {
        guard let fence else { return }
        guard let row = try db.row("SELECT holder, token FROM leases WHERE key=?", [fence.key]),
              row["token"] as Int64 == fence.token else {
            let now = try db.row("SELECT holder, token FROM leases WHERE key=?", [fence.key])
            let by = now.map { " by \($0["holder"] as String) (token \($0["token"] as Int64))" } ?? ""
            throw StoreError(.fenced, "the lease on \(fence.key) was taken over\(by); a write carrying token \(fence.token) was refused")
        }
    }
}
