import Foundation
import VMIBCore
import VMIBStore
import VMIBTransfer

extension ReplicationController {
    /// One level-triggered pass over one version: read desired state and replicas, take the
    /// planner's record/delete/retype steps, start the transfers it asks for, and say what
    /// the driver should do next. Never waits for a transfer.
    ///
    /// Once nothing else runs, it starts the checks of Completed replicas that are due
    /// (asked for by a user, or, with `scheduled`, by the regions' scrub schedules) as tasks
    /// like transfers; a daemon's pass over a settled version asks to be run again when the
    /// next check falls due.
    func pass(_ key: VersionRef, driver: ReconcileDriver<VersionRef>, scheduled: Bool) async throws -> ReconcileResult {
        // One pass per key in this process, whichever driver runs it (a daemon's, or a
        // command's waiting for one version).
        guard live.withLock({ $0.passing.insert(key).inserted }) else { return .requeueAfter(.milliseconds(100)) }
        defer { live.withLock { _ = $0.passing.remove(key) } }
        do {
            return try await passHoldingKey(key, driver: driver, scheduled: scheduled)
        } catch {
            // A pass that failed with nothing of the key running holds nothing: another
            // process may take the version meanwhile.
            if !live.withLock({ l in l.running.keys.contains { $0.version == key } }) { locks.release(key.id.lowercased()) }
            throw error
        }
    }

    private func passHoldingKey(_ key: VersionRef, driver: ReconcileDriver<VersionRef>, scheduled: Bool) async throws -> ReconcileResult {
        // The hold first: a version another process works on is not read at all (several
        // servers pass over every version with work, every second).
        guard locks.tryAcquire(key.id.lowercased()) else {
            // Another process holds the version. What this one still runs of it was started
            // under a hold it has lost (a lease that ran out while it was paused): stopped at
            // its next checkpoint; its writes meanwhile carry a stale token and are refused.
            let stale = live.withLock { l in l.running.filter { $0.key.version == key }.map(\.value) }
            stale.forEach { $0.cancel() }
            return .requeueAfter(.seconds(1))
        }
        guard let version = try store.version(key) else {
            // Deleted (found missing): nothing left to do, and nothing to hold.
            locks.release(key.id.lowercased())
            return .done
        }
        if version.provisioningState == .Deleting {
            // A delete stops the version's transfers at their next checkpoint, then purges.
            let running = live.withLock { l in l.running.filter { $0.key.version == key }.map(\.value) }
            if !running.isEmpty {
                running.forEach { $0.cancel() }
                return .waiting
            }
            try await purge(key)
            forget(key)
            return .done
        }
        let endedBefore = live.withLock { $0.ended }
        try await fetchOrigin(version.storageProfile)
        let origin = originPath(version.storageProfile)
        guard FileManager.default.isReadableFile(atPath: origin) else {
            throw ReplicationError(.originMissing, "the origin copy of \(key) is missing at \(origin)")
        }
        let scrubbing = live.withLock { l in Set(l.scrubbing.filter { $0.version == key }.map(\.region)) }
        // A region under check is planned once its checks have ended: a replica about to be
        // found damaged must not seed a copy.
        let planned = now()
        for (target, endpoint, blobs) in try work(for: version) where !scrubbing.contains(target.name) {
            try await step(version, target: target, endpoint: endpoint, blobs: blobs, origin: origin, driver: driver)
        }
        let t = now()
        let (running, nextRetry) = live.withLock { l in
            // A wait that was over before the steps planned is stale (the replica was
            // removed, or finished by another process): dropped, so it cannot spin the key.
            // One that ran out while they planned was seen in flight and not restarted: it
            // is kept, and the key requeued at once to restart it.
            l.retryAt = l.retryAt.filter { $0.key.version != key || $0.value > planned }
            return (l.running.keys.contains { $0.version == key },
                    l.retryAt.filter { $0.key.version == key }.map { $0.value - t }.min())
        }
        if let nextRetry { return .requeueAfter(max(.zero, nextRetry)) }
        if running { return .waiting }

        let status = try status(of: version)
        if status.aggregatedState == .InProgress, live.withLock({ $0.ended }) != endedBefore {
            // A transfer ended between this pass's reads: plan again from the store.
            return .requeueAfter(.zero)
        }
        let checks = try dueChecks(version, scheduled: scheduled)
        if !checks.isEmpty {
            for check in checks { start(check, driver: driver) }
            return .waiting
        }
        let state: ProvisioningState = switch status.aggregatedState {
        case .Completed, .Unknown: .Succeeded
        case .Failed: .Failed
        case .InProgress: version.provisioningState
        }
        // Compare-and-set: a user's change since this pass read the version wins, and the
        // version is looked at again.
        guard try store.setProvisioningState(state, of: key, ifGeneration: version.generation, fence: fence(key)) else {
            return .requeueAfter(.zero)
        }
        forget(key)
        if scheduled, let next = try nextCheck(of: version) { return .requeueAfter(next) }
        return .done
    }

