import Foundation
import Testing
import VMIBCore
import VMIBStore
import VMIBTransfer
@testable import VMIBReplication

@Suite struct ReplicationControllerTests {
    let dir = NSTemporaryDirectory() + "vmib-ctl-\(UUID().uuidString)"
    let store: SQLiteStateStore
    let origin: String
    let digest = ObjectDigest(size: 1000, sha256: String(repeating: "a", count: 64), md5: String(repeating: "b", count: 32))
    let ref = GalleryRef(subscription: "s", resourceGroup: "rg", gallery: "g").image("i").version(VersionNumber(1, 0, 0))

    init() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        store = try SQLiteStateStore(path: dir + "/state.db")
        origin = dir + "/origin"
        FileManager.default.createFile(atPath: origin, contents: Data(count: 1000))
        try store.createGallery(Gallery(ref: ref.image.gallery, createdAt: Date()))
        try store.createImage(ImageDefinition(ref: ref.image, osType: .Linux, osState: .Generalized, hyperVGeneration: .V2,
                                              identifier: .init(publisher: "p", offer: "o", sku: "s"), createdAt: Date()))
    }

    func publish(_ regions: [(String, Int)]) throws {
        try store.createVersion(ImageVersion(
            ref: ref,
            publishingProfile: PublishingProfile(
                targetRegions: regions.map { TargetRegion(name: $0.0, regionalReplicaCount: $0.1, storageAccountType: .Standard_LRS) },
                replicaCount: 1, excludeFromLatest: false, endOfLifeDate: nil, publishedDate: Date()),
            storageProfile: StorageProfile(sourcePath: origin, sizeBytes: digest.size, sha256: digest.sha256, md5: digest.md5),
            provisioningState: .Creating))
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
        #expect(west.counts.uploads == 1 && west.counts.copies == 1)
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
        #expect(clock.sleeps.filter { $0 >= .seconds(5) }.count == 2)
        #expect(clock.elapsed >= .seconds(10))
        let r = try #require(try store.replicas(of: ref).first)
        #expect(r.retries == 2 && r.attempts == 3)
        #expect(outcome.status.summary[0].details.contains("2 retries"))
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
