import Foundation
import VMIBCore
import VMIBStore
import VMIBTransfer

extension ReplicationController {
    /// What `verify` found and where the version ended.
    public struct VerifyReport: Sendable {
        /// One per Completed replica checked, by region and index.
        public var findings: [ScrubFinding]
        /// The version once the replicas found damaged were re-made (or failed).
        public var outcome: Outcome
    }

    /// Checks every Completed replica of the version now (a HEAD each; with `deep`, also a
    /// full re-hash), puts the missing or corrupt ones back to Pending, and runs passes
    /// until they are re-made (a copy from a verified replica in the region, else an upload)
    /// or failed, like `reconcile`.
    /// - Throws: `ReplicationError(.versionNotFound)`.
    public func verify(_ ref: VersionRef, deep: Bool, observer: (any ReplicationObserver)? = nil) async throws -> VerifyReport {
        let key = try canonical(ref)
        live.withLock { l in
            l.scrubRequests[key] = deep
            l.findings[key] = []
        }
        let outcome = try await reconcile(key, observer: observer)
        let findings = live.withLock { $0.findings.removeValue(forKey: key) ?? [] }
            .sorted { ($0.region, $0.index) < ($1.region, $1.index) }
        return VerifyReport(findings: findings, outcome: outcome)
    }

    /// Asks the daemon started by `run` to check the version's Completed replicas at its
    /// next settled pass, and queues it.
    public func requestVerification(_ ref: VersionRef, deep: Bool) async throws {
        let key = try canonical(ref)
        live.withLock { $0.scrubRequests[key] = deep }
        await enqueue(key)
    }

    /// Regions' cutoffs for `StateStore.versionsWithReplicasDue`: a replica verified before
    /// its region's cutoff is due for a check. Regions that scrub on no schedule are left out.
    public func scrubCutoffs() -> [String: Date] {
        let at = date()
        var cutoffs: [String: Date] = [:]
        for endpoint in regions.values {
            guard let period = endpoint.scrub.shortestPeriod else { continue }
            cutoffs[endpoint.name] = at.addingTimeInterval(-Double(period))
        }
        return cutoffs
    }

    /// The checks to start now: every Completed replica when a user asked (that request is
    /// taken), else, with `scheduled`, those whose region's cheap or deep period has passed
    /// since they were last verified.
    func dueChecks(_ version: ImageVersion, scheduled: Bool) throws -> [ReplicaScrub] {
        let key = version.ref
        let requested = live.withLock { $0.scrubRequests.removeValue(forKey: key) }
        guard requested != nil || scheduled else { return [] }
        // A Shallow version's replica is a reference to the origin copy: no object to check.
        guard version.publishingProfile.replicationMode == .Full else { return [] }
        let at = date()
        var checks: [ReplicaScrub] = []
        for replica in try store.replicas(of: key) where replica.state == .Completed {
            guard let endpoint = regions[replica.region], let blobs = endpoint.stores[replica.storageAccountType] else { continue }
            let id = ReplicaID(version: key, region: replica.region, index: replica.index)
            let deep: Bool
            if let requested {
                deep = requested
            } else {
                // A check that could not be made waits before the next try.
                if let held = live.withLock({ $0.checkAfter[id] }), held > now() { continue }
                let due = Self.due(replica, schedule: endpoint.scrub, at: at)
                guard due.cheap || due.deep else { continue }
                deep = due.deep
            }
            checks.append(ReplicaScrub(controller: self, version: version, replica: replica, endpoint: endpoint,
                                       blobs: blobs, deep: deep, fence: fence(version.ref)))
        }
        return checks
    }

    /// Whether a replica's cheap and deep checks are due at `at` under `schedule`.
    static func due(_ replica: Replica, schedule: ScrubSchedule, at: Date) -> (cheap: Bool, deep: Bool) {
        func passed(_ since: Date?, _ seconds: Int) -> Bool {
            guard seconds > 0 else { return false }
            guard let since else { return true }
            return at.timeIntervalSince(since) >= Double(seconds)
        }
        return (passed(replica.lastVerifiedAt, schedule.intervalSeconds),
                passed(replica.lastDeepVerifiedAt ?? replica.lastVerifiedAt, schedule.deepIntervalSeconds))
    }

    /// How long until the version's next scheduled check falls due; nil when none will (a
    /// Shallow version's never does).
    func nextCheck(of version: ImageVersion) throws -> Duration? {
        guard version.publishingProfile.replicationMode == .Full else { return nil }
        let key = version.ref
        let at = date()
        var soonest: Double?
        for replica in try store.replicas(of: key) where replica.state == .Completed {
            guard let endpoint = regions[replica.region], endpoint.stores[replica.storageAccountType] != nil else { continue }
            let schedule = endpoint.scrub
            let held = live.withLock { $0.checkAfter[ReplicaID(version: key, region: replica.region, index: replica.index)] }
            if let held, held > now() {
                let left = Double((held - now()).components.seconds) + 1
                soonest = min(soonest ?? left, left)
                continue
            }
            for (since, seconds) in [(replica.lastVerifiedAt, schedule.intervalSeconds),
                                     (replica.lastDeepVerifiedAt ?? replica.lastVerifiedAt, schedule.deepIntervalSeconds)]
            where seconds > 0 {
                let left = since.map { max(0, $0.timeIntervalSince(at) + Double(seconds)) } ?? 0
                soonest = min(soonest ?? left, left)
            }
        }
        return soonest.map { .milliseconds(Int64(($0 * 1000).rounded(.up))) }
    }
}