    /// Each region to pass over: the target regions, and regions no longer targeted that
    /// still hold replicas (with a count of 0, so that they are removed).
    private func work(for version: ImageVersion) throws -> [(TargetRegion, RegionEndpoint, any BlobStore)] {
        let replicas = try store.replicas(of: version.ref)
        let removed = Set(replicas.map(\.region)).subtracting(version.publishingProfile.targetRegions.map(\.name)).sorted()
        let passes = version.publishingProfile.targetRegions + removed.map { region in
            TargetRegion(name: region, regionalReplicaCount: 0,
                         storageAccountType: replicas.first { $0.region == region }!.storageAccountType)
        }
        return try passes.map { target in
            guard let endpoint = regions[target.name] else {
                throw ReplicationError(.regionNotServed, "region '\(target.name)' is not served by this deployment's topology")
            }
            guard let blobs = endpoint.stores[target.storageAccountType] else {
                throw ReplicationError(.regionNotServed, "region '\(target.name)' offers no \(target.storageAccountType.rawValue) storage")
            }
            return (target, endpoint, blobs)
        }
    }

    /// Plans one region and carries out what may be done now.
    private func step(_ version: ImageVersion, target: TargetRegion, endpoint: RegionEndpoint, blobs: any BlobStore,
                      origin: String, driver: ReconcileDriver<VersionRef>) async throws {
        let key = version.ref
        let regionID = ReplicaID(version: key, region: target.name, index: 0)
        if live.withLock({ $0.cleaned.insert(regionID).inserted }) {
            // Multipart uploads under the prefix that no record knows: leftovers of a crash
            // between starting an upload and recording its id.
            let known = Set(try store.replicas(of: key, region: target.name).compactMap(\.uploadID))
            _ = try? await blobs.abortUploads(prefix: key.storagePrefix, keeping: known)
        }
        while true {
            // What runs first, then the store: a transfer that ends between the two reads is
            // then seen Completed, never Replicating and not running (which would start it
            // again).
            let inFlight = live.withLock { $0.inFlight(key, region: target.name, now: now()) }
            let mine = try store.replicas(of: key, region: target.name)
            let actions = ReplicationPlanner.next(for: target, replicas: mine, inFlight: inFlight)
            var replan = false
            for action in actions {
                switch action {
                case .record(let index):
                    try store.saveReplica(Replica(region: target.name, index: index,
                                                  storageAccountType: target.storageAccountType, updatedAt: Date()), of: key, fence: fence(key))
                    replan = true
                case .delete(let index):
                    try await endpoint.requests.admit()
                    try await holder(of: mine.first { $0.index == index }, in: endpoint, else: blobs).delete(key.replicaKey(index: index))
                    try store.deleteReplica(region: target.name, index: index, of: key, fence: fence(key))
                    live.withLock { _ = $0.retryAt.removeValue(forKey: ReplicaID(version: key, region: target.name, index: index)) }
                    replan = true
                case .retype(let index):
                    let old = mine.first { $0.index == index }
                    try await endpoint.requests.admit()
                    try await holder(of: old, in: endpoint, else: blobs).delete(key.replicaKey(index: index))
                    try store.saveReplica(Replica(region: target.name, index: index,
                                                  storageAccountType: target.storageAccountType,
                                                  retries: old?.retries ?? 0, updatedAt: Date()), of: key, fence: fence(key))
                    replan = true
                case .upload(let index):
                    start(ReplicaTransfer(controller: self, version: version, target: target, endpoint: endpoint,
                                          blobs: blobs, origin: origin, index: index, seed: nil, fence: fence(key)),
                          existing: mine.first { $0.index == index }, driver: driver)
                case .copy(let index, let seed):
                    start(ReplicaTransfer(controller: self, version: version, target: target, endpoint: endpoint,
                                          blobs: blobs, origin: origin, index: index, seed: seed, fence: fence(key)),
                          existing: mine.first { $0.index == index }, driver: driver)
                }
            }
            // Records first: transfers are planned from persisted records only.
            if !replan { return }
        }
    }

