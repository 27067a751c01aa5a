import Foundation
import Testing
import VMIBCore
import VMIBStore
import VMIBTransfer
@testable import VMIBReplication

@Suite struct ReplicationControllerTests {
    let dir = NSTemporaryDirectory() + "vmib-ctl-\(UUID().uuidString)"
    let store: SQLStateStore
    let origin: String
    let digest = ObjectDigest(size: 1000, sha256: String(repeating: "a", count: 64), md5: String(repeating: "b", count: 32))
    let ref = GalleryRef(subscription: "s", resourceGroup: "rg", gallery: "g").image("i").version(VersionNumber(1, 0, 0))

    init() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        store = try SQLStateStore(path: dir + "/state.db")
        origin = dir + "/origin"
        FileManager.default.createFile(atPath: origin, contents: Data(count: 1000))
        try store.createGallery(Gallery(ref: ref.image.gallery, createdAt: Date()))
        try store.createImage(ImageDefinition(ref: ref.image, osType: .Linux, osState: .Generalized, hyperVGeneration: .V2,
                                              identifier: .init(publisher: "p", offer: "o", sku: "s"), createdAt: Date()))
    }

    func publish(_ regions: [(String, Int)]) throws { _ = try publish(ref.version, regions) }

    /// Records version `number` of the image on the origin disk, Creating.
    func publish(_ number: VersionNumber, _ regions: [(String, Int)]) throws -> VersionRef {
        let ref = self.ref.image.version(number)
        try store.createVersion(ImageVersion(
            ref: ref,
            publishingProfile: PublishingProfile(
                targetRegions: regions.map { TargetRegion(name: $0.0, regionalReplicaCount: $0.1, storageAccountType: .Standard_LRS) },
                replicaCount: 1, excludeFromLatest: false, endOfLifeDate: nil, publishedDate: Date()),
            storageProfile: StorageProfile(sourcePath: origin, sizeBytes: digest.size, sha256: digest.sha256, md5: digest.md5),
            provisioningState: .Creating))
        return ref
    }

    func controller(_ stores: [String: ScriptedBlobStore], clock: VirtualClock,
                    retry: RetryPolicy = RetryPolicy(maxAttempts: 4, baseDelay: .seconds(1), maxDelay: .seconds(8))) -> ReplicationController {
        let endpoints = stores.map { name, blobs in
            RegionEndpoint(name: name, stores: [.Standard_LRS: blobs],
                           limits: RegionLimits(concurrentTransfers: 2, bytesPerSecond: 0, requestsPerSecond: 0),
                           clock: clock, now: { clock.elapsed })
        }
        return ReplicationController(store: store, regions: endpoints, clock: clock, retry: retry, random: { 0.5 },
                                     originPath: { [origin] _ in origin })
    }

    @Test func uploadsOncePerRegionAndCopiesTheRestServerSide() async throws {
        try publish([("eastus", 3), ("westus", 2)])
        let east = ScriptedBlobStore(), west = ScriptedBlobStore()
        let outcome = try await controller(["eastus": east, "westus": west], clock: VirtualClock()).reconcile(ref)
        #expect(outcome.state == .Succeeded)
        #expect(outcome.status.aggregatedState == .Completed)
        #expect(east.counts.uploads == 1 && east.counts.copies == 2)
        #expect(west.counts.uploads == 1 && west.counts.copies == 1, "\(west.counts) \(east.counts) \((try? store.replicas(of: ref)) ?? [])")
        #expect(east.keys == (1...3).map { ref.replicaKey(index: $0) })
        let replicas = try store.replicas(of: ref)
        #expect(replicas.allSatisfy { $0.state == .Completed && $0.verifiedDigest == digest.sha256 })
        #expect(try store.version(ref)?.provisioningState == .Succeeded)
    }

    @Test func retriesThrottledTransferAfterRetryAfter() async throws {
        try publish([("eastus", 1)])
        let east = ScriptedBlobStore()
        east.failNext([TransferError(code: .throttled, status: 503, retryAfter: 5, target: "k", message: "SlowDown"),
                       TransferError(code: .throttled, status: 429, retryAfter: 5, target: "k", message: "TooManyRequests")])
        let clock = VirtualClock()
        let outcome = try await controller(["eastus": east], clock: clock).reconcile(ref)
        #expect(outcome.state == .Succeeded)
        #expect(clock.sleeps.filter { $0 >= .seconds(5) }.count == 2, "\(clock.sleeps)")
        #expect(clock.elapsed >= .seconds(10))
        let r = try #require(try store.replicas(of: ref).first)
        #expect(r.retries == 2 && r.attempts == 3)
        #expect(outcome.status.summary[0].details.contains("2 retries"))
    }

    /// A server asking for `Retry-After: 1e300` gets the policy's longest wait, not a trap.
    @Test func aHugeRetryAfterIsClampedNotATrap() async throws {
        try publish([("eastus", 1)])
        let east = ScriptedBlobStore()
        east.failNext([TransferError(code: .throttled, status: 503, retryAfter: 1e300, target: "k", message: "SlowDown")])
        let clock = VirtualClock()
        let outcome = try await controller(["eastus": east], clock: clock).reconcile(ref)
        #expect(outcome.state == .Succeeded)
        #expect(clock.sleeps.filter { $0 > .zero } == [RetryPolicy.default.maxRetryAfter])
    }

    @Test func backsOffExponentiallyThenFailsTheRegionWhileOthersComplete() async throws {
        try publish([("eastus", 2), ("westus", 1)])
        let east = ScriptedBlobStore(), west = ScriptedBlobStore()
        west.failNext(Array(repeating: TransferError(code: .retryable, status: 500, target: "k", message: "InternalError"), count: 10))
        let clock = VirtualClock()
        let outcome = try await controller(["eastus": east, "westus": west], clock: clock).reconcile(ref)
        #expect(outcome.state == .Failed)
        #expect(outcome.status.summary.map(\.state) == [.Completed, .Failed])
        #expect(outcome.status.summary[1].details.contains("InternalError"))
        // Full jitter at 0.5: 0.5 s, 1 s, 2 s, then the fourth attempt is the last.
        #expect(clock.sleeps.filter { $0 > .zero } == [.milliseconds(500), .seconds(1), .seconds(2)])
        #expect(west.counts.uploads == 4)
        #expect(try store.version(ref)?.provisioningState == .Failed)
    }

    /// A copy that proves itself (the server's ETag of the copy is the origin's MD5) is
    /// Completed without a verifying HEAD; one that does not is verified.
    @Test func aSelfProvingCopyNeedsNoVerify() async throws {
        try publish([("eastus", 3), ("westus", 3)])
        let east = ScriptedBlobStore(copiesProveThemselves: true), west = ScriptedBlobStore()
        #expect(try await controller(["eastus": east, "westus": west], clock: VirtualClock()).reconcile(ref).state == .Succeeded)
        #expect(east.counts == .init(uploads: 1, copies: 2, verifies: 1, deletes: 0))
        #expect(west.counts == .init(uploads: 1, copies: 2, verifies: 3, deletes: 0))
        #expect(try store.replicas(of: ref).allSatisfy { $0.state == .Completed && $0.verifiedDigest == digest.sha256 })
    }

    @Test func reconcileAfterRecoveryRedoesOnlyTheFailedRegion() async throws {
        try publish([("eastus", 2), ("westus", 1)])
        let east = ScriptedBlobStore(), west = ScriptedBlobStore()
        west.failNext([TransferError(code: .fatal, status: 403, target: "k", message: "AccessDenied")])
        let ctl = controller(["eastus": east, "westus": west], clock: VirtualClock())
        #expect(try await ctl.reconcile(ref).state == .Failed)
        #expect(try ctl.requeueFailed(ref) == 1)
        let second = try await ctl.reconcile(ref)
        #expect(second.state == .Succeeded)
        #expect(east.counts == .init(uploads: 1, copies: 1, verifies: 2, deletes: 0))
        #expect(west.counts.uploads == 2)
    }

    @Test func aPassWithNothingToDoTransfersNothing() async throws {
        try publish([("eastus", 2)])
        let east = ScriptedBlobStore()
        let ctl = controller(["eastus": east], clock: VirtualClock())
        _ = try await ctl.reconcile(ref)
        let before = east.counts
        #expect(try await ctl.reconcile(ref).state == .Succeeded)
        #expect(east.counts == before)
    }

    @Test func anUploadThatLandedBeforeACrashIsVerifiedNotSentAgain() async throws {
        try publish([("eastus", 1)])
        let east = ScriptedBlobStore()
        _ = try await east.upload(file: origin, to: ref.replicaKey(index: 1), digest: digest, resume: nil, pacer: nil,
                                  onCheckpoint: { _ in }, progress: { _ in })
        var r = try #require(try store.replicas(of: ref).first)
        r.state = .Replicating
        try store.saveReplica(r, of: ref)
        #expect(try await controller(["eastus": east], clock: VirtualClock()).reconcile(ref).state == .Succeeded)
        #expect(east.counts.uploads == 1)
    }
}

