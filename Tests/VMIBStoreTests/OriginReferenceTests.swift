import Foundation
import Synchronization
import Testing
import VMIBCore
@testable import VMIBStore

/// Origin disks shared by versions with one digest: counted in the transactions that create
/// and delete versions, released with the last one, never under a publish that uses it.
@Suite struct OriginReferenceTests {
    struct Gone: Error {}

    @Test(arguments: StoreBackend.allCases) func theLastDeleteReleasesTheOriginAndOnlyIt(_ backend: StoreBackend) throws {
        let base = try StoreFixture(backend)
        let image = try base.seedImage()
        try base.store.createVersion(base.version(image, VersionNumber(1, 0, 0), regions: [("eastus", 1)]))
        try base.store.createVersion(base.version(image, VersionNumber(1, 1, 0), regions: [("eastus", 1)]))
        let released = Mutex<[String]>([])
        try base.store.deleteVersionRecord(image.version(VersionNumber(1, 0, 0))) { sha in released.withLock { $0.append(sha) } }
        #expect(released.withLock { $0 }.isEmpty)
        try base.store.deleteVersionRecord(image.version(VersionNumber(1, 1, 0))) { sha in released.withLock { $0.append(sha) } }
        #expect(released.withLock { $0 } == ["aa"])
        // A new version of the same disk takes a fresh reference.
        try base.store.createVersion(base.version(image, VersionNumber(2, 0, 0), regions: [("eastus", 1)]))
        let refs = try base.scalar("SELECT refs FROM origins WHERE sha256='aa'")
        #expect(refs == 1)
    }

    /// A failed release (the file could not be removed) keeps the record and the reference.
    @Test(arguments: StoreBackend.allCases) func aFailedReleaseKeepsTheVersion(_ backend: StoreBackend) throws {
        let base = try StoreFixture(backend)
        let image = try base.seedImage()
        let ref = image.version(VersionNumber(1, 0, 0))
        try base.store.createVersion(base.version(image, VersionNumber(1, 0, 0), regions: [("eastus", 1)]))
        #expect(throws: Gone.self) { try base.store.deleteVersionRecord(ref) { _ in throw Gone() } }
        #expect(try base.store.version(ref) != nil)
        #expect(try base.scalar("SELECT refs FROM origins WHERE sha256='aa'") == 1)
    }

    /// The check runs inside the creating transaction: when it fails, nothing is recorded.
    @Test(arguments: StoreBackend.allCases) func aPublishWhoseOriginIsGoneRecordsNothing(_ backend: StoreBackend) throws {
        let base = try StoreFixture(backend)
        let image = try base.seedImage()
        #expect(throws: Gone.self) {
            try base.store.createVersion(base.version(image, VersionNumber(1, 0, 0), regions: [("eastus", 1)])) { throw Gone() }
        }
        #expect(try base.store.versions(of: image).isEmpty)
        #expect(try base.scalar("SELECT count(*) FROM origins") == 0)
    }
}
