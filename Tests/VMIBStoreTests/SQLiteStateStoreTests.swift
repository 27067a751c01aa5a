import Foundation
import Testing
import VMIBCore
@testable import VMIBStore

@Suite struct SQLiteStateStoreTests {
    let dir: String
    let store: SQLiteStateStore
    let gallery = GalleryRef(subscription: "sub", resourceGroup: "rg", gallery: "g")

    init() throws {
        dir = NSTemporaryDirectory() + "vmib-store-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        store = try SQLiteStateStore(path: dir + "/state.db")
    }

    func seedImage() throws -> ImageRef {
        try store.createGallery(Gallery(ref: gallery, createdAt: Date()))
        let ref = gallery.image("i")
        try store.createImage(ImageDefinition(ref: ref, osType: .Linux, osState: .Generalized, hyperVGeneration: .V2,
                                              identifier: .init(publisher: "p", offer: "o", sku: "s"), createdAt: Date()))
        return ref
    }

    func version(_ image: ImageRef, _ v: VersionNumber, regions: [(String, Int)]) -> ImageVersion {
        ImageVersion(ref: image.version(v),
                     publishingProfile: PublishingProfile(
                        targetRegions: regions.map { TargetRegion(name: $0.0, regionalReplicaCount: $0.1, storageAccountType: .Standard_LRS) },
                        replicaCount: 1, excludeFromLatest: false, endOfLifeDate: nil, publishedDate: Date()),
                     storageProfile: StorageProfile(sourcePath: "/d", sizeBytes: 10, sha256: "aa", md5: "bb"),
                     provisioningState: .Creating)
    }

    @Test func usesWALAndMigratesFromAnEmptyFile() throws {
        let mode = try store.pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        // Reopening applies nothing new and keeps data.
        _ = try seedImage()
        let again = try SQLiteStateStore(path: dir + "/state.db")
        #expect(try again.images(in: gallery).count == 1)
    }

    @Test func createVersionRecordsTargetsAndPendingReplicasInOneTransaction() throws {
        let image = try seedImage()
        try store.createVersion(version(image, VersionNumber(1, 0, 0), regions: [("eastus", 2), ("westus", 1)]))
        let replicas = try store.replicas(of: image.version(VersionNumber(1, 0, 0)))
        #expect(replicas.map { "\($0.region)#\($0.index):\($0.state)" } == ["eastus#1:Pending", "eastus#2:Pending", "westus#1:Pending"])
        let v = try #require(try store.version(image.version(VersionNumber(1, 0, 0))))
        #expect(v.publishingProfile.targetRegions.map(\.name) == ["eastus", "westus"])
        #expect(try store.versionsWithPendingWork() == [image.version(VersionNumber(1, 0, 0))])
    }

    /// A replica's link and earlier-version bytes (v12) read back the same through the
    /// by-position read of a whole version and the by-name read of one replica.
    @Test func replicaDeltaFiguresReadBackThroughBothReads() throws {
        let image = try seedImage()
        let ref = image.version(VersionNumber(1, 0, 0))
        try store.createVersion(version(image, VersionNumber(1, 0, 0), regions: [("eastus", 2)]))
        var r = try #require(try store.replica(of: ref, region: "eastus", index: 1))
        #expect(r.linkBytes == nil && r.earlierVersionBytes == nil)
        r.linkBytes = 16 << 20
        r.earlierVersionBytes = 32 << 20
        try store.saveReplica(r, of: ref)
        #expect(try store.replica(of: ref, region: "eastus", index: 1)?.linkBytes == 16 << 20)
        #expect(try store.replicas(of: ref, region: "eastus").first?.earlierVersionBytes == 32 << 20)
        let all = try store.replicas(of: ref)
        #expect(all.map(\.linkBytes) == [16 << 20, nil] && all.map(\.earlierVersionBytes) == [32 << 20, nil])
    }

    @Test func refusesDuplicatesAndMissingParentsWithoutChangingAnything() throws {
        let image = try seedImage()
        let v = version(image, VersionNumber(1, 0, 0), regions: [("eastus", 1)])
        try store.createVersion(v)
        #expect(throws: StoreError(.alreadyExists, "version 1.0.0 of image 'i' already exists")) { try store.createVersion(v) }
        let orphan = version(gallery.image("nope"), VersionNumber(1, 0, 0), regions: [("eastus", 1)])
        #expect(throws: StoreError.self) { try store.createVersion(orphan) }
        #expect(try store.versions(of: image).count == 1)
        #expect(try store.replicas(of: v.ref).count == 1)
    }

    @Test func galleryWithImagesCannotBeDeleted() throws {
        _ = try seedImage()
        do { try store.deleteGallery(gallery); Issue.record("deleted") } catch let e as StoreError {
            #expect(e.code == .refused)
            #expect(e.message.contains("1 image definition"))
        }
        #expect(try store.gallery(gallery) != nil)
    }

    @Test func versionsAreListedHighestFirst() throws {
        let image = try seedImage()
        for v in ["1.2.0", "1.10.0", "1.9.3"] {
            try store.createVersion(version(image, try VersionNumber(parsing: v), regions: [("eastus", 1)]))
        }
        #expect(try store.versions(of: image).map(\.ref.version.description) == ["1.10.0", "1.9.3", "1.2.0"])
    }
}
