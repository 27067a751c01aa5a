import Foundation
import Testing
import VMIBCore
import VMIBStore
import VMIBTransfer
@testable import VMIBReplication

/// Scrub: Completed replicas re-verified on demand and on the regions' schedules; what is
/// missing or corrupt goes back to Pending and is re-made from a verified replica.
@Suite struct ScrubTests {
    let dir = NSTemporaryDirectory() + "vmib-scrub-\(UUID().uuidString)"
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
                    scrub: ScrubSchedule = .off) -> ReplicationController {
        let endpoints = stores.map { name, blobs in
            RegionEndpoint(name: name, stores: [.Standard_LRS: blobs],
                           limits: RegionLimits(concurrentTransfers: 2, bytesPerSecond: 0, requestsPerSecond: 0),
                           scrub: scrub, clock: clock, now: { clock.elapsed })
        }
        return ReplicationController(store: store, regions: endpoints, clock: clock,
                                     retry: RetryPolicy(maxAttempts: 3, baseDelay: .seconds(1), maxDelay: .seconds(4)),
                                     random: { 0.5 }, originPath: { [origin] _ in origin })
    }

    @Test func madeReplicasRecordTheirETagAndWhenTheyWereVerified() async throws {
        try publish([("eastus", 2)])
        let east = ScriptedBlobStore()
        #expect(try await controller(["eastus": east], clock: VirtualClock()).reconcile(ref).state == .Succeeded)
        let replicas = try store.replicas(of: ref)
        #expect(replicas.count == 2)
        // The upload's ETag as the store reported it; this store's copies report none.
        #expect(replicas[0].etag == digest.md5 && replicas[1].etag == nil)
        #expect(replicas.allSatisfy { $0.lastVerifiedAt != nil && $0.lastDeepVerifiedAt != nil })
        let status = ReplicationStatus(targets: try #require(try store.version(ref)).publishingProfile.targetRegions,
                                       replicas: replicas, sizeBytes: digest.size)
        #expect(status.summary[0].lastVerifiedAt == replicas.compactMap(\.lastVerifiedAt).min())
    }

    @Test func aHeadCheckFindsAMissingReplicaAndItIsCopiedBackFromAVerifiedOneInRegion() async throws {
        try publish([("eastus", 2)])
        let east = ScriptedBlobStore()
        let ctl = controller(["eastus": east], clock: VirtualClock())
        _ = try await ctl.reconcile(ref)
        east.lose(ref.replicaKey(index: 1))
        let before = east.counts

        let report = try await ctl.verify(ref, deep: false)
        #expect(report.findings.map(\.result) == [.requeued("missing in eastus"), .verified])
        #expect(report.outcome.state == .Succeeded)
        #expect(east.counts.uploads == before.uploads, "re-made by a copy, not an upload")
        #expect(east.counts.copies == before.copies + 1)
        #expect(east.keys.contains(ref.replicaKey(index: 1)))
        let r1 = try #require(try store.replica(of: ref, region: "eastus", index: 1))
        #expect(r1.state == .Completed && r1.lastVerifiedAt != nil)
    }

    @Test func onlyADeepCheckSeesBytesFlippedUnderAnUnchangedETagAndTheLastReplicaIsUploadedAgain() async throws {
        try publish([("eastus", 1)])
        let east = ScriptedBlobStore()
        let ctl = controller(["eastus": east], clock: VirtualClock())
        _ = try await ctl.reconcile(ref)
        east.damage(ref.replicaKey(index: 1), visibleToHead: false)

        let cheap = try await ctl.verify(ref, deep: false)
        #expect(cheap.findings.map(\.result) == [.verified])
        let deep = try await ctl.verify(ref, deep: true)
        guard case .requeued(let why) = try #require(deep.findings.first).result else {
            Issue.record("not requeued: \(deep.findings)"); return
        }
        #expect(why.hasPrefix("SHA-256 differs in eastus"))
        #expect(deep.outcome.state == .Succeeded)
        #expect(east.counts.uploads == 2, "no verified replica left in the region: uploaded from the origin")
        #expect(try await east.verify(ref.replicaKey(index: 1), expected: digest) == digest.sha256)
    }

    @Test func aChangedETagIsFoundByTheHeadCheck() async throws {
        try publish([("eastus", 1)])
        let east = ScriptedBlobStore()
        let ctl = controller(["eastus": east], clock: VirtualClock())
        _ = try await ctl.reconcile(ref)
        east.damage(ref.replicaKey(index: 1), visibleToHead: true)
        let report = try await ctl.verify(ref, deep: false)
        guard case .requeued(let why) = try #require(report.findings.first).result else {
            Issue.record("not requeued: \(report.findings)"); return
        }
        #expect(why.hasPrefix("size/ETag differs in eastus"))
        #expect(report.outcome.status.aggregatedState == .Completed)
    }

    /// The store call scrub uses: the replica stops counting for `latest` in its region at
    /// once, the version is Updating, and the user's generation is unchanged.
    @Test func aReplicaPutBackByScrubStopsCountingForLatestWithoutTouchingTheGeneration() async throws {
        try publish([("eastus", 1), ("westus", 1)])
        _ = try await controller(["eastus": ScriptedBlobStore(), "westus": ScriptedBlobStore()], clock: VirtualClock()).reconcile(ref)
        let generation = try #require(try store.version(ref)).generation
        #expect(try store.completedReplicaCounts(of: ref) == ["eastus": 1, "westus": 1])

        #expect(try store.requeueDamagedReplica(region: "eastus", index: 1, of: ref, reason: "missing in eastus", at: Date()))
        let v = try #require(try store.version(ref))
        #expect(v.provisioningState == .Updating && v.generation == generation)
        #expect(try store.completedReplicaCounts(of: ref) == ["eastus": 0, "westus": 1])
        #expect(LatestPolicy.disqualification(of: v, completed: try store.completedReplicaCounts(of: ref), region: "eastus", now: Date()) != nil)
        let r = try #require(try store.replica(of: ref, region: "eastus", index: 1))
        #expect(r.state == .Pending && r.lastError == "missing in eastus" && r.etag == nil && r.lastVerifiedAt == nil)
        // A second finding of the same replica changes nothing.
        #expect(try !store.requeueDamagedReplica(region: "eastus", index: 1, of: ref, reason: "again", at: Date()))
    }

    @Test func theStoreFindsVersionsWithReplicasPastTheirRegionsCutoff() async throws {
        try publish([("eastus", 1)])
        _ = try await controller(["eastus": ScriptedBlobStore()], clock: VirtualClock()).reconcile(ref)
        let verified = try #require(try store.replica(of: ref, region: "eastus", index: 1)?.lastVerifiedAt)
        #expect(try store.versionsWithReplicasDue(verifiedBefore: ["eastus": verified.addingTimeInterval(-1)]).isEmpty)
        #expect(try store.versionsWithReplicasDue(verifiedBefore: ["eastus": verified.addingTimeInterval(1)]) == [ref])
        #expect(try store.versionsWithReplicasDue(verifiedBefore: ["westus": verified.addingTimeInterval(1)]).isEmpty)
    }

    /// A daemon's pass over a settled version returns "requeue after" the time left until
    /// its next check; the driver waits on the clock, then the pass checks. No pass sleeps.
    @Test func aScheduledScrubIsRequeuedByTheDriverNotSlept() async throws {
        try publish([("eastus", 2)])
        let east = ScriptedBlobStore()
        let clock = VirtualClock()
        let ctl = controller(["eastus": east], clock: clock, scrub: ScrubSchedule(intervalSeconds: 3600, deepIntervalSeconds: 0))
        _ = try await ctl.reconcile(ref)
        let made = try #require(try store.replica(of: ref, region: "eastus", index: 1)?.lastVerifiedAt)

        let driver = ReconcileDriver<VersionRef>(clock: clock)
        let sleepsBefore = clock.sleeps.count, headsBefore = east.heads
        let first = try await ctl.pass(ref, driver: driver, scheduled: true)
        guard case .requeueAfter(let wait) = first else { Issue.record("not requeued: \(first)"); return }
        #expect(wait > .seconds(3599) && wait <= .seconds(3601), "\(wait)")
        #expect(clock.sleeps.count == sleepsBefore, "the pass itself never sleeps")
        #expect(east.heads == headsBefore, "nothing is due yet")

        // The daemon: the driver owns the wait; each due check moves lastVerifiedAt on.
        let daemon = Task { try await ctl.run(workers: 1) { _, _ in } }
        defer { daemon.cancel() }
        let deadline = Date().addingTimeInterval(20)
        while east.heads < headsBefore + 4, Date() < deadline {
            await ctl.enqueue(ref)
            try await Task.sleep(for: .milliseconds(20))
        }
        daemon.cancel()
        #expect(east.heads >= headsBefore + 4)
        #expect(clock.sleeps.contains { $0 > .seconds(3599) && $0 <= .seconds(3601) }, "\(clock.sleeps.suffix(5))")
        let later = try #require(try store.replica(of: ref, region: "eastus", index: 1)?.lastVerifiedAt)
        #expect(later.timeIntervalSince(made) >= 3599)
        #expect(east.counts.uploads == 1 && east.counts.copies == 1, "checks that held re-made nothing")
    }

    @Test func whatIsDueFollowsTheCheapAndDeepPeriods() {
        let schedule = ScrubSchedule(intervalSeconds: 60, deepIntervalSeconds: 600)
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        var r = Replica(region: "eastus", index: 1, storageAccountType: .Standard_LRS, state: .Completed, updatedAt: t0,
                        lastVerifiedAt: t0, lastDeepVerifiedAt: t0)
        #expect(ReplicationController.due(r, schedule: schedule, at: t0.addingTimeInterval(59)) == (false, false))
        #expect(ReplicationController.due(r, schedule: schedule, at: t0.addingTimeInterval(60)) == (true, false))
        r.lastVerifiedAt = t0.addingTimeInterval(550)
        #expect(ReplicationController.due(r, schedule: schedule, at: t0.addingTimeInterval(600)) == (false, true))
        #expect(ReplicationController.due(r, schedule: .off, at: t0.addingTimeInterval(1e6)) == (false, false))
        r.lastVerifiedAt = nil; r.lastDeepVerifiedAt = nil
        #expect(ReplicationController.due(r, schedule: schedule, at: t0) == (true, true))
    }
}