@Suite struct ReplicationControllerUpdateTests {
    /// Rescaling and moving a version in place: only new replicas are made, surplus and
    /// removed ones are deleted, nothing verified is sent again.
    @Test func rescalesAddsAndRemovesRegionsWithoutRecopying() async throws {
        let base = try ReplicationControllerTests()
        try base.publish([("eastus", 2), ("westus", 2)])
        let east = ScriptedBlobStore(), west = ScriptedBlobStore(), europe = ScriptedBlobStore()
        let ctl = base.controller(["eastus": east, "westus": west, "westeurope": europe], clock: VirtualClock())
        _ = try await ctl.reconcile(base.ref)
        var v = try #require(try base.store.version(base.ref))
        v.publishingProfile.targetRegions = [
            TargetRegion(name: "eastus", regionalReplicaCount: 4, storageAccountType: .Standard_LRS),
            TargetRegion(name: "westeurope", regionalReplicaCount: 1, storageAccountType: .Standard_LRS)]
        v.provisioningState = .Updating
        try base.store.updateVersion(v)
        let outcome = try await ctl.reconcile(base.ref)
        #expect(outcome.state == .Succeeded)
        #expect(east.counts.uploads == 1 && east.counts.copies == 3)
        #expect(east.keys.count == 4)
        #expect(west.keys.isEmpty && west.counts.deletes == 2)
        #expect(europe.counts.uploads == 1 && europe.keys.count == 1)
        #expect(outcome.status.summary.map(\.region) == ["eastus", "westeurope"])
        #expect(try base.store.replicas(of: base.ref).filter { $0.region == "westus" }.isEmpty)
    }
}

