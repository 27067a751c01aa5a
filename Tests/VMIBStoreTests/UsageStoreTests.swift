import Foundation
import Testing
import VMIBCore
@testable import VMIBStore

@Suite struct UsageStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: StoreBackend.allCases) func aRunsMinutesAreRecordedOnceWhenItEnds(_ backend: StoreBackend) throws {
        let store = try backend.open()
        let key = TemplateKey(subscription: "sub", resourceGroup: "rg", name: "t")
        try store.createTemplate(TemplateRecord(key: key, body: #"{"location": "westus2"}"#, createdAt: t0))
        var run = TemplateRun(id: "run-1", template: key, state: .Running, subState: .Building, message: "", startTime: t0, staging: "/s")
        try store.createRun(run)
        try store.updateRun(run)
        #expect(try store.usageEvents(subscription: "sub", since: nil).isEmpty, "a run still going has no minutes yet")
        run.state = .Succeeded
        run.endTime = t0 + 150
        try store.updateRun(run)
        try store.updateRun(run)  // a second report of the same end counts nothing more
        let events = try store.usageEvents(subscription: "sub", since: nil)
        #expect(events.count == 1)
        #expect(events.first?.kind == .build && events.first?.seconds == 150 && events.first?.runID == "run-1")
        #expect(events.first?.to == "westus2", "the build region")
        // The events outlive the template.
        try store.deleteTemplate(key)
        #expect(try store.usageEvents(subscription: "sub", since: nil).count == 1)
        #expect(try store.usageEvents(subscription: "sub", since: t0 + 151).isEmpty)
        #expect(try store.usageEvents(subscription: "other", since: nil).isEmpty)
    }

    @Test(arguments: StoreBackend.allCases) func storedBytesCountOnlyCompletedReplicas(_ backend: StoreBackend) throws {
        let store = try backend.open()
        let gallery = GalleryRef(subscription: "sub", resourceGroup: "rg", gallery: "g")
        try store.createGallery(Gallery(ref: gallery, createdAt: t0))
        let image = gallery.image("i")
        try store.createImage(ImageDefinition(ref: image, osType: .Linux, osState: .Generalized, hyperVGeneration: .V2,
                                              identifier: .init(publisher: "p", offer: "o", sku: "s"), createdAt: t0))
        let v = ImageVersion(ref: image.version(VersionNumber(1, 0, 0)),
                             publishingProfile: PublishingProfile(
                                targetRegions: [TargetRegion(name: "eastus", regionalReplicaCount: 3, storageAccountType: .Standard_LRS)],
                                replicaCount: 1, excludeFromLatest: false, endOfLifeDate: nil, publishedDate: t0),
                             storageProfile: StorageProfile(sourcePath: "/d", sizeBytes: 10, sha256: "aa", md5: "bb"),
                             provisioningState: .Creating)
        try store.createVersion(v)
        for index in 1...2 {
            var r = try #require(try store.replica(of: v.ref, region: "eastus", index: index))
            r.state = .Completed
            try store.saveReplica(r, of: v.ref)
        }
        // A Shallow version's one replica (Completed at once) is a reference to the origin copy.
        let shallow = ImageVersion(ref: image.version(VersionNumber(1, 1, 0)),
                                   publishingProfile: PublishingProfile(
                                      targetRegions: [TargetRegion(name: "eastus", regionalReplicaCount: 1, storageAccountType: .Standard_LRS)],
                                      replicaCount: 1, excludeFromLatest: false, endOfLifeDate: nil, publishedDate: t0, replicationMode: .Shallow),
                                   storageProfile: StorageProfile(sourcePath: "/d", sizeBytes: 10, sha256: "aa", md5: "bb"),
                                   provisioningState: .Succeeded)
        try store.createVersion(shallow)
        #expect(try store.replica(of: shallow.ref, region: "eastus", index: 1)?.state == .Completed)
        let stored = try store.storedBytes(subscription: "sub")
        #expect(stored == [StoredBytes(region: "eastus", storageAccountType: "Standard_LRS", resourceGroup: "rg", gallery: "g", image: "i",
                                       replicas: 2, bytes: 20)])
    }

    @Test func theUsageMigrationComesBeforeTheReplicaDeltaOne() throws {
        let store = try StoreBackend.sqlite.open()
        let applied = try store.database.read { db in try db.rows("SELECT identifier FROM grdb_migrations").map { $0[0] as String } }
        #expect(applied.contains("v11-usage") && applied.contains("v12-replica-delta"))
        let order = Schema.migrator.migrations
        #expect(Array(order.suffix(4)) == ["v11-usage", "v12-replica-delta", "v13-replica-link-source", "v14-leases"])
    }
}
