import Foundation
import GRDB
import Synchronization
import Testing
import VMIBCore
@testable import VMIBStore

/// Databases written by earlier schema versions (Fixtures/<last migration>.sqlite, made by
/// scripts/testing/make-store-fixtures with that version's migrations and statements) open
/// with today's store and keep every record. The assertions name only what those versions
/// wrote, so they hold as new migrations are added.
@Suite struct MigrationTests {
    /// Every released schema version, oldest first: the fixture holds the data that version's
    /// store could write.
    static let released = ["v1-galleries-images-versions-replicas", "v2-safety-lifecycle-rollbacks",
                           "v2-templates-runs", "v3-resource-envelopes"]
    static let withRollbacks = Array(released.dropFirst(1))
    static let withTemplates = Array(released.dropFirst(2))
    static let withEnvelopes = Array(released.dropFirst(3))

    let gallery = GalleryRef(subscription: "00000000-0000-0000-0000-000000000000", resourceGroup: "rg-fixtures",
                             gallery: "fixturegallery")
    var image: ImageRef { gallery.image("ubuntu") }
    var v100: VersionRef { image.version(VersionNumber(1, 0, 0)) }
    var v123: VersionRef { image.version(VersionNumber(1, 2, 3)) }
    let shaA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    let shaB = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"