/// Concurrency: a user's change made while a pass runs is never overwritten, and a region's
/// limits are one budget for every version.
@Suite struct ReplicationControllerConcurrencyTests {
    /// A region added while the first region's upload runs: the pass that read the old
    /// generation cannot record Succeeded; the version is looked at again and the new region
    /// replicated before the outcome is written.
    @Test func aRegionAddedDuringAPassIsReplicatedBeforeTheOutcome() async throws {
        let base = try ReplicationControllerTests()
        try base.publish([("eastus", 1)])
        let store = base.store, ref = base.ref
        let east = ScriptedBlobStore(duringUpload: { _ in
            guard var v = try? store.version(ref), v.target("westus") == nil else { return }
            v.publishingProfile.targetRegions.append(TargetRegion(name: "westus", regionalReplicaCount: 2, storageAccountType: .Standard_LRS))
            _ = try? store.updateVersion(v, ifGeneration: v.generation, provisioningState: .Updating)
        })
        let west = ScriptedBlobStore()
        let outcome = try await base.controller(["eastus": east, "westus": west], clock: VirtualClock()).reconcile(ref)
        #expect(outcome.state == .Succeeded)
        #expect(west.counts.uploads == 1 && west.counts.copies == 1, "\(west.counts) \(east.counts) \((try? store.replicas(of: ref)) ?? [])")
        #expect(outcome.status.summary.map(\.region) == ["eastus", "westus"])
        #expect(outcome.status.summary.allSatisfy { $0.state == .Completed })
        #expect(try store.version(ref)?.provisioningState == .Succeeded)
    }

    /// A delete while an upload runs: the upload is cancelled, the objects are removed and
    /// the record is gone; the pass never writes Succeeded over Deleting.
    @Test func aDeleteDuringAPassStopsItsTransfersAndPurges() async throws {
        let base = try ReplicationControllerTests()
        try base.publish([("eastus", 2)])
        let store = base.store, ref = base.ref
        let east = ScriptedBlobStore(duringUpload: { _ in
            guard var v = try? store.version(ref), v.provisioningState != .Deleting else { return }
            v.provisioningState = .Deleting
            _ = try? store.updateVersion(v, ifGeneration: v.generation, provisioningState: .Deleting)
            // Held open until cancelled: only the delete's cancellation ends it.
            while !Task.isCancelled { await Task.yield() }
        })
        let clock = VirtualClock()
        let endpoint = RegionEndpoint(name: "eastus", stores: [.Standard_LRS: east],
                                      limits: RegionLimits(concurrentTransfers: 2, bytesPerSecond: 0, requestsPerSecond: 0),
                                      clock: clock, now: { clock.elapsed })
        // A resync period: the delete is made by "another process" while the upload runs.
        let ctl = ReplicationController(store: store, regions: [endpoint], clock: clock, originPath: { [origin = base.origin] _ in origin },
                                        resync: .seconds(1))
        try await ctl.settle(ref)
        #expect(try store.version(ref) == nil)
        #expect(east.keys.isEmpty)
        #expect(try store.replicas(of: ref).isEmpty)
    }

