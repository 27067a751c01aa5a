import Foundation
import Testing
import VMIBCore
import VMIBTestSupport
@testable import VMIBStore

/// The databases the store runs on: every test of the store's suite runs on each.
enum StoreBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres
    var testDescription: String { rawValue }

    /// A new, empty store: a SQLite file in a new directory, or a new PostgreSQL database
    /// on the test cluster.
    func open() throws -> SQLStateStore {
        switch self {
        case .sqlite:
            let dir = NSTemporaryDirectory() + "vmib-store-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            return try SQLStateStore(path: dir + "/state.db")
        case .postgres:
            let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            return try SQLStateStore(postgres: try SQLStateStore.createPostgresDatabase(name, on: try TestPostgres.url()))
        }
    }
}

/// A store with helpers to seed it.
struct StoreFixture {
    let store: SQLStateStore
    let gallery = GalleryRef(subscription: "sub", resourceGroup: "rg", gallery: "g")

    init(_ backend: StoreBackend) throws { store = try backend.open() }
    init(store: SQLStateStore) { self.store = store }

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

    /// One value by SQL, on either database.
    func scalar(_ sql: String) throws -> Int? { try store.database.read { try $0.one(Int.self, sql) } }
}

/// The store's suite: the same tests on SQLite and on PostgreSQL.
@Suite struct StateStoreTests {
    @Test func sqliteUsesWALAndMigratesFromAnEmptyFile() throws {
        let dir = NSTemporaryDirectory() + "vmib-store-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let f = StoreFixture(store: try SQLStateStore(path: dir + "/state.db"))
        let mode = try f.store.database.read { try $0.one(String.self, "PRAGMA journal_mode") }
        #expect(mode == "wal")
        // Reopening applies nothing new and keeps data.
        _ = try f.seedImage()
        let again = try SQLStateStore(path: dir + "/state.db")
        #expect(try again.images(in: f.gallery).count == 1)
    }

    @Test(arguments: StoreBackend.allCases) func createVersionRecordsTargetsAndPendingReplicasInOneTransaction(_ backend: StoreBackend) throws {
        let f = try StoreFixture(backend), store = f.store, gallery = f.gallery
        let image = try f.seedImage()
        try store.createVersion(f.version(image, VersionNumber(1, 0, 0), regions: [("eastus", 2), ("westus", 1)]))
        let replicas = try store.replicas(of: image.version(VersionNumber(1, 0, 0)))
        #expect(replicas.map { "\($0.region)#\($0.index):\($0.state)" } == ["eastus#1:Pending", "eastus#2:Pending", "westus#1:Pending"])
        let v = try #require(try store.version(image.version(VersionNumber(1, 0, 0))))
        #expect(v.publishingProfile.targetRegions.map(\.name) == ["eastus", "westus"])
        #expect(try store.versionsWithPendingWork() == [image.version(VersionNumber(1, 0, 0))])
    }

    /// A replica's link and earlier-version bytes (v12) read back the same through the
    /// by-position read of a whole version and the by-name read of one replica.
    @Test(arguments: StoreBackend.allCases) func replicaDeltaFiguresReadBackThroughBothReads(_ backend: StoreBackend) throws {
        let f = try StoreFixture(backend), store = f.store, gallery = f.gallery
        let image = try f.seedImage()
        let ref = image.version(VersionNumber(1, 0, 0))
        try store.createVersion(f.version(image, VersionNumber(1, 0, 0), regions: [("eastus", 2)]))
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

    @Test(arguments: StoreBackend.allCases) func refusesDuplicatesAndMissingParentsWithoutChangingAnything(_ backend: StoreBackend) throws {
        let f = try StoreFixture(backend), store = f.store, gallery = f.gallery
        let image = try f.seedImage()
        let v = f.version(image, VersionNumber(1, 0, 0), regions: [("eastus", 1)])
        try store.createVersion(v)
        #expect(throws: StoreError(.alreadyExists, "version 1.0.0 of image 'i' already exists")) { try store.createVersion(v) }
        let orphan = f.version(gallery.image("nope"), VersionNumber(1, 0, 0), regions: [("eastus", 1)])
        #expect(throws: StoreError.self) { try store.createVersion(orphan) }
        #expect(try store.versions(of: image).count == 1)
        #expect(try store.replicas(of: v.ref).count == 1)
    }

    @Test(arguments: StoreBackend.allCases) func galleryWithImagesCannotBeDeleted(_ backend: StoreBackend) throws {
        let f = try StoreFixture(backend), store = f.store, gallery = f.gallery
        _ = try f.seedImage()
        do { try store.deleteGallery(gallery); Issue.record("deleted") } catch let e as StoreError {
            #expect(e.code == .refused)
            #expect(e.message.contains("1 image definition"))
        }
        #expect(try store.gallery(gallery) != nil)
    }

    @Test(arguments: StoreBackend.allCases) func versionsAreListedHighestFirst(_ backend: StoreBackend) throws {
        let f = try StoreFixture(backend), store = f.store, gallery = f.gallery
        let image = try f.seedImage()
        for v in ["1.2.0", "1.10.0", "1.9.3"] {
            try store.createVersion(f.version(image, try VersionNumber(parsing: v), regions: [("eastus", 1)]))
        }
        #expect(try store.versions(of: image).map(\.ref.version.description) == ["1.10.0", "1.9.3", "1.2.0"])
    }
}
