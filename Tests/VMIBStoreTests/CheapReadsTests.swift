import Foundation
import Synchronization
import Testing
import VMIBCore
@testable import VMIBStore

/// The reads a server makes on every request or scrape: a version's tag, the replica census.
@Suite struct CheapReadsTests {
    let dir: String
    /// Every statement any connection ran, from SQLite's trace.
    final class Statements: Sendable { let sql = Mutex<[String]>([]) }
    let statements = Statements()
    let store: SQLStateStore
    let gallery = GalleryRef(subscription: "sub", resourceGroup: "rg", gallery: "g")

    init() throws {
        dir = NSTemporaryDirectory() + "vmib-store-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let statements = statements
        store = try SQLStateStore(path: dir + "/state.db", trace: { sql in statements.sql.withLock { $0.append(sql) } })
    }

    func publish(_ v: VersionNumber, regions: [(String, Int)], image: String = "i", subscription: String = "sub") throws -> VersionRef {
        let g = GalleryRef(subscription: subscription, resourceGroup: "rg", gallery: "g")
        if try store.gallery(g) == nil { try store.createGallery(Gallery(ref: g, createdAt: Date())) }
        if try store.image(g.image(image)) == nil {
            try store.createImage(ImageDefinition(ref: g.image(image), osType: .Linux, osState: .Generalized, hyperVGeneration: .V2,
                                                  identifier: .init(publisher: "p", offer: "o", sku: "s"), createdAt: Date()))
        }
        let ref = g.image(image).version(v)
        try store.createVersion(ImageVersion(
            ref: ref,
            publishingProfile: PublishingProfile(
                targetRegions: regions.map { TargetRegion(name: $0.0, regionalReplicaCount: $0.1, storageAccountType: .Standard_LRS) },
                replicaCount: 1, excludeFromLatest: false, endOfLifeDate: nil, publishedDate: Date()),
            storageProfile: StorageProfile(sourcePath: "/d", sizeBytes: 10, sha256: "aa", md5: "bb"),
            provisioningState: .Creating))
        return ref
    }

    /// Statements that touch data (not BEGIN, COMMIT, PRAGMA and the like).
    func dataStatements(during body: () throws -> Void) rethrows -> [String] {
        statements.sql.withLock { $0 = [] }
        try body()
        let control = ["BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA"]
        return statements.sql.withLock { $0 }.filter { sql in !control.contains { sql.uppercased().hasPrefix($0) } }
    }

    @Test func countsReplicasByRegionAndStateInOneStatement() throws {
        let a = try publish(VersionNumber(1, 0, 0), regions: [("eastus", 2), ("westus", 1)])
        _ = try publish(VersionNumber(1, 1, 0), regions: [("eastus", 1)], image: "j")
        _ = try publish(VersionNumber(9, 0, 0), regions: [("eastus", 5)], subscription: "other")
        var done = try #require(try store.replica(of: a, region: "eastus", index: 1))
        done.state = .Completed
        try store.saveReplica(done, of: a)

        var counts: [String: [Replica.State: Int]] = [:]
        let sql = try dataStatements { counts = try store.replicaCounts(subscription: "sub") }

        #expect(counts == ["eastus": [.Completed: 1, .Pending: 2], "westus": [.Pending: 1]])
        #expect(sql.count == 1, "statements: \(sql)")
    }

    @Test func tagIsOneStatementAndMovesWithTheControllersWritesNotTheGeneration() throws {
        let ref = try publish(VersionNumber(1, 0, 0), regions: [("eastus", 2)])
        var tag: VersionTag?
        #expect(try dataStatements { tag = try store.versionTag(ref) }.count == 1)
        let first = try #require(tag)
        #expect(first.generation == 1 && first.statusGeneration == 1)

        var r = try #require(try store.replica(of: ref, region: "eastus", index: 1))
        r.state = .Completed
        try store.saveReplica(r, of: ref)
        let afterSave = try #require(try store.versionTag(ref))
        #expect(afterSave.generation == 1 && afterSave.statusGeneration == 2)

        #expect(try store.setProvisioningState(.Succeeded, of: ref, ifGeneration: 1))
        try store.deleteReplica(region: "eastus", index: 2, of: ref)
        let afterController = try #require(try store.versionTag(ref))
        #expect(afterController.generation == 1 && afterController.statusGeneration == 4)

        // A compare-and-set that lost its race writes nothing, so nothing moves.
        #expect(try store.setProvisioningState(.Failed, of: ref, ifGeneration: 7) == false)
        #expect(try store.versionTag(ref) == afterController)
        #expect(try store.versionTag(ref.image.version(VersionNumber(2, 0, 0))) == nil)
    }

    @Test func scrubsFindingsMoveTheTag() throws {
        let ref = try publish(VersionNumber(1, 0, 0), regions: [("eastus", 1)])
        var r = try #require(try store.replica(of: ref, region: "eastus", index: 1))
        r.state = .Completed
        try store.saveReplica(r, of: ref)
        let completed = try #require(try store.versionTag(ref))
        #expect(try store.recordVerification(region: "eastus", index: 1, of: ref, at: Date(), deep: false))
        let verified = try #require(try store.versionTag(ref))
        #expect(verified.statusGeneration == completed.statusGeneration + 1)
        #expect(try store.requeueDamagedReplica(region: "eastus", index: 1, of: ref, reason: "missing", at: Date()))
        let requeued = try #require(try store.versionTag(ref))
        #expect(requeued.statusGeneration == verified.statusGeneration + 1)
        #expect(requeued.generation == completed.generation)
    }

    @Test func republishedVersionHasANewTagThoughItsCountersStartAgain() throws {
        let ref = try publish(VersionNumber(1, 0, 0), regions: [("eastus", 1)])
        let before = try #require(try store.versionTag(ref))
        try store.deleteVersionRecord(ref)
        _ = try publish(VersionNumber(1, 0, 0), regions: [("eastus", 1)])
        let after = try #require(try store.versionTag(ref))
        #expect(after.generation == before.generation && after.statusGeneration == before.statusGeneration)
        #expect(after != before)
    }

    @Test func firstEnvelopeOfAVersionMovesItsStatusNotItsGeneration() throws {
        let ref = try publish(VersionNumber(1, 0, 0), regions: [("eastus", 1)])
        try store.saveEnvelope(ResourceEnvelope(location: "westus"), of: ref.id.uppercased())
        let tag = try #require(try store.versionTag(ref))
        #expect(tag.generation == 1 && tag.statusGeneration == 2)
    }
}