    /// The store refuses a write based on an older generation, and an outcome recorded
    /// against one.
    @Test func staleWritesAreRefused() throws {
        let base = try ReplicationControllerTests()
        try base.publish([("eastus", 1)])
        let v1 = try #require(try base.store.version(base.ref))
        let v2 = try base.store.updateVersion(v1, ifGeneration: v1.generation, provisioningState: nil)
        #expect(v2.generation == v1.generation + 1)
        #expect(v2.provisioningState == .Creating)
        #expect(throws: StoreError.self) { try base.store.updateVersion(v1, ifGeneration: v1.generation, provisioningState: nil) }
        #expect(try base.store.setProvisioningState(.Succeeded, of: base.ref, ifGeneration: v1.generation) == false)
        #expect(try base.store.version(base.ref)?.provisioningState == .Creating)
        #expect(try base.store.setProvisioningState(.Succeeded, of: base.ref, ifGeneration: v2.generation))
        #expect(try base.store.version(base.ref)?.provisioningState == .Succeeded)
        #expect(try base.store.version(base.ref)?.generation == v2.generation)
    }

    /// Two versions through one daemon controller into a region allowed one transfer at a
    /// time: their uploads never overlap, and both complete.
    @Test func twoVersionsShareTheRegionsConcurrencyBudget() async throws {
        let base = try ReplicationControllerTests()
        try base.publish([("eastus", 1)])
        let second = try base.publish(VersionNumber(1, 1, 0), [("eastus", 1)])
        let east = ScriptedBlobStore(duringUpload: { _ in try? await Task.sleep(for: .milliseconds(50)) })
        let clock = VirtualClock()
        let endpoint = RegionEndpoint(name: "eastus", stores: [.Standard_LRS: east],
                                      limits: RegionLimits(concurrentTransfers: 1, bytesPerSecond: 0, requestsPerSecond: 0),
                                      clock: clock, now: { clock.elapsed })
        let ctl = ReplicationController(store: base.store, regions: [endpoint], clock: clock, originPath: { [origin = base.origin] _ in origin })
        let daemon = Task { try await ctl.run(workers: 4) { _, _ in } }
        defer { daemon.cancel() }
        var settled = false
        for _ in 0..<2000 {
            await ctl.enqueue(base.ref)
            await ctl.enqueue(second)
            if try base.store.versionsWithPendingWork().isEmpty { settled = true; break }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(settled)
        #expect(east.counts.uploads == 2)
        #expect(east.maxConcurrentUploads == 1)
        #expect(try base.store.version(base.ref)?.provisioningState == .Succeeded)
        #expect(try base.store.version(second)?.provisioningState == .Succeeded)
    }

    /// Requests per second are one budget too: two versions × 3 replicas through one region
    /// at 2 requests/s take as long as their sum of requests needs (with a budget per
    /// version they would take half as long).
    @Test func twoVersionsShareTheRegionsRequestBudget() async throws {
        let base = try ReplicationControllerTests()
        try base.publish([("eastus", 3)])
        let second = try base.publish(VersionNumber(1, 1, 0), [("eastus", 3)])
        let east = ScriptedBlobStore()
        let clock = VirtualClock()
        let endpoint = RegionEndpoint(name: "eastus", stores: [.Standard_LRS: east],
                                      limits: RegionLimits(concurrentTransfers: 4, bytesPerSecond: 0, requestsPerSecond: 2),
                                      clock: clock, now: { clock.elapsed })
        let ctl = ReplicationController(store: base.store, regions: [endpoint], clock: clock, originPath: { [origin = base.origin] _ in origin })
        async let one = ctl.reconcile(base.ref)
        async let two = ctl.reconcile(second)
        #expect(try await one.state == .Succeeded)
        #expect(try await two.state == .Succeeded)
        // 2 versions × 3 replicas × 2 requests (transfer, verify) = 12 admissions at 2/s
        // with a burst of 1: at least 5.5 s of virtual time.
        #expect(east.counts.uploads == 2 && east.counts.copies == 4)
        #expect(clock.elapsed >= .milliseconds(5500), "\(clock.elapsed)")
    }
}