    /// The store a replica's object is in (its own storage account type's).
    private func holder(of replica: Replica?, in endpoint: RegionEndpoint, else blobs: any BlobStore) -> any BlobStore {
        replica.flatMap { endpoint.stores[$0.storageAccountType] } ?? blobs
    }

    /// Starts one transfer as a task of its own (so a delete can cancel it), registered
    /// before this returns and run under the driver, whose cancellation reaches it. Its end
    /// queues the version again.
    private func start(_ transfer: ReplicaTransfer, existing: Replica?, driver: ReconcileDriver<VersionRef>) {
        let id = transfer.id
        // The wait is over before the attempt starts: a fast failure records the next one.
        live.withLock { _ = $0.retryAt.removeValue(forKey: id) }
        let task = Task { await transfer.attempt(existing) }
        live.withLock { $0.running[id] = task }
        driver.spawn { [self] in
            await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
            live.withLock { l in
                l.running.removeValue(forKey: id)
                l.ended += 1
            }
            await driver.enqueue(id.version)
        }
    }

    /// Starts one replica check as a task, like a transfer (`running`, so a delete cancels
    /// it), and marks its replica as under check. Its end queues the version again.
    private func start(_ check: ReplicaScrub, driver: ReconcileDriver<VersionRef>) {
        let id = check.id
        let task = Task { await check.run() }
        live.withLock { l in
            l.running[id] = task
            l.scrubbing.insert(id)
        }
        driver.spawn { [self] in
            await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
            live.withLock { l in
                l.running.removeValue(forKey: id)
                l.scrubbing.remove(id)
                l.ended += 1
            }
            await driver.enqueue(id.version)
        }
    }

    /// Drops what memory holds of a settled version, and its lock.
    private func forget(_ key: VersionRef) {
        live.withLock { l in
            l.retryAt = l.retryAt.filter { $0.key.version != key }
            l.cleaned = l.cleaned.filter { $0.version != key }
        }
        locks.release(key.id.lowercased())
    }

    /// Deletes every object of the version in every served region and storage type (a
    /// listing under its prefix, so nothing is left behind even from an interrupted attempt),
    /// aborts its unfinished uploads, then removes the record. Safe to run again after a
    /// crash. Each request is paced by its region's one budget.
    public func purge(_ ref: VersionRef) async throws {
        let ref = try canonical(ref)
        for endpoint in regions.values.sorted(by: { $0.name < $1.name }) {
            for blobs in endpoint.stores.values {
                try await endpoint.requests.admit()
                _ = try await blobs.abortUploads(prefix: ref.storagePrefix, keeping: [])
                try await endpoint.requests.admit()
                for key in try await blobs.list(prefix: ref.storagePrefix) {
                    try await endpoint.requests.admit()
                    try await blobs.delete(key)
                }
            }
            for r in try store.replicas(of: ref, region: endpoint.name) {
                try store.deleteReplica(region: r.region, index: r.index, of: ref, fence: fence(ref))
            }
        }
        try store.deleteVersionRecord(ref, fence: fence(ref), releaseOrigin: releaseOrigin)
    }
}