    /// The fixture copied into a fresh directory (opening migrates the file in place).
    func copy(of fixture: String) throws -> String {
        let source = try #require(Bundle.module.url(forResource: fixture, withExtension: "sqlite", subdirectory: "Fixtures"),
                                  "fixture \(fixture).sqlite is missing: run scripts/testing/make-store-fixtures")
        let dir = NSTemporaryDirectory() + "vmib-migration-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/state.db"
        try FileManager.default.copyItem(atPath: source.path, toPath: path)
        return path
    }

    func date(_ t: TimeInterval) -> Date { Date(timeIntervalSince1970: t) }

    @Test(arguments: released)
    func earlierDatabaseOpensAndKeepsGalleryImageAndVersions(fixture: String) throws {
        let store = try SQLStateStore(path: try copy(of: fixture))

        let g = try #require(try store.gallery(gallery))
        #expect(g.description == "written by the fixture script")
        #expect(g.createdAt == date(1795712400.25))

        let i = try #require(try store.image(image))
        #expect(i.osType == .Linux && i.osState == .Generalized && i.hyperVGeneration == .V2)
        #expect(i.identifier.publisher == "vmib" && i.identifier.offer == "fixtures" && i.identifier.sku == "22_04")
        #expect(i.description == "Ubuntu for the migration fixtures")
        #expect(i.createdAt == date(1795712460.5))

        #expect(try store.versions(of: image).map(\.ref.version.description) == ["1.2.3", "1.0.0"])
        let v = try #require(try store.version(v123))
        #expect(v.provisioningState == .Failed)
        #expect(v.publishingProfile.replicaCount == 2)
        #expect(v.publishingProfile.endOfLifeDate == date(1893456000))
        #expect(v.publishingProfile.publishedDate == date(1795712580.5))
        #expect(v.storageProfile.sourcePath == "/state/origin/\(shaB).raw")
        #expect(v.storageProfile.sizeBytes == 2_097_152)
        #expect(v.storageProfile.sha256 == shaB)
        #expect(v.storageProfile.md5 == "0cc175b9c0f1b6a831c399e269772661")
        let targets = v.publishingProfile.targetRegions
        #expect(targets.map(\.name) == ["eastus", "westus"])
        #expect(targets.map(\.regionalReplicaCount) == [2, 2])
        #expect(targets.map(\.storageAccountType) == [.Standard_LRS, .Premium_LRS])
        #expect(targets.map(\.excludeFromLatest) == [false, true])

        let old = try #require(try store.version(v100))
        #expect(old.provisioningState == .Succeeded)
        #expect(old.publishingProfile.endOfLifeDate == nil)
        #expect(old.publishingProfile.targetRegions.map(\.name) == ["eastus"])
        #expect(try store.versionsWithPendingWork().isEmpty)
    }

    @Test(arguments: released)
    func earlierDatabaseKeepsReplicasInEveryState(fixture: String) throws {
        let store = try SQLStateStore(path: try copy(of: fixture))

        let replicas = try store.replicas(of: v123)
        #expect(replicas.map { "\($0.region)#\($0.index):\($0.state)" }
                == ["eastus#1:Completed", "eastus#2:Replicating", "westus#1:Failed", "westus#2:Pending"])
        let done = replicas[0], moving = replicas[1], failed = replicas[2], pending = replicas[3]
        #expect(done.bytesDone == 2_097_152 && done.attempts == 2 && done.retries == 1)
        #expect(done.verifiedDigest == shaB && done.lastError == nil)
        #expect(done.updatedAt == date(1795712600))
        #expect(moving.bytesDone == 524_288 && moving.uploadID == "upload-2f9c" && moving.verifiedDigest == nil)
        #expect(failed.storageAccountType == .Premium_LRS)
        #expect(failed.attempts == 3 && failed.retries == 2)
        #expect(failed.lastError == "westus: write failed: No space left on device")
        #expect(failed.updatedAt == date(1795712620.75))
        #expect(pending.bytesDone == 0 && pending.attempts == 0 && pending.updatedAt == date(1795712580.5))

        #expect(try store.replicas(of: v123, region: "westus").map(\.index) == [1, 2])
        #expect(try store.replica(of: v100, region: "eastus", index: 1)?.verifiedDigest == shaA)
        #expect(try store.completedReplicaCounts(of: v123) == ["eastus": 1, "westus": 0])
    }

    /// A server, its agents and a CLI may open a new state directory at the same moment:
    /// each open must wait for the others' migrations, not fail on them.
    @Test func severalOpenersOfANewDatabaseTakeTurns() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vmib-open-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for round in 0..<5 {
            let path = dir.appendingPathComponent("state-\(round).db").path
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 8) { _ in
                do { _ = try SQLStateStore(path: path) } catch { failures.withLock { $0.append("\(error)") } }
            }
            #expect(failures.withLock { $0 } == [], "round \(round)")
        }
    }

    @Test func firstSchemaGetsTodaysDefaultsForWhatItDidNotRecord() throws {
        let store = try SQLStateStore(path: try copy(of: Self.released[0]))
        let v = try #require(try store.version(v100))
        #expect(v.lifecycle.state == .Active && v.lifecycle.replacement == nil)
        #expect(!v.safetyProfile.allowDeletionOfReplicatedLocations && !v.safetyProfile.blockDeletionBeforeEndOfLife)
        #expect(try store.version(v123)?.publishingProfile.targetRegions.map(\.countBasis) == [.explicit, .explicit])
        #expect(try store.rollbacks(of: image).isEmpty)
        #expect(try store.envelope(of: gallery.id) == nil)
    }

    @Test(arguments: withRollbacks)
    func keepsLifecycleCountBasisAndRollbackHistory(fixture: String) throws {
        let store = try SQLStateStore(path: try copy(of: fixture))

        let old = try #require(try store.version(v100))
        #expect(old.lifecycle.state == .Deprecated)
        #expect(old.lifecycle.replacement == VersionNumber(1, 2, 3))
        #expect(old.safetyProfile.blockDeletionBeforeEndOfLife && !old.safetyProfile.allowDeletionOfReplicatedLocations)
        let v = try #require(try store.version(v123))
        #expect(v.safetyProfile.allowDeletionOfReplicatedLocations)
        #expect(v.publishingProfile.excludeFromLatest, "the rollback excluded 1.2.3 from latest")
        #expect(v.publishingProfile.targetRegions.map(\.countBasis) == [.explicit, .expectedDeployments(40, perReplica: 20)])

        let history = try store.rollbacks(of: image)
        #expect(history.count == 1)
        let entry = try #require(history.first)
        #expect(entry.kind == .rollback && entry.principal == "alice@example.com")
        #expect(entry.at == date(1795712700.5))
        #expect(entry.from == VersionNumber(1, 2, 3) && entry.to == VersionNumber(1, 0, 0) && entry.region == nil)
        #expect(entry.changes == [FlagChange(version: VersionNumber(1, 2, 3), region: nil, from: false, to: true)])
        #expect(entry.undoneBy == nil)
    }

    @Test(arguments: withTemplates)
    func keepsTemplatesRunsOutputsAndManagedImages(fixture: String) throws {
        let store = try SQLStateStore(path: try copy(of: fixture))
        let key = TemplateKey(subscription: gallery.subscription, resourceGroup: "rg-fixtures", name: "tpl-fixture")

        let template = try #require(try store.template(key))
        #expect(template.createdAt == date(1795712800))
        let body = try JSONParser.parse(template.body)
        #expect(body["properties"]?["source"]?["sku"]?.stringValue == "22_04-lts")
        #expect(template.body.contains(#""inline":["echo built by vmib > /etc/motd"]"#))

        let runID = "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b"
        let run = try #require(try store.run(id: runID))
        #expect(run.state == .Succeeded && run.subState == nil && run.message == "the build finished")
        #expect(run.startTime == date(1795712810) && run.endTime == date(1795712990.5))
        #expect(run.staging == "IT_rg-fixtures_tpl-fixture_\(runID)" && run.workerPID == nil)
        #expect(try store.runs(of: key).map(\.id) == [runID])

        let outputs = try store.runOutputs(of: key)
        #expect(outputs.map(\.name) == ["managed"])
        #expect(outputs.first?.artifactId == "/subscriptions/\(gallery.subscription)/resourceGroups/rg-fixtures/providers/Microsoft.Compute/images/fixture-image")
        #expect(outputs.first?.provisioningState == "Succeeded" && outputs.first?.runID == runID)

        let managed = try #require(try store.managedImage(ManagedImageID(subscription: gallery.subscription,
                                                                         resourceGroup: "rg-fixtures", name: "fixture-image")))
        #expect(managed.location == "eastus" && managed.path == "/state/managed-images/fixture-image.raw")
        #expect(managed.sizeBytes == 3_145_728 && managed.createdAt == date(1795712985))
        #expect(managed.sha256 == "fd61a03af4f77d870fc21e05e7e80678095c92d808cfb3b5c279ee04c74aca13")
    }

    @Test(arguments: withEnvelopes)
    func keepsResourceEnvelopes(fixture: String) throws {
        let store = try SQLStateStore(path: try copy(of: fixture))
        #expect(try store.envelope(of: gallery.id) == ResourceEnvelope(location: "eastus", tags: ["env": "test", "owner": "fixtures"]))
        #expect(try store.envelope(of: v123.id.uppercased()) == ResourceEnvelope(location: "westus", tags: ["build": "42"]))
        #expect(try store.envelope(of: v100.id) == nil)
    }

    @Test(arguments: released)
    func migratedDatabaseTakesNewRecordsAndReopens(fixture: String) throws {
        let path = try copy(of: fixture)
        let store = try SQLStateStore(path: path)
        let v2 = ImageVersion(
            ref: image.version(VersionNumber(2, 0, 0)),
            publishingProfile: PublishingProfile(
                targetRegions: [TargetRegion(name: "eastus", regionalReplicaCount: 1, storageAccountType: .Standard_LRS,
                                             countBasis: .expectedDeployments(10, perReplica: 20))],
                replicaCount: 1, excludeFromLatest: false, endOfLifeDate: nil, publishedDate: date(1795800000)),
            storageProfile: StorageProfile(sourcePath: "/d", sizeBytes: 1, sha256: "aa", md5: "bb"),
            provisioningState: .Creating)
        try store.createVersion(v2)
        try store.saveEnvelope(ResourceEnvelope(location: "eastus", tags: ["new": "yes"]), of: v2.ref.id)

        let reopened = try SQLStateStore(path: path)
        #expect(try reopened.versions(of: image).map(\.ref.version.description) == ["2.0.0", "1.2.3", "1.0.0"])
        #expect(try reopened.version(v2.ref)?.publishingProfile.targetRegions.first?.countBasis == .expectedDeployments(10, perReplica: 20))
        #expect(try reopened.envelope(of: v2.ref.id)?.tags == ["new": "yes"])
        #expect(try reopened.replicas(of: v123).count == 4)
    }

    /// v10: every version recorded before replication modes was replicated fully, and reads
    /// so; a Shallow version recorded after keeps its mode and its Completed reference.
    @Test(arguments: released)
    func existingVersionsReadAsFullAfterTheReplicationModeMigration(fixture: String) throws {
        let path = try copy(of: fixture)
        let store = try SQLStateStore(path: path)
        let applied = try DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
        }
        #expect(applied.contains("v10-version-replication-mode"))
        #expect(try store.versions(of: image).map(\.publishingProfile.replicationMode) == [.Full, .Full])
        #expect(try store.replicas(of: v123).map(\.state) == [.Completed, .Replicating, .Failed, .Pending], "replicas untouched")

        let shallow = ImageVersion(
            ref: image.version(VersionNumber(3, 0, 0)),
            publishingProfile: PublishingProfile(
                targetRegions: [TargetRegion(name: "eastus", regionalReplicaCount: 1, storageAccountType: .Standard_LRS)],
                replicaCount: 1, excludeFromLatest: false, endOfLifeDate: nil, publishedDate: date(1795800000), replicationMode: .Shallow),
            storageProfile: StorageProfile(sourcePath: "/d", sizeBytes: 1, sha256: shaA, md5: "bb"),
            provisioningState: .Succeeded)
        try store.createVersion(shallow)
        let reopened = try SQLStateStore(path: path)
        #expect(try reopened.version(shallow.ref)?.publishingProfile.replicationMode == .Shallow)
        #expect(try reopened.replicas(of: shallow.ref).map(\.state) == [.Completed])
        #expect(try reopened.version(v100)?.publishingProfile.replicationMode == .Full)
        // A Shallow replica has no object to scrub: never due.
        #expect(try reopened.versionsWithReplicasDue(verifiedBefore: ["eastus": date(1999999999)]).contains(shallow.ref) == false)
    }

    @Test func databaseFromANewerVmibIsRefusedAndLeftUntouched() throws {
        let path = try copy(of: Self.released[0])
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-a-newer-vmib')")
        }

        let error = try #require(throws: StoreError.self) { try SQLStateStore(path: path) }
        #expect(error.code == .database)
        #expect(error.message.contains("written by a newer vmib"), "\(error.message)")
        #expect(error.message.contains(path))
        #expect(!error.isTransient)

        // Nothing was migrated: the file still has its own schema and records only.
        let (tables, applied) = try DatabaseQueue(path: path).read { db in
            (try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"),
             try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier"))
        }
        #expect(applied == ["v1-galleries-images-versions-replicas", "v99-from-a-newer-vmib"])
        #expect(!tables.contains("rollbacks") && !tables.contains("resource_envelopes"))
        #expect(tables.contains("replicas"))
    }
}
