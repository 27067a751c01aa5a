import Foundation
import Testing
import VMIBCore
@testable import VMIBStore

/// The store's behaviour where SQLite and PostgreSQL differ most (names without case,
/// generated ids, upserts, typed NULLs, sums, prefixes), and leases with their fencing
/// tokens: the same tests on both databases.
@Suite struct StoreProtocolTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: StoreBackend.allCases) func namesCompareWithoutCaseAndKeepTheirSpelling(_ backend: StoreBackend) throws {
        let f = try StoreFixture(backend)
        let image = try f.seedImage()
        #expect(throws: StoreError.self) { try f.store.createGallery(Gallery(ref: GalleryRef(subscription: "sub", resourceGroup: "RG", gallery: "G"), createdAt: t0)) }
        let upper = GalleryRef(subscription: "sub", resourceGroup: "RG", gallery: "G").image("I").version(VersionNumber(1, 0, 0))
        try f.store.createVersion(f.version(image, VersionNumber(1, 0, 0), regions: [("eastus", 1)]))
        let v = try #require(try f.store.version(upper))
        #expect(v.ref.image.gallery.resourceGroup == "rg" && v.ref.image.image == "i")
        #expect(try f.store.galleries(subscription: "sub", resourceGroup: "Rg").count == 1)
        #expect(try f.store.galleries(subscription: "sub", resourceGroup: nil).count == 1)
        #expect(try f.store.galleries(subscription: "SUB", resourceGroup: nil).isEmpty, "subscriptions are ids: compared exactly")
    }

    @Test(arguments: StoreBackend.allCases) func compareAndSetOfTheProvisioningState(_ backend: StoreBackend) throws {
        let f = try StoreFixture(backend)
        let image = try f.seedImage()
        let ref = image.version(VersionNumber(1, 0, 0))
        try f.store.createVersion(f.version(image, VersionNumber(1, 0, 0), regions: [("eastus", 1)]))
        let g = try #require(try f.store.version(ref)).generation
        #expect(try f.store.setProvisioningState(.Succeeded, of: ref, ifGeneration: g + 1) == false)
        #expect(try f.store.version(ref)?.provisioningState == .Creating)
        #expect(try f.store.setProvisioningState(.Succeeded, of: ref, ifGeneration: g))
        #expect(try f.store.setProvisioningState(.Failed, of: ref, ifGeneration: nil))
        #expect(try f.store.version(ref)?.provisioningState == .Failed)
        #expect(try f.store.versionsWithPendingWork().isEmpty)
        let before = try #require(try f.store.versionTag(ref))
        var r = try #require(try f.store.replica(of: ref, region: "eastus", index: 1))
        r.state = .Failed
        try f.store.saveReplica(r, of: ref)
        #expect(try f.store.versionTag(ref)!.statusGeneration > before.statusGeneration)
        #expect(try f.store.requeueFailedReplicas(of: ref, at: t0) == 1)
        #expect(try f.store.version(ref)?.provisioningState == .Updating)
        #expect(try f.store.replica(of: ref, region: "eastus", index: 1)?.state == .Pending)
    }

    @Test(arguments: StoreBackend.allCases) func rollbacksGetIncreasingIdsAndUndoMarksTheEntry(_ backend: StoreBackend) throws {
        let f = try StoreFixture(backend)
        let image = try f.seedImage()
        try f.store.createVersion(f.version(image, VersionNumber(1, 0, 0), regions: [("eastus", 1)]))
        let change = FlagChange(version: VersionNumber(1, 0, 0), region: nil, from: false, to: true)
        let first = try f.store.recordRollback(RollbackEntry(image: image, kind: .rollback, at: t0, principal: "p", from: nil,
                                                             to: VersionNumber(1, 0, 0), region: nil, changes: [change]), undoing: nil)
        let undo = try f.store.recordRollback(RollbackEntry(image: image, kind: .undo, at: t0 + 1, principal: "p", from: nil,
                                                            to: VersionNumber(1, 0, 0), region: nil, changes: [change.reversed]),
                                              undoing: first.id)
        #expect(first.id > 0 && undo.id > first.id)
        let history = try f.store.rollbacks(of: image)
        #expect(history.map(\.id) == [first.id, undo.id] && history.first?.undoneBy == undo.id)
        #expect(try f.store.version(image.version(VersionNumber(1, 0, 0)))?.publishingProfile.excludeFromLatest == false)
    }

    @Test(arguments: StoreBackend.allCases) func envelopesByIdAndByPrefix(_ backend: StoreBackend) throws {
        let f = try StoreFixture(backend)
        let image = try f.seedImage()
        try f.store.saveEnvelope(ResourceEnvelope(location: "eastus", tags: ["a": "1"]), of: image.id)
        try f.store.saveEnvelope(ResourceEnvelope(location: "westus"), of: image.id)
        try f.store.saveEnvelope(ResourceEnvelope(location: "eastus"), of: f.gallery.id)
        #expect(try f.store.envelope(of: image.id.uppercased())?.location == "westus")
        #expect(try f.store.envelopes(under: f.gallery.id).keys.sorted() == [image.id.lowercased()])
    }

    @Test(arguments: StoreBackend.allCases) func templatesRunsTriggersAndOutputs(_ backend: StoreBackend) throws {
        let store = try backend.open()
        let key = TemplateKey(subscription: "sub", resourceGroup: "rg", name: "t")
        try store.createTemplate(TemplateRecord(key: key, body: "{}", createdAt: t0))
        #expect(throws: StoreError.self) { try store.createTemplate(TemplateRecord(key: TemplateKey(subscription: "sub", resourceGroup: "RG", name: "T"), body: "{}", createdAt: t0)) }
        try store.replaceTemplateBody(key, body: #"{"x":1}"#, by: "alice")
        #expect(try store.template(key)?.generation == 2 && store.template(key)?.lastModifiedBy == "alice")
        let trigger = TemplateTrigger(key: TriggerKey(template: key, name: "tr"), kind: .SourceImage, createdAt: t0, lastSourceVersion: nil,
                                      status: TriggerStatus(code: .Enabled, message: "", time: t0))
        try store.createTrigger(trigger)
        let run = TemplateRun(id: "r1", template: key, state: .Running, subState: .Queued, message: "", startTime: t0, staging: "/s",
                              workerPID: 42, triggeredBy: RunTrigger(trigger: "tr", sourceVersion: "1.0.0"))
        #expect(try store.fireTrigger(trigger.key, expecting: nil, run: run, status: trigger.status))
        #expect(try store.fireTrigger(trigger.key, expecting: nil, run: run, status: trigger.status) == false, "fired once only")
        #expect(try store.trigger(trigger.key)?.lastSourceVersion == "1.0.0")
        #expect(throws: StoreError.self) { try store.deleteTemplate(key) }
        #expect(try store.requestCancel(runID: "r1", message: "stop"))
        var progress = run
        progress.message = "still building"
        try store.updateRun(progress)
        #expect(try store.run(id: "r1")?.state == .Canceling, "a cancel wins over a worker's progress")
        #expect(try store.run(id: "r1")?.workerPID == 42)
        try store.saveRunOutput(RunOutput(name: "o", runID: "r1", type: "VHD", artifactId: nil, artifactUri: "file:///a",
                                          provisioningState: "Succeeded", message: nil), of: key)
        try store.saveRunOutput(RunOutput(name: "O", runID: "r1", type: "VHD", artifactId: nil, artifactUri: "file:///b",
                                          provisioningState: "Succeeded", message: nil), of: key)
        #expect(try store.runOutputs(of: key).map(\.artifactUri) == ["file:///b"], "one output per name, replaced")
    }

    @Test(arguments: StoreBackend.allCases) func replicasDueForAScrubByRegionCutoff(_ backend: StoreBackend) throws {
        let f = try StoreFixture(backend)
        let image = try f.seedImage()
        let ref = image.version(VersionNumber(1, 0, 0))
        try f.store.createVersion(f.version(image, VersionNumber(1, 0, 0), regions: [("eastus", 1)]))
        #expect(try f.store.versionsWithReplicasDue(verifiedBefore: ["eastus": t0]).isEmpty, "nothing Completed yet")
        var r = try #require(try f.store.replica(of: ref, region: "eastus", index: 1))
        r.state = .Completed
        try f.store.saveReplica(r, of: ref)
        #expect(try f.store.versionsWithReplicasDue(verifiedBefore: ["EastUS": t0]) == [ref])
        #expect(try f.store.recordVerification(region: "eastus", index: 1, of: ref, at: t0 + 10, deep: true))
        #expect(try f.store.replica(of: ref, region: "eastus", index: 1)?.lastDeepVerifiedAt == t0 + 10)
        #expect(try f.store.versionsWithReplicasDue(verifiedBefore: ["eastus": t0]).isEmpty)
        #expect(try f.store.requeueDamagedReplica(region: "eastus", index: 1, of: ref, reason: "gone", at: t0 + 20))
        #expect(try f.store.replica(of: ref, region: "eastus", index: 1)?.lastError == "gone")
    }

    // MARK: leases

    @Test(arguments: StoreBackend.allCases) func aLeaseIsHeldByOneHolderUntilItExpires(_ backend: StoreBackend) throws {
        let store = try backend.open()
        let a = try #require(try store.acquireLease("v1", holder: "a", at: t0, for: 10))
        #expect(a.token == 1)
        #expect(try store.acquireLease("v1", holder: "b", at: t0 + 9, for: 10) == nil, "held by a")
        #expect(try store.acquireLease("v1", holder: "a", at: t0 + 5, for: 10)?.token == 1, "a renews its own")
        let renewed = try #require(try store.renewLease(a, at: t0 + 8, for: 10))
        #expect(try store.acquireLease("v1", holder: "b", at: t0 + 17, for: 10) == nil, "renewed until t0+18")
        let b = try #require(try store.acquireLease("v1", holder: "b", at: t0 + 18.5, for: 10))
        #expect(b.token == 2, "a new holder, a new token")
        #expect(try store.renewLease(renewed, at: t0 + 19, for: 10) == nil, "a cannot renew what b took over")
        try store.releaseLease(renewed)  // a stale release changes nothing
        #expect(try store.acquireLease("v1", holder: "c", at: t0 + 19, for: 10) == nil)
        try store.releaseLease(b)
        #expect(try store.acquireLease("v1", holder: "c", at: t0 + 19, for: 10)?.token == 3, "released: free at once")
        #expect(try store.leases().map(\.holder) == ["c"])
    }

    @Test(arguments: StoreBackend.allCases) func writesWithAStaleFenceAreRefusedAndChangeNothing(_ backend: StoreBackend) throws {
        let f = try StoreFixture(backend)
        let image = try f.seedImage()
        let ref = image.version(VersionNumber(1, 0, 0))
        try f.store.createVersion(f.version(image, VersionNumber(1, 0, 0), regions: [("eastus", 1)]))
        let key = ref.id.lowercased()
        let old = try #require(try f.store.acquireLease(key, holder: "a", at: t0, for: 10))
        var r = try #require(try f.store.replica(of: ref, region: "eastus", index: 1))
        r.state = .Replicating
        try f.store.saveReplica(r, of: ref, fence: old.fence)
        let new = try #require(try f.store.acquireLease(key, holder: "b", at: t0 + 11, for: 10))
        let tag = try #require(try f.store.versionTag(ref))
        var late = r
        late.state = .Completed
        for write in [
            { try f.store.saveReplica(late, of: ref, fence: old.fence) },
            { try f.store.deleteReplica(region: "eastus", index: 1, of: ref, fence: old.fence) },
            { _ = try f.store.setProvisioningState(.Succeeded, of: ref, ifGeneration: nil, fence: old.fence) },
            { _ = try f.store.recordVerification(region: "eastus", index: 1, of: ref, at: t0, deep: false, fence: old.fence) },
            { _ = try f.store.requeueDamagedReplica(region: "eastus", index: 1, of: ref, reason: "x", at: t0, fence: old.fence) },
            { try f.store.deleteVersionRecord(ref, fence: old.fence, releaseOrigin: { _ in }) },
            { try f.store.checkFence(old.fence) },
        ] as [() throws -> Void] {
            do { try write(); Issue.record("a write with token \(old.token) was accepted") } catch let e as StoreError {
                #expect(e.code == .fenced && e.message.contains("taken over by b"), "\(e)")
            }
        }
        #expect(try f.store.replica(of: ref, region: "eastus", index: 1)?.state == .Replicating)
        #expect(try f.store.version(ref)?.provisioningState == .Creating)
        #expect(try f.store.versionTag(ref) == tag, "nothing changed")
        try f.store.saveReplica(late, of: ref, fence: new.fence)
        #expect(try f.store.replica(of: ref, region: "eastus", index: 1)?.state == .Completed)
    }

    /// A template run's writes carry its lease's token too: a stale one changes nothing.
    @Test(arguments: StoreBackend.allCases) func aRunsWritesWithAStaleFenceAreRefused(_ backend: StoreBackend) throws {
        let store = try backend.open()
        let key = TemplateKey(subscription: "sub", resourceGroup: "rg", name: "t")
        try store.createTemplate(TemplateRecord(key: key, body: "{}", createdAt: t0))
        var run = TemplateRun(id: "r1", template: key, state: .Running, subState: .Queued, message: "queued", startTime: t0, staging: "/s")
        try store.createRun(run)
        let old = try #require(try store.acquireLease("run:r1", holder: "a", at: t0, for: 10))
        run.message = "building"
        try store.updateRun(run, fence: old.fence)
        _ = try #require(try store.acquireLease("run:r1", holder: "b", at: t0 + 11, for: 10))
        var late = run
        late.state = .Failed
        late.message = "late"
        #expect(throws: StoreError.self) { try store.updateRun(late, fence: old.fence) }
        #expect(throws: StoreError.self) {
            try store.saveRunOutput(RunOutput(name: "o", runID: "r1", type: "VHD", artifactId: nil, artifactUri: nil,
                                              provisioningState: "Failed", message: nil), of: key, fence: old.fence)
        }
        #expect(try store.run(id: "r1")?.message == "building" && store.run(id: "r1")?.state == .Running)
        #expect(try store.runOutputs(of: key).isEmpty)
    }

    /// Two stores on one database (two servers) race for a key: exactly one gets it.
    @Test(arguments: StoreBackend.allCases) func concurrentAcquisitionsGrantOneLease(_ backend: StoreBackend) async throws {
        let first = try backend.open()
        let second = try SQLStateStore.open(first.location)
        let t = t0
        let won = try await withThrowingTaskGroup(of: Int.self) { group in
            for (i, store) in [first, second, first, second].enumerated() {
                group.addTask { try (0..<20).filter { k in try store.acquireLease("k\(k)", holder: "h\(i)", at: t, for: 10) != nil }.count }
            }
            return try await group.reduce(0, +)
        }
        #expect(won == 20)
    }
}
